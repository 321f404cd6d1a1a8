"""The whole API under property-based testing: schemathesis against `/openapi.json`.

Schemathesis reads the gateway's OpenAPI document and sends what it describes (valid
requests, and requests that break it: wrong types, missing fields, values past their
bounds) to the real stack. Two checks must hold for every operation: no server error
(5xx), and no schema-violating request accepted (negative data is refused with a 4xx).
It runs twice: with a group-admin token (every site, random site ids) and with one
site's customer-service manager (the site pinned, so requests reach the services).

Bounded so the two runs add about 3 minutes on 2 cores: a fixed seed (a failure can be
replayed), at most `MAX_EXAMPLES` cases per operation and phase, `MAX_SECONDS` a run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import bearer, token

SITE = UUID("5a1e0000-0000-4000-8000-0000000005c7")
MAX_EXAMPLES = 10
MAX_SECONDS = 80
SEED = 20261201
CHECKS = "not_a_server_error,negative_data_rejection"
RUNS = {
    "group-admin": (Role.GROUP_ADMIN, None),
    "site-cs-manager": (Role.CS_MANAGER, SITE),
}


@pytest.mark.parametrize("who", list(RUNS))
def test_no_server_error_and_no_invalid_request_accepted(
    stack: Stack, tmp_path: Path, who: str
) -> None:
    role, site = RUNS[who]
    config = tmp_path / "schemathesis.toml"
    # A site token only reaches its own site: pin the path's site id to it.
    config.write_text(f'[parameters]\n"path.site_id" = "{site}"\n' if site else "")
    report = tmp_path / "report.json"
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config),
        "run", f"{stack.base_url}/openapi.json",
        "--header", f"Authorization: Bearer {token(role, [site] if site else [])}",
        "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES),
        "--max-time", str(MAX_SECONDS), "--seed", str(SEED), "--continue-on-failure",
        "--generation-database", "none", "--request-timeout", "30", "--no-color",
        "--report", "json", "--report-json-path", str(report),
    ]  # fmt: skip
    # Its cache goes to the working directory: keep it out of the repository.
    try:
        run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    finally:
        # It moves the business clock too (`/admin/clock` is an operation like any other):
        # give the tests after it the real time back.
        reset = httpx.post(f"{stack.base_url}/admin/clock", json={"reset": True},
                           headers=bearer(Role.GROUP_ADMIN, []), timeout=30)  # fmt: skip
        assert reset.status_code == 200, reset.text
    assert report.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(report.read_text())
    cases, operations = result["test_cases"], result["operations"]
    print(
        f"\nschemathesis ({who}, seed {SEED}): {operations['tested']}/{operations['total']} "
        f"operations, {cases['generated']} cases generated, {cases['with_failures']} with "
        f"failures ({cases['unique_failures']} unique), {len(result['errors'])} errors, "
        f"{result['running_time']:.0f} s; phases: "
        + ", ".join(f"{name} {phase['status']}" for name, phase in result["phases"].items())
    )
    for failure in result["failures"]:
        print(f"  {failure['code']} {failure['title']}: {failure['count']} in "
              f"{', '.join(failure['operations'])}")  # fmt: skip
    details = run.stdout[run.stdout.find("FAILURES") :][:6000]
    assert operations["tested"] == operations["total"] > 0
    assert cases["generated"] > 0
    assert result["failures"] == [], details
    assert result["errors"] == [], run.stdout[-3000:]
