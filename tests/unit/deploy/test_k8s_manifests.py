"""deploy/k8s validated offline: built-in kinds against Kubernetes' own schemas
(kubernetes-validate), operator kinds against the CRDs' schemas in deploy/k8s/crds,
strictly (an unknown field is an error, as with server-side field validation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from runtime.kafka import strimzi_topics
from runtime.settings import ServiceSettings
from tests.infra import ROOT

K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33.0"


def crd_directory() -> Path:
    """The operators' CRDs, vendored in deploy/k8s/crds (pinned, see its README), so the
    check runs offline on any checkout."""
    return K8S / "crds"


def manifests() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the CRD's openAPIV3Schema, for every served version."""
    schemas = {}
    for path in crd_directory().glob("*.yaml"):
        for crd in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if version.get("served"):
                    schema = version["schema"]["openAPIV3Schema"]
                    schemas[(f"{group}/{version['name']}", kind)] = strict(schema)
    return schemas


def strict(schema: Any) -> Any:
    """The schema with unknown fields refused wherever it lists the known ones."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: strict(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        schema["additionalProperties"] = False
    return schema


def with_metadata(schema: dict[str, Any]) -> dict[str, Any]:
    """CRD schemas leave `metadata` open; objects still need a name."""
    return {**schema, "required": sorted({*schema.get("required", []), "metadata"})}


MANIFESTS = manifests()
CRDS = crd_schemas()


@pytest.mark.parametrize(
    "manifest",
    [m for _, m in MANIFESTS],
    ids=[f"{f}:{m['kind']}/{m['metadata']['name']}" for f, m in MANIFESTS],
)
def test_manifest_is_valid(manifest: dict[str, Any]) -> None:
    assert manifest["metadata"].get("name"), "every object needs a name"
    assert manifest["metadata"].get("namespace") in (None, "concierge")
    key = (manifest["apiVersion"], manifest["kind"])
    if key in CRDS:
        jsonschema.validate(manifest, with_metadata(CRDS[key]))
    else:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_the_stack_has_what_the_deployment_promises() -> None:
    kinds = {(m["kind"], m["metadata"]["name"]) for _, m in MANIFESTS}
    services = ("visitor", "mail", "workorder", "billing", "feedback", "tenancy")
    for service in services:
        assert {("Deployment", service), ("Service", service), ("PodDisruptionBudget", service),
                ("Secret", f"concierge-db-{service}")} <= kinds  # fmt: skip
    assert {("Kafka", "concierge"), ("KafkaNodePool", "combined"), ("Cluster", "concierge-pg"),
            ("Pooler", "concierge-pooler-rw"), ("HorizontalPodAutoscaler", "gateway"),
            ("Deployment", "gateway"), ("NetworkPolicy", "default-deny-ingress")} <= kinds  # fmt: skip
    by_kind = {m["kind"]: m for _, m in MANIFESTS}
    assert by_kind["KafkaNodePool"]["spec"]["replicas"] == 3
    assert set(by_kind["KafkaNodePool"]["spec"]["roles"]) == {"controller", "broker"}
    assert by_kind["Cluster"]["spec"]["instances"] == 3
    assert by_kind["Pooler"]["spec"]["pgbouncer"]["poolMode"] == "session"  # LISTEN/NOTIFY
    assert by_kind["Kafka"]["spec"]["kafka"]["config"]["min.insync.replicas"] == 2
    deployments = [m for _, m in MANIFESTS if m["kind"] == "Deployment"]
    for deployment in deployments:
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert container["resources"]["requests"], deployment["metadata"]["name"]
            assert container["readinessProbe"] and container["livenessProbe"]
            if deployment["metadata"]["name"] in services:  # grpc.health.v1 on its gRPC port
                grpc = {p["containerPort"] for p in container["ports"] if p["name"] == "grpc"}
                assert container["readinessProbe"]["grpc"]["port"] in grpc


def test_the_gateway_gets_no_database_role() -> None:
    gateway = next(
        m for _, m in MANIFESTS if m["kind"] == "Deployment" and m["metadata"]["name"] == "gateway"
    )
    env = gateway["spec"]["template"]["spec"]["containers"][0]["env"]
    assert not any(e["name"] in ("DATABASE_URL", "DB_USER", "DB_PASSWORD") for e in env)


def test_each_service_role_owns_only_its_own_schemas() -> None:
    database = next(m for _, m in MANIFESTS if m["kind"] == "Database")
    owners = {s["name"]: s["owner"] for s in database["spec"]["schemas"]}
    assert owners == {f"{s}{suffix}": s for s in ("visitor", "mail", "workorder", "billing", "feedback", "tenancy")
                      for suffix in ("", "_read")}  # fmt: skip


def test_the_kafka_topics_are_the_declared_ones() -> None:
    settings = ServiceSettings(
        kafka_topic_partitions=12, kafka_replication_factor=3, kafka_min_insync_replicas=2
    )
    topics = [m for _, m in MANIFESTS if m["kind"] == "KafkaTopic"]
    assert topics == strimzi_topics(settings, "concierge", "concierge")


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
