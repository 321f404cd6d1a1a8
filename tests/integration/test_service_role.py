"""A service on its own database role: it owns its schemas (events, read model, and the
shadow an online rebuild fills) and may create nothing else, as in deploy/compose (roles.sql) and deploy/k8s (CloudNativePG managed roles)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from runtime.rebuild import rebuild_online
from services.visitor.__main__ import spec
from services.visitor.application import VisitorSettings


def test_a_service_runs_on_a_role_owning_its_schemas_without_the_right_to_create_any(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}role_"
    role, password = f"{namespace}visitor", uuid4().hex
    schemas = [
        f"{namespace}visitor",
        f"{namespace}visitor_read",
        f"{namespace}visitor_read__rebuild",
    ]
    with psycopg.connect(infra.database_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)))  # fmt: skip
        for schema in schemas:
            admin.execute(sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(
                sql.Identifier(schema), sql.Identifier(role)))  # fmt: skip
    url = urlparse(infra.database_url)
    role_url = url._replace(netloc=f"{role}:{password}@{url.hostname}:{url.port}").geturl()
    try:
        with psycopg.connect(role_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE SCHEMA elsewhere")
        settings = VisitorSettings(database_url=role_url, kafka_bootstrap_servers=infra.kafka,
                                   concierge_namespace=namespace)  # fmt: skip
        service = spec(settings)
        service.make_app().close()  # the event store is set up in its own schema
        runner = service.read_model_runner()

        async def set_up_read_model_and_rebuild_it() -> None:
            await runner.connect()
            await runner.close()
            await rebuild_online(
                service.read_model, topics=[settings.topic(service.topic)],
                database_url=role_url, bootstrap_servers=infra.kafka, schema=service.read_schema,
            )  # fmt: skip

        asyncio.run(set_up_read_model_and_rebuild_it())
    finally:
        with psycopg.connect(infra.database_url, autocommit=True) as admin:
            for schema in schemas:
                admin.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
