from __future__ import annotations

import copy

from contracts.schema_check import check, committed_schemas, current_schemas, incompatibilities


def test_committed_schemas_match_the_models() -> None:
    assert check() == []


def test_every_contract_is_closed() -> None:
    for event_type, schema in current_schemas().items():
        assert schema["additionalProperties"] is False, event_type


def _sample() -> dict:
    return copy.deepcopy(committed_schemas()["concierge.visitor.VisitorCheckedIn.v1"])


def test_removing_a_field_is_a_break() -> None:
    old, new = _sample(), _sample()
    del new["properties"]["host_unit"]
    new["required"].remove("host_unit")
    assert any("host_unit: field removed" in p for p in incompatibilities(old, new))


def test_retyping_a_field_is_a_break() -> None:
    old, new = _sample(), _sample()
    new["properties"]["party_size"] = {"type": "string"}
    assert any("party_size: type changed" in p for p in incompatibilities(old, new))


def test_adding_a_required_field_is_a_break() -> None:
    old, new = _sample(), _sample()
    new["properties"]["badge"] = {"type": "string"}
    new["required"].append("badge")
    assert any("badge: new required field" in p for p in incompatibilities(old, new))


def test_making_a_required_field_optional_is_a_break() -> None:
    old, new = _sample(), _sample()
    new["required"].remove("host_name")
    assert any("host_name: required field made optional" in p for p in incompatibilities(old, new))


def test_removing_an_event_type_is_a_break() -> None:
    assert incompatibilities(_sample(), None) != []


def test_adding_an_optional_field_is_compatible() -> None:
    old, new = _sample(), _sample()
    new["properties"]["badge"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert incompatibilities(old, new) == []
