"""The tenancy bounded context."""
