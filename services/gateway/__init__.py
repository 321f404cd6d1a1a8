"""The gateway bounded context."""
