from __future__ import annotations

import asyncio
import copy
import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest

from contracts import asyncapi, topics, visitor
from contracts.registry import BY_TYPE, TOPIC_EVENTS
from contracts.schema_check import (
    SCHEMA_DIR,
    asyncapi_incompatibilities,
    check,
    check_asyncapi,
    export,
)
from runtime import deadletters
from runtime.deadletters import DeadLetter
from runtime.projection.delivery import Delivery, park


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi.document()


def test_the_committed_export_is_the_generated_document() -> None:
    assert check_asyncapi() == []


def test_a_channel_per_published_topic_and_per_dead_letter_topic(document) -> None:
    assert document["asyncapi"] == "3.0.0"
    expected = {*TOPIC_EVENTS, *(topics.dead_letter(t) for t in TOPIC_EVENTS)}
    assert set(document["channels"]) == expected
    assert set(document["operations"]) == expected
    for name, channel in document["channels"].items():
        assert channel["address"] == name
        assert channel["bindings"]["kafka"]["topic"] == name


def test_every_event_type_is_a_message_of_its_topic(document) -> None:
    for topic, models in TOPIC_EVENTS.items():
        messages = document["channels"][topic]["messages"]
        assert {m.__name__ for m in models} == set(messages)
        for model in models:
            ref = messages[model.__name__]["$ref"]
            assert ref == f"#/components/messages/{model.event_type()}"
            message = document["components"]["messages"][model.event_type()]
            assert message["payload"] == {"$ref": f"#/components/schemas/{model.event_type()}"}
            assert message["bindings"]["kafka"]["key"]["format"] == "uuid"
            assert message["headers"]["properties"]["ce_type"]["const"] == model.event_type()
        operation = document["operations"][topic]
        assert operation["action"] == "send"
        assert len(operation["messages"]) == len(models)


def test_payloads_are_the_committed_json_schemas(document) -> None:
    for event_type in BY_TYPE:
        committed = (SCHEMA_DIR / f"{event_type}.json").read_text()
        assert asyncapi.payload_schema(document, event_type) == json.loads(committed)


def test_every_example_is_valid_against_its_schema_model_and_headers(document) -> None:
    for event_type, model in BY_TYPE.items():
        message = document["components"]["messages"][event_type]
        (example,) = message["examples"]
        schema = asyncapi.payload_schema(document, event_type)
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
            example["payload"]
        )
        model.model_validate(example["payload"])
        jsonschema.Draft202012Validator(
            message["headers"], format_checker=jsonschema.FormatChecker()
        ).validate(example["headers"])
        assert example["headers"]["site"] == example["payload"]["site_id"]


def test_an_example_breaking_its_schema_is_caught(document) -> None:
    """The example check above can fail: a payload with a field retyped does not pass."""
    schema = asyncapi.payload_schema(document, "concierge.visitor.VisitorCheckedIn.v1")
    message = document["components"]["messages"]["concierge.visitor.VisitorCheckedIn.v1"]
    payload = {**message["examples"][0]["payload"], "party_size": "two"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(payload)


def test_a_new_topic_in_the_registry_gets_its_channels(monkeypatch) -> None:
    monkeypatch.setitem(TOPIC_EVENTS, "concierge.laundry.v1", (visitor.VisitDenied,))
    document = asyncapi.document()
    assert "VisitDenied" in document["channels"]["concierge.laundry.v1"]["messages"]
    assert "concierge.laundry.v1.dlq" in document["channels"]


def test_dead_letter_reasons_and_headers_are_those_the_runtime_writes() -> None:
    reasons = (
        deadletters.MALFORMED,
        deadletters.SITE_MISMATCH,
        deadletters.FOREIGN_SITE_REFERENCE,
        deadletters.APPLY_ERROR,
        deadletters.BLOCKED,
    )
    assert set(asyncapi.DEAD_LETTER_REASONS) == set(reasons)

    sent: list[list[tuple[str, bytes]]] = []

    class Producer:  # records what park sends; Kafka's answer is a partition and offset
        async def send(self, topic: str, *, value: Any, key: Any, headers: Any) -> Any:
            sent.append(headers)
            done: Any = asyncio.get_running_loop().create_future()
            done.set_result(SimpleNamespace(partition=0, offset=7))
            return done

    message = SimpleNamespace(topic="t", partition=1, offset=2, key=b"k", value=b"v",
                              headers=[("ce_id", b"x:1")])  # fmt: skip
    letter = DeadLetter(projection="p", topic="t", partition=1, offset=2,
                        reason=deadletters.MALFORMED, error="bad")  # fmt: skip
    asyncio.run(park(Producer(), "p", [Delivery(message, None, letter)]))
    written = {name for name, _ in sent[0]} - {"ce_id"}
    assert written == set(asyncapi.DEAD_LETTER_HEADERS)


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    """A copy of the committed schemas and document to change."""
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMA_DIR, schemas)
    shutil.copy(asyncapi.EXPORT, tmp_path / "asyncapi.yaml")
    return schemas


def test_the_copy_checks_clean(exported: Path) -> None:
    assert check(exported) == []


def test_a_stale_export_fails_the_check(exported: Path) -> None:
    path = exported.parent / "asyncapi.yaml"
    old = asyncapi.committed(path)
    assert old is not None
    old["info"]["description"] = "an older text"
    path.write_text(asyncapi.as_yaml(old))
    assert check(exported) == ["contracts/asyncapi.yaml is stale; run `make schemas`"]
    export(exported)
    assert check(exported) == []


def test_a_missing_export_fails_the_check(exported: Path) -> None:
    (exported.parent / "asyncapi.yaml").unlink()
    assert check(exported) == ["contracts/asyncapi.yaml is missing; run `make schemas`"]


def test_a_removed_channel_is_a_break(document) -> None:
    new = copy.deepcopy(document)
    del new["channels"]["concierge.mail.v1.dlq"]
    assert asyncapi_incompatibilities(document, new) == [
        "AsyncAPI channel concierge.mail.v1.dlq: removed"
    ]


def test_a_removed_message_is_a_break(document) -> None:
    new = copy.deepcopy(document)
    del new["channels"]["concierge.visitor.v1"]["messages"]["VisitDenied"]
    assert asyncapi_incompatibilities(document, new) == [
        "AsyncAPI channel concierge.visitor.v1: message VisitDenied removed"
    ]


def test_an_incompatible_payload_is_a_break(document) -> None:
    new = copy.deepcopy(document)
    schema = new["components"]["schemas"]["concierge.workorder.RepairCompleted.v1"]
    schema["$defs"]["Material"]["properties"]["cost"] = {"type": "number"}  # through a $ref
    schema["required"].append("badge")
    assert asyncapi_incompatibilities(document, new) == [
        "AsyncAPI message concierge.workorder.RepairCompleted.v1 payload:"
        " concierge.workorder.RepairCompleted.v1.materials: type changed",
        "AsyncAPI message concierge.workorder.RepairCompleted.v1 payload:"
        " concierge.workorder.RepairCompleted.v1.badge: new required field (old events lack it)",
    ]


def test_new_channels_messages_and_optional_fields_are_compatible(document) -> None:
    new = copy.deepcopy(document)
    new["channels"]["concierge.laundry.v1"] = {"address": "concierge.laundry.v1", "messages": {}}
    new["channels"]["concierge.mail.v1"]["messages"]["MailShredded"] = {"$ref": "#/x"}
    schema = new["components"]["schemas"]["concierge.mail.MailArchived.v1"]
    schema["properties"]["badge"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert asyncapi_incompatibilities(document, new) == []
