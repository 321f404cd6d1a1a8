"""Every published contract model, by CloudEvents type and by topic."""

from __future__ import annotations

from contracts import billing, feedback, mail, tenancy, topics, visitor, workorder
from contracts.base import ContractEvent

TOPIC_EVENTS: dict[str, tuple[type[ContractEvent], ...]] = {
    topics.VISITOR: visitor.EVENTS,
    topics.WORKORDER: workorder.EVENTS,
    topics.BILLING: billing.EVENTS,
    topics.FEEDBACK: feedback.EVENTS,
    topics.MAIL: mail.EVENTS,
    topics.TENANCY: tenancy.EVENTS,
}

BY_TYPE: dict[str, type[ContractEvent]] = {
    model.event_type(): model for models in TOPIC_EVENTS.values() for model in models
}


def model_for(event_type: str) -> type[ContractEvent]:
    """The contract model of a CloudEvents type; KeyError when unknown."""
    return BY_TYPE[event_type]
