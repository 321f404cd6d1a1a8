"""The AsyncAPI document of the published topics (`contracts.asyncapi`) for BI and the
other consumers of Concierge's events: a page at `/asyncapi`, the document at
`/asyncapi.json` and `/asyncapi.yaml`.

The page works with no network: its viewer (the `<asyncapi-viewer>` web component, an
AsyncAPI 2/3 renderer) ships built inside the `asyncapi-viewer` wheel from PyPI and is
served from here, under `/asyncapi/assets/`, with its integrity hashes. Like
`/openapi.json`, none of it needs a token: it describes the topics, not their data.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape

from asyncapi_viewer import assets
from fastapi import APIRouter, Response
from fastapi.responses import FileResponse, HTMLResponse

from contracts import asyncapi
from runtime.errors import NotFound

router = APIRouter(include_in_schema=False)
ASSETS = "/asyncapi/assets"


@lru_cache(maxsize=1)
def _document() -> tuple[str, str]:
    """The document as JSON and as YAML, generated once per process."""
    document = asyncapi.document()
    return json.dumps(document, indent=2), asyncapi.as_yaml(document)


@lru_cache(maxsize=1)
def page() -> str:
    loader = assets.viewer_loader_html(
        js_url=f"{ASSETS}/{assets.VIEWER_MODULE}",
        theme_url=f"{ASSETS}/{assets.VIEWER_THEME}",
        js_integrity=assets.integrity(assets.VIEWER_MODULE),
        theme_integrity=assets.integrity(assets.VIEWER_THEME),
    )
    title = escape(f"{asyncapi.document()['info']['title']}: AsyncAPI")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{loader}
<style>body {{ margin: 0; font-family: system-ui, sans-serif; }}
header {{ padding: .5rem 1rem; font-size: .9rem; }}</style>
</head>
<body>
<header>Concierge events: <a href="/asyncapi.yaml">asyncapi.yaml</a> ·
<a href="/asyncapi.json">asyncapi.json</a></header>
<asyncapi-viewer src="/asyncapi.json" sidebar></asyncapi-viewer>
</body>
</html>
"""


@router.get("/asyncapi")
async def asyncapi_page() -> HTMLResponse:
    return HTMLResponse(page())


@router.get("/asyncapi.json")
async def asyncapi_json() -> Response:
    return Response(_document()[0], media_type="application/json")


@router.get("/asyncapi.yaml")
async def asyncapi_yaml() -> Response:
    return Response(_document()[1], media_type="application/yaml")


@router.get(ASSETS + "/{name}")
async def viewer_asset(name: str) -> FileResponse:
    """The viewer's own files, from the installed package; nothing else."""
    if name not in assets.VIEWER_FILES:
        raise NotFound("no such asset")
    kind = "text/css" if name.endswith(".css") else "text/javascript"
    return FileResponse(assets.static_path(name), media_type=kind)
