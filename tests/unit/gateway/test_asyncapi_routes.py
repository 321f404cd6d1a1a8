"""The gateway serves the events' AsyncAPI document and its page, with no token and no
request to another host."""

from __future__ import annotations

import re

import yaml
from asyncapi_viewer import assets

from contracts import asyncapi


async def test_the_document_as_json_and_yaml(gateway) -> None:
    as_json = await gateway.get("/asyncapi.json")
    as_yaml = await gateway.get("/asyncapi.yaml")
    assert as_json.status_code == as_yaml.status_code == 200
    assert as_json.headers["content-type"] == "application/json"
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert as_json.json() == yaml.safe_load(as_yaml.text) == asyncapi.committed()


async def test_the_page_loads_only_the_gateways_own_assets(gateway) -> None:
    page = await gateway.get("/asyncapi")
    assert page.status_code == 200
    assert "<asyncapi-viewer" in page.text
    linked = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert linked and all(url.startswith("/") for url in linked), linked
    for url in linked:
        response = await gateway.get(url)
        assert response.status_code == 200, url
    script = await gateway.get(f"/asyncapi/assets/{assets.VIEWER_MODULE}")
    assert script.content == assets.static_path(assets.VIEWER_MODULE).read_bytes()


async def test_no_other_file_is_served_as_an_asset(gateway) -> None:
    for name in ("manifest.json", "..%2Fassets.py", "asyncapi-viewer.js.map"):
        response = await gateway.get(f"/asyncapi/assets/{name}")
        assert response.status_code == 404, name
