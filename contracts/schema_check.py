"""Export the contract JSON Schemas and the AsyncAPI document, and refuse
backward-incompatible changes.

    python -m contracts.schema_check export   # write contracts/schemas/*.json and
                                              # contracts/asyncapi.yaml
    python -m contracts.schema_check check    # exit 1 on a break or a stale export

Published events are read by BI and other contexts from the whole topic history, so
within a topic version a change may only add optional fields or new event types.
Removing or retyping a field, adding a required one, or making a required field
optional needs a new topic version (`.v2`). The same holds for the AsyncAPI document
(`contracts.asyncapi`): no channel or message may go, and no payload may change
incompatibly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from contracts.base import ContractEvent
from contracts.registry import BY_TYPE

SCHEMA_DIR = Path(__file__).parent / "schemas"


def schema_of(model: type[ContractEvent]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    schema["$id"] = model.event_type()
    return schema


def current_schemas() -> dict[str, dict[str, Any]]:
    return {event_type: schema_of(model) for event_type, model in sorted(BY_TYPE.items())}


def committed_schemas(directory: Path = SCHEMA_DIR) -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def incompatibilities(old: dict[str, Any], new: dict[str, Any] | None) -> list[str]:
    """What in `new` would break a consumer written against `old` (empty if nothing)."""
    name = old.get("$id", old.get("title", "?"))
    if new is None:
        return [f"{name}: event type removed"]
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
    for field, spec in old_props.items():
        if field not in new_props:
            problems.append(f"{name}.{field}: field removed")
        elif _resolve(spec, old) != _resolve(new_props[field], new):
            problems.append(f"{name}.{field}: type changed")
    for field in sorted(old_req - new_req):
        if field in new_props:
            problems.append(f"{name}.{field}: required field made optional")
    for field in sorted(new_req - old_req):
        problems.append(f"{name}.{field}: new required field (old events lack it)")
    if old.get("additionalProperties") is False and new.get("additionalProperties") is not False:
        problems.append(f"{name}: model no longer closed")
    return problems


def _resolve(spec: Any, root: dict[str, Any]) -> Any:
    """Inline local `$ref`s so two schemas compare by meaning, not by layout."""
    if isinstance(spec, dict):
        if "$ref" in spec and spec["$ref"].startswith("#/$defs/"):
            return _resolve(root["$defs"][spec["$ref"].split("/")[-1]], root)
        return {k: _resolve(v, root) for k, v in spec.items() if k not in ("title", "description")}
    if isinstance(spec, list):
        return [_resolve(item, root) for item in spec]
    return spec


def asyncapi_incompatibilities(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What in the AsyncAPI document `new` would break a consumer written against `old`:
    a channel or a channel's message removed, a message's payload changed incompatibly."""
    from contracts.asyncapi import payload_schema

    problems = []
    for channel, spec in old["channels"].items():
        kept = new["channels"].get(channel)
        if kept is None:
            problems.append(f"AsyncAPI channel {channel}: removed")
            continue
        for message in sorted(set(spec.get("messages", {})) - set(kept.get("messages", {}))):
            problems.append(f"AsyncAPI channel {channel}: message {message} removed")
    new_messages = new["components"]["messages"]
    for message in old["components"]["messages"]:
        if message in new_messages:
            before, after = payload_schema(old, message), payload_schema(new, message)
            problems += [f"AsyncAPI message {message} payload: {p}"
                         for p in incompatibilities(before, after)]  # fmt: skip
    return problems


def asyncapi_export(directory: Path) -> Path:
    """Where the AsyncAPI document sits: beside the schemas' directory."""
    return directory.parent / "asyncapi.yaml"


def check_asyncapi(directory: Path = SCHEMA_DIR) -> list[str]:
    from contracts import asyncapi

    current = asyncapi.document(directory)
    committed = asyncapi.committed(asyncapi_export(directory))
    if committed is None:
        return ["contracts/asyncapi.yaml is missing; run `make schemas`"]
    problems = asyncapi_incompatibilities(committed, current)
    if committed != current:
        problems.append("contracts/asyncapi.yaml is stale; run `make schemas`")
    return problems


def check(directory: Path = SCHEMA_DIR) -> list[str]:
    current, committed = current_schemas(), committed_schemas(directory)
    problems = []
    for event_type, old in committed.items():
        problems += incompatibilities(old, current.get(event_type))
    for event_type, new in current.items():
        if committed.get(event_type) != new:
            problems.append(f"{event_type}: exported schema is stale; run `make schemas`")
    if not any("stale" in p for p in problems):  # the document embeds the schemas
        problems += check_asyncapi(directory)
    return problems


def export(directory: Path = SCHEMA_DIR) -> None:
    """Write the JSON Schemas, then the AsyncAPI document that embeds them."""
    from contracts import asyncapi

    directory.mkdir(parents=True, exist_ok=True)
    for event_type, schema in current_schemas().items():
        (directory / f"{event_type}.json").write_text(json.dumps(schema, indent=2) + "\n")
    asyncapi_export(directory).write_text(asyncapi.as_yaml(asyncapi.document(directory)))


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "export":
        breaks = [p for p in check() if "stale" not in p and "missing" not in p]
        if breaks and "--force" not in argv:
            print("\n".join(["refusing to export backward-incompatible changes:", *breaks]))
            return 1
        export()
        return 0
    problems = check()
    fine = f"{len(current_schemas())} schemas and the AsyncAPI document compatible"
    print("\n".join(problems) if problems else fine)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
