from __future__ import annotations

from pathlib import Path

from adapters.kafka.admin import TopicDecl, ensure_topics, existing_partitions, partition_report
from adapters.kafka.clients import produce
from adapters.kafka.embedded import EmbeddedBroker
from streams.topics import ALL_TOPICS


async def test_declared_topics_are_created_with_their_partition_counts(tmp_path: Path) -> None:
    with EmbeddedBroker(tmp_path) as broker:
        created = await ensure_topics(broker.bootstrap_servers, ALL_TOPICS)
        assert sorted(created) == sorted(t.name for t in ALL_TOPICS)
        have = await existing_partitions(broker.bootstrap_servers)
        for decl in ALL_TOPICS:
            assert have[decl.name] == decl.partitions
        assert await ensure_topics(broker.bootstrap_servers, ALL_TOPICS) == []


async def test_partition_report_shows_end_offsets(kafka_broker: EmbeddedBroker) -> None:
    topic = TopicDecl("test.report", partitions=2)
    await ensure_topics(kafka_broker.bootstrap_servers, [topic])
    # Single-message batches: the embedded broker reports their end offsets exactly.
    for i in range(3):
        await produce(kafka_broker.bootstrap_servers, topic.name, [(b"k", f"v{i}".encode())])
    rows = await partition_report(kafka_broker.bootstrap_servers, [topic.name], "nobody")
    assert [r.partition for r in rows] == [0, 1]
    assert sum(r.end_offset or 0 for r in rows) == 3
    assert all(r.committed is None for r in rows)


def test_broker_stops_by_pid_and_leaves_no_process(tmp_path: Path) -> None:
    broker = EmbeddedBroker(tmp_path).start()
    pid = broker.pid
    assert pid is not None and Path(f"/proc/{pid}").exists()
    broker.stop()
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    assert not broker.pid_file.exists()


def test_stale_broker_from_a_crashed_run_is_reaped(tmp_path: Path) -> None:
    first = EmbeddedBroker(tmp_path, tie_to_parent=False).start()
    stale_pid = first.pid
    first._proc = None  # forget it, as a crashed parent would
    second = EmbeddedBroker(tmp_path).start()
    try:
        assert stale_pid is not None
        status = Path(f"/proc/{stale_pid}/status")
        assert not status.exists() or "zombie" in status.read_text()
    finally:
        second.stop()
