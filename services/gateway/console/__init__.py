"""The staff console: the reference web client of the gateway.

Sign-in (demo users locally, the group's OpenID Connect provider in production) opens a
cookie session that maps to the same `Principal` a bearer token does, so every site and
role check stays the one in `services.gateway.security`. The pages are static files
(HTML, CSS, ES modules, the vendored ECharts) that read the API with that cookie; the
navigation, the live boards and the catalogs are served here.
"""
