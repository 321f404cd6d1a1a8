"""The mail bounded context."""
