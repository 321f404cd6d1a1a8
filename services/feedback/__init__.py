"""The feedback bounded context."""
