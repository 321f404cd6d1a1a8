"""Paging the long lists (the work-order board, the mail register, the visitor log).

`?limit=` (1..500) and `?offset=` (0..) are the query fields of `contracts.methods.Page`,
forwarded to the service, which pages in its query's own order. A page shorter than
`limit` is the last one. Without a limit the list answers as it always has, and a CSV or
XLSX export is always the whole list.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from contracts.methods import Page

PageQuery = Annotated[Page, Query()]


def page_of(page: Page, fmt: str = "json") -> dict[str, Any]:
    """The page's fields for the service call; none for a download (the whole list)."""
    return page.model_dump() if fmt == "json" else {}
