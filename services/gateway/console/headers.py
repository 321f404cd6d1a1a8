"""Security headers on every console page and asset.

The console's policy allows nothing but the gateway itself: no inline script, no inline
style or style attribute, no frame around it (clickjacking), no referrer to leave with a
link, no content sniffing. Its pages load every asset from `/console/static` (ECharts
included), so they work with the network off.
"""

from __future__ import annotations

PREFIX = "/console"
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def covers(path: str) -> bool:
    """Whether `path` is one of the console's pages, assets or answers."""
    return path == PREFIX or path.startswith(f"{PREFIX}/")
