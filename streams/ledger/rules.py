"""The booking rules in force: every DATEV client's mapping with its declared chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from adapters.config_files import load_and_check
from domain.cadence import Cadence, parse_cadence
from domain.changes import RecordRef
from domain.chart import Chart
from domain.mapping import ClientMapping
from domain.planning import route
from domain.procore.needs import ReadNeeds
from streams.errors import ConnectorError


@dataclass(frozen=True)
class ClientRules:
    mapping: ClientMapping
    chart: Chart
    source: str

    @property
    def client_id(self) -> str:
        return self.mapping.client_id

    @property
    def cadence(self) -> Cadence:
        return parse_cadence(self.mapping.schedule.cadence)


class BookingRules:
    """Routes records to clients. Shared by every stage; :meth:`reload` swaps the mappings in
    place (the mapping editor), so the next decision uses them without a worker restart."""

    def __init__(self, clients: Sequence[ClientRules]) -> None:
        self.clients = {c.client_id: c for c in clients}
        if len(self.clients) != len(clients):
            raise ConnectorError("two mapping files name the same DATEV client (advisor-client)")

    def read_needs(self) -> ReadNeeds:
        """What the fetch stage must read whole for these clients (their bookable statuses)."""
        return ReadNeeds.of(c.mapping.booking for c in self.clients.values())

    def reload(self, fresh: BookingRules) -> None:
        """Take over ``fresh``'s clients (one reference swap: readers see old or new)."""
        self.clients = fresh.clients

    def route(self, ref: RecordRef) -> ClientRules | str:
        found = route([c.mapping for c in self.clients.values()], ref)
        if isinstance(found, str):
            return found
        return self.clients[found.client_id]

    def client(self, client_id: str) -> ClientRules:
        try:
            return self.clients[client_id]
        except KeyError:
            known = ", ".join(sorted(self.clients)) or "none"
            raise ConnectorError(
                f"no mapping for DATEV client {client_id!r} (configured: {known})"
            ) from None


def load_rules(paths: Sequence[Path]) -> BookingRules:
    """Load and check every mapping file; refuse with every problem listed."""
    clients: list[ClientRules] = []
    messages: list[str] = []
    for path in paths:
        if not path.exists():
            messages.append(f"{path}: mapping file not found (setting `mappings` / MLC_MAPPINGS)")
            continue
        mapping, chart, problems = load_and_check(path)
        if problems:
            messages.extend(p.render() for p in problems)
        elif mapping is not None and chart is not None:
            clients.append(ClientRules(mapping=mapping, chart=chart, source=str(path)))
    if messages:
        raise ConnectorError(
            "the mapping is invalid; fix these and run `ml-connector mapping check`:\n"
            + "\n".join(messages)
        )
    return BookingRules(clients)
