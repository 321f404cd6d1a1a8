"""The AsyncAPI 3.0 document of every published topic: what BI and other consumers read.

    python -m contracts.asyncapi            # print the document (YAML)

Generated from code. faststream (the suite's Kafka framework) lays out the server, the
channels and the send operations from one publisher per topic of `contracts.registry`
and one per dead-letter topic, so a new topic appears here without editing this module.
Each channel then gets one message per event type the topic carries, with:

- the CloudEvents binary-mode headers the relay writes (`contracts.envelope`) as the
  message's headers schema, `ce_type` fixed to the message's type;
- the payload: the committed JSON Schema (`contracts/schemas/<type>.json`) verbatim,
  under `components.schemas.<type>` (its local `$defs` references re-pointed there);
- an example (`contracts.examples`), valid against that schema;
- the Kafka binding: the key is the aggregate id (`ce_subject`), which keeps each
  aggregate's events in order on one partition.

The committed export is `contracts/asyncapi.yaml` (`make schemas`); `make lint`
(`python -m contracts.schema_check`) refuses a stale export and a breaking change (a
channel or message removed, a payload changed incompatibly). The gateway serves it at
`/asyncapi` (a page), `/asyncapi.json` and `/asyncapi.yaml`.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from contracts import topics
from contracts.base import ContractEvent
from contracts.envelope import CONTENT_TYPE, SPEC_VERSION
from contracts.examples import EXAMPLE_CORRELATION, aggregate_id, example_payload
from contracts.registry import TOPIC_EVENTS
from contracts.schema_check import SCHEMA_DIR

EXPORT = Path(__file__).parent / "asyncapi.yaml"
LOCAL_BOOTSTRAP = "127.0.0.1:59092"  # the local stack's broker (deploy/local)
KAFKA_BINDING = "0.4.0"
DEAD_LETTER_REASONS = (  # runtime.deadletters; a unit test keeps them equal
    "malformed",
    "site_mismatch",
    "foreign_site_reference",
    "apply_error",
    "blocked",
)
DEAD_LETTER_HEADERS = {  # what runtime.projection.delivery.park adds to the original's
    "dlq_reason": "why it was refused: one of " + ", ".join(DEAD_LETTER_REASONS),
    "dlq_error": "the error, at most 4,000 bytes",
    "dlq_projection": "the projection or reaction that refused it",
    "dlq_topic": "the topic it was read from",
    "dlq_partition": "its partition there",
    "dlq_offset": "its offset there",
}
DESCRIPTION = """
Every fact the Concierge suite records is published on one Kafka topic per context and
major version, `concierge.<context>.v1`, keyed by aggregate id. Events are CloudEvents in
binary mode: the value is the event's JSON, the attributes travel as headers. Delivery is
at least once and in order per aggregate; `ce_id` (`<aggregate id>:<version>`) is the
same for a re-published event, so consumers deduplicate on it (or keep the last version
per `ce_subject`). Within a topic version a change only adds optional fields or new event
types; anything else makes `.v2`. A deployment with `CONCIERGE_NAMESPACE` set prefixes
every topic with `<namespace>.`.

A message a projection or reaction cannot parse or apply is copied, with its headers and
`dlq_*` headers saying why, to the topic's dead-letter topic `<topic>.dlq`."""
DESCRIPTION = "\n\n".join(" ".join(part.split()) for part in DESCRIPTION.strip().split("\n\n"))


def document(schemas: Path = SCHEMA_DIR) -> dict[str, Any]:
    """The AsyncAPI document, its payloads the JSON Schemas committed in `schemas`."""
    spec = AsyncAPI(
        _broker(),
        title="Concierge events",
        version="1.0.0",
        description=DESCRIPTION,
        schema_version="3.0.0",
    ).to_specification()
    document = spec.to_jsonable()
    document["components"] = {"messages": {}, "schemas": {}}
    for topic, models in TOPIC_EVENTS.items():
        _describe_events(document, topic, models, schemas)
        _describe_dead_letters(document, topic)
    for part in (document["channels"], document["operations"], *document["components"].values()):
        ordered = dict(sorted(part.items()))  # faststream keeps no stable order
        part.clear()
        part.update(ordered)
    return document


def as_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def committed(path: Path = EXPORT) -> dict[str, Any] | None:
    if not path.exists():
        return None
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def _broker() -> KafkaBroker:
    """A broker that is never connected: one publisher per topic and dead-letter topic."""
    broker = KafkaBroker(LOCAL_BOOTSTRAP, description="the local stack; set your own")
    for topic, models in TOPIC_EVENTS.items():  # their messages are set below
        broker.publisher(
            topic,
            title=topic,
            description=f"Events of the {models[0].context} context, keyed by aggregate id.",
        )
        broker.publisher(
            topics.dead_letter(topic),
            title=topics.dead_letter(topic),
            description=f"Messages of `{topic}` a consumer refused, with why.",
        )
    return broker


def _describe_events(
    document: dict[str, Any], topic: str, models: tuple[Any, ...], schemas: Path
) -> None:
    messages = {}
    for model in models:
        name = model.event_type()
        document["components"]["schemas"][name] = committed_schema(name, schemas)
        document["components"]["messages"][name] = _message(model)
        messages[model.__name__] = {"$ref": f"#/components/messages/{name}"}
    _set_messages(document, topic, messages)


def _describe_dead_letters(document: dict[str, Any], topic: str) -> None:
    name = f"{topics.dead_letter(topic)}:DeadLetter"
    headers: dict[str, dict[str, Any]] = {name: {"type": "string", "description": why}
               for name, why in DEAD_LETTER_HEADERS.items()}  # fmt: skip
    headers["dlq_reason"]["enum"] = list(DEAD_LETTER_REASONS)
    document["components"]["messages"][name] = {
        "name": "DeadLetter",
        "title": f"A refused message of {topic}",
        "summary": "The original key, value and headers, and why it was refused.",
        "contentType": CONTENT_TYPE,
        "headers": {"type": "object", "required": list(headers), "properties": headers},
        "payload": {
            "description": f"The refused message's value, unchanged: for every reason but"
            f" `malformed` one of the events of {topic}."
        },
        "bindings": {"kafka": {"key": _key_schema(), "bindingVersion": KAFKA_BINDING}},
    }
    reference = {"DeadLetter": {"$ref": f"#/components/messages/{name}"}}
    _set_messages(document, topics.dead_letter(topic), reference)


def _set_messages(document: dict[str, Any], channel: str, messages: dict[str, Any]) -> None:
    """Replace faststream's one message per publisher by the channel's real messages."""
    document["channels"][channel]["messages"] = messages
    document["operations"][channel]["messages"] = [
        {"$ref": f"#/channels/{channel}/messages/{key}"} for key in messages
    ]


def _message(model: type[ContractEvent]) -> dict[str, Any]:
    name = model.event_type()
    payload = example_payload(model)
    subject = aggregate_id(model, payload)
    site = payload["site_id"]
    described = {"summary": " ".join(doc.split())} if (doc := model.__dict__.get("__doc__")) else {}
    return {
        "name": name,
        "title": model.__name__,
        **described,
        "contentType": CONTENT_TYPE,
        "correlationId": {"location": "$message.header#/correlation_id"},
        "headers": _headers_schema(model),
        "payload": {"$ref": f"#/components/schemas/{name}"},
        "bindings": {"kafka": {"key": _key_schema(), "bindingVersion": KAFKA_BINDING}},
        "examples": [
            {
                "name": model.__name__,
                "headers": {
                    "ce_specversion": SPEC_VERSION,
                    "ce_id": f"{subject}:3",
                    "ce_type": name,
                    "ce_source": f"/sites/{site}/{model.context}",
                    "ce_time": payload.get("occurred_at", "2033-03-14T09:30:00+08:00"),
                    "ce_subject": subject,
                    "site": site,
                    "correlation_id": EXAMPLE_CORRELATION,
                    "content-type": CONTENT_TYPE,
                },
                "payload": payload,
            }
        ],
    }


ENVELOPE_HEADERS = (  # every event carries them (`correlation_id` may be empty)
    "ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_subject", "site",
    "content-type",
)  # fmt: skip


def _headers_schema(model: type[ContractEvent]) -> dict[str, Any]:
    uuid = {"type": "string", "format": "uuid"}
    return {
        "type": "object",
        "required": list(ENVELOPE_HEADERS),
        "properties": {
            "ce_specversion": {"type": "string", "const": SPEC_VERSION},
            "ce_id": {
                "type": "string",
                "pattern": "^[0-9a-f-]{36}:[1-9][0-9]*$",
                "description": "`<aggregate id>:<version>`, the same when re-published",
            },
            "ce_type": {"type": "string", "const": model.event_type()},
            "ce_source": {
                "type": "string",
                "pattern": f"^/sites/[0-9a-f-]{{36}}/{model.context}$",
                "description": "`/sites/<site id>/<context>`",
            },
            "ce_time": {"type": "string", "format": "date-time"},
            "ce_subject": {**uuid, "description": "the aggregate id, also the Kafka key"},
            "site": {**uuid, "description": "the site, always the payload's `site_id`"},
            "correlation_id": {
                "type": "string",
                "description": "the request or flow it came from, across contexts",
            },
            "content-type": {"type": "string", "const": CONTENT_TYPE},
        },
    }


def _key_schema() -> dict[str, Any]:
    return {
        "type": "string",
        "format": "uuid",
        "description": "the aggregate id (`ce_subject`): one aggregate's events stay in order",
    }


def committed_schema(event_type: str, directory: Path = SCHEMA_DIR) -> dict[str, Any]:
    """The committed JSON Schema of an event type, as it sits under
    `components.schemas.<type>`: its `$defs` references re-pointed there, and its `$id`
    kept as `x-schema-id` (a relative `$id` would change what the references resolve to)."""
    schema = json.loads((directory / f"{event_type}.json").read_text())
    schema["x-schema-id"] = schema.pop("$id", event_type)
    schema["x-schema-file"] = f"contracts/schemas/{event_type}.json"
    return _repoint(schema, f"#/components/schemas/{event_type}/$defs/")


def payload_schema(document: dict[str, Any], message: str) -> dict[str, Any]:
    """A message's payload as a stand-alone JSON Schema again (`$defs` references and
    `$id` as in the committed file), to compare two documents' payloads."""
    payload = document["components"]["messages"][message]["payload"]
    reference = payload.get("$ref", "")
    if not reference.startswith("#/components/schemas/"):
        return dict(payload)
    name = reference.removeprefix("#/components/schemas/")
    schema = copy.deepcopy(document["components"]["schemas"][name])
    schema["$id"] = schema.pop("x-schema-id", name)
    schema.pop("x-schema-file", None)
    return _repoint(schema, "#/$defs/", f"#/components/schemas/{name}/$defs/")


def _repoint(spec: Any, base: str, old: str = "#/$defs/") -> Any:
    if isinstance(spec, dict):
        return {
            key: (base + value.removeprefix(old))
            if key == "$ref" and isinstance(value, str) and value.startswith(old)
            else _repoint(value, base, old)
            for key, value in spec.items()
        }
    if isinstance(spec, list):
        return [_repoint(item, base, old) for item in spec]
    return copy.deepcopy(spec)


if __name__ == "__main__":
    sys.stdout.write(as_yaml(document()))
