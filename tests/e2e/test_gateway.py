"""The gateway as a process: who it lets in, and when it refuses to run at all."""

from __future__ import annotations

import os
import subprocess
import sys
from uuid import uuid4

import httpx
import pytest

from runtime.auth import Role, mint
from tests.conftest import Infra, Stack
from tests.helpers import CONFIG, bearer
from tests.infra import ROOT, free_port

SITE = uuid4()
GROUP_ROLL_UPS = ["/group/billing/arrears", "/group/complaint-statistics"]


def test_the_gateway_refuses_to_start_with_the_built_in_secret(infra: Infra) -> None:
    env = {**os.environ, **infra.env(GATEWAY_PORT=str(free_port()))}
    del env["JWT_ALLOW_DEV_SECRET"]
    env.pop("JWT_SECRET", None)
    gateway = subprocess.run([sys.executable, "-m", "services.gateway"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert gateway.returncode != 0
    assert "refuses to start" in gateway.stderr and "JWT_ALLOW_DEV_SECRET" in gateway.stderr


@pytest.mark.parametrize("path", GROUP_ROLL_UPS)
def test_group_roll_ups_need_a_group_wide_token(stack: Stack, path: str) -> None:
    url = f"{stack.base_url}{path}"
    assert httpx.get(url, headers=bearer(Role.BI, [SITE]), timeout=30).status_code == 403
    group_bi = mint(CONFIG, subject="bi", role=Role.BI, sites=[], group_scope=True)
    for headers in ({"Authorization": f"Bearer {group_bi}"}, bearer(Role.GROUP_ADMIN, [])):
        response = httpx.get(url, headers=headers, timeout=30)
        assert response.status_code == 200, response.text


def test_a_group_bi_token_reads_any_site_but_changes_nothing(stack: Stack) -> None:
    group_bi = {"Authorization": "Bearer " + mint(CONFIG, subject="bi", role=Role.BI, sites=[],
                                                  group_scope=True)}  # fmt: skip
    base = f"{stack.base_url}/sites/{uuid4()}"
    assert httpx.get(f"{base}/in-building", headers=group_bi, timeout=30).status_code == 200
    walk_in = {"visitor_name": "Zhang San", "host_unit": "8B", "host_name": "Wang Wu",
               "purpose": "interview"}  # fmt: skip
    response = httpx.post(f"{base}/visits", json=walk_in, headers=group_bi, timeout=30)
    assert response.status_code == 403
