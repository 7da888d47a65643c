"""A faust Kafka transport whose consumer waits at most ``FETCH_MAX_WAIT_MS`` per fetch.

faust's aiokafka driver creates its worker consumer with ``fetch_max_wait_ms=1500`` and offers no
setting for it. A broker that answers a fetch only when that wait expires (the embedded broker
does) then adds up to 1.5 s to every hop. This transport is faust's own driver with one change:
the consumer it builds asks for ``FETCH_MAX_WAIT_MS``. It is registered under the URL scheme
``mlc-kafka`` in faust's transport registry and selected through faust's ``broker_consumer``
setting (see :func:`consumer_urls`); producers keep the stock ``kafka://`` transport. On real
Kafka (``fetch_min_bytes=1``) a fetch returns as soon as data is there, so the only cost of a
shorter wait is a few more empty fetches per second while idle.
"""

from __future__ import annotations

from typing import Any

from faust.transport import drivers
from faust.transport.drivers import aiokafka as faust_aiokafka

SCHEME = "mlc-kafka"
FETCH_MAX_WAIT_MS = 100


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):  # type: ignore[misc]
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # Read by AIOKafkaConsumer.start() when it builds its fetcher (not started yet here).
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class Consumer(faust_aiokafka.Consumer):  # type: ignore[misc]
    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(faust_aiokafka.Transport):  # type: ignore[misc]
    Consumer = Consumer


drivers.TRANSPORTS.aliases[SCHEME] = f"{__name__}:Transport"


def consumer_urls(bootstrap_servers: str) -> str:
    """faust ``broker_consumer`` value for comma-separated ``host:port`` servers."""
    return ";".join(f"{SCHEME}://{s.strip()}" for s in bootstrap_servers.split(","))
