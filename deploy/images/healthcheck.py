"""Container health check of the Concierge image (standard library only, cheap).

HEALTHCHECK_TARGET names what to probe: `tcp:<port>` (a service's gRPC port accepts
connections: the process lives; its readiness, NOT_SERVING while its database is away, is
the grpc.health.v1 service that Kubernetes' readiness probes ask) or an `http://` URL that
must answer 200 (the gateway's /healthz). Exit 0 healthy, 1 not.
"""

import os
import socket
import sys
import urllib.request

target = os.environ.get("HEALTHCHECK_TARGET", "")
try:
    if target.startswith("tcp:"):
        with socket.create_connection(("127.0.0.1", int(target[4:])), timeout=2):
            pass
    elif target.startswith("http://"):
        with urllib.request.urlopen(target, timeout=2) as response:  # noqa: S310
            sys.exit(0 if response.status == 200 else 1)
except OSError as exc:
    print(f"unhealthy: {target}: {exc}", file=sys.stderr)
    sys.exit(1)
