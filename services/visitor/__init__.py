"""The visitor bounded context."""
