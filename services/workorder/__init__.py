"""The workorder bounded context."""
