"""The gateway's gRPC client over two replicas of a service (real gRPC servers)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from contracts.methods import CallContext, Empty, Method
from runtime.errors import ServiceUnavailable
from runtime.rpc import RpcClient, RpcService, serve
from tests.infra import free_port


class Answer(BaseModel):
    replica: str


GET_READING = Method("probe", "GetReading", Empty, Answer, read=True)
RECORD_READING = Method("probe", "RecordReading", Empty, Answer)


class Replica:
    """A service replica that counts its calls and can be told to answer UNAVAILABLE."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls = 0
        self.unavailable = False
        self.rpc = RpcService("probe")
        self.rpc.implements(GET_READING)(self.answer)
        self.rpc.implements(RECORD_READING)(self.answer)

    async def answer(self, request: Empty, call: CallContext) -> Answer:
        self.calls += 1
        if self.unavailable:
            raise ServiceUnavailable(f"{self.name} is shutting down")
        return Answer(replica=self.name)


@pytest.fixture
async def replicas():  # type: ignore[no-untyped-def]
    port = free_port()
    a, b = Replica("a"), Replica("b")
    servers = [await serve(a.rpc, port, "127.0.0.1"), await serve(b.rpc, port, "127.0.0.2")]
    client = RpcClient(f"ipv4:127.0.0.1:{port},127.0.0.2:{port}", "probe", timeout=5)
    yield a, b, client, servers
    await client.close()
    for server in servers:
        await server.stop(0)


async def test_calls_are_spread_over_every_replica(replicas) -> None:  # type: ignore[no-untyped-def]
    a, b, client, _ = replicas
    answers = [await client(GET_READING, Empty()) for _ in range(10)]
    answers += [await client(RECORD_READING, Empty()) for _ in range(10)]
    assert {answer.replica for answer in answers} == {"a", "b"}
    assert a.calls >= 5 and b.calls >= 5


async def test_a_read_is_retried_on_another_replica_a_command_is_not(replicas) -> None:  # type: ignore[no-untyped-def]
    a, b, client, _ = replicas
    a.unavailable = True
    reads = [await client(GET_READING, Empty()) for _ in range(6)]
    assert all(read.replica == "b" for read in reads)

    a.calls = b.calls = 0
    refused = 0
    for _ in range(6):
        try:
            await client(RECORD_READING, Empty())
        except ServiceUnavailable:
            refused += 1
    # Every command that met the failing replica was tried there once and reported.
    assert refused == a.calls > 0 and b.calls == 6 - refused


async def test_reads_go_on_when_a_replica_is_gone(replicas) -> None:  # type: ignore[no-untyped-def]
    _, _, client, servers = replicas
    before = [await client(GET_READING, Empty()) for _ in range(4)]
    assert {read.replica for read in before} == {"a", "b"}
    await servers[0].stop(0)
    reads = [await client(GET_READING, Empty()) for _ in range(6)]
    assert all(read.replica == "b" for read in reads)


async def test_call_each_reaches_every_replica(replicas) -> None:  # type: ignore[no-untyped-def]
    _, _, client, _ = replicas
    answers = await client.call_each(GET_READING, Empty())
    assert sorted(answer.replica for answer in answers) == ["a", "b"]
