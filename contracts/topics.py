"""Kafka topic names: one per context and major version, keyed by aggregate id."""

VISITOR = "concierge.visitor.v1"
MAIL = "concierge.mail.v1"
WORKORDER = "concierge.workorder.v1"
BILLING = "concierge.billing.v1"
FEEDBACK = "concierge.feedback.v1"
TENANCY = "concierge.tenancy.v1"

PUBLISHED = (VISITOR, MAIL, WORKORDER, BILLING, FEEDBACK, TENANCY)


def dead_letter(topic: str) -> str:
    """Where a projection parks a message it cannot parse or apply."""
    return f"{topic}.dlq"
