"""The end-of-run verdict: DATEV holds exactly what Procore approved, record by record.

Both sides are computed independently of the connector's own bookkeeping: Procore's side from the
emulator's records, DATEV's side from the booking rows the DATEV emulator accepted (each row
carries the record's ``Procore-ID`` in its Beleginfo). Gross amounts are turned back into net per
record and tax rate, exactly as :mod:`domain.reconciliation` does per project.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.chart import Chart
from domain.mapping import ClientMapping
from domain.money import ZERO, to_cents
from domain.reconciliation import gross_rates, procore_net, reconcile
from streams.demo.environment import DemoEnvironment
from streams.demo.run import BOOKED
from streams.ledger.application import Ledger
from streams.operator.actions import batch_rows, parked
from streams.stages.relay import OutboxRelay

OPEN_STATES = ("sealed", "submitted")


def procore_id(row: Mapping[str, str]) -> str:
    for pair in str(row.get("beleginfo", "")).split("|"):
        label, _, value = pair.partition("=")
        if label == "Procore-ID":
            return value
    return ""


def datev_net_by_record(
    rows: Iterable[Mapping[str, str]], mapping: ClientMapping, chart: Chart
) -> dict[str, Decimal]:
    """Net booked per Procore record (``company:project:resource:id``) from DATEV's rows."""
    rates = gross_rates(mapping)
    groups: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        amount = Decimal(row["amount"])
        sign = Decimal(-1) if row["sh"] == "S" else Decimal(1)
        if row.get("generalumkehr") in ("1", 1, True):
            sign = -sign
        rate = ZERO
        if row.get("bu"):
            bu = str(row["bu"])
            rate = rates.get(bu.lstrip("0") or "0", rates.get(bu, ZERO))
        else:
            account = chart.account(int(row["gegenkonto"]))
            if account is not None and account.is_automatic and account.automatic_rate:
                rate = account.automatic_rate
        groups[(procore_id(row), rate)] += sign * amount
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (key, rate), gross in groups.items():
        totals[key] += gross if rate == ZERO else to_cents(gross * 100 / (100 + rate))
    return dict(totals)


def approved(env: DemoEnvironment) -> dict[str, tuple[int, str, dict[str, Any]]]:
    """What Procore says should be in DATEV: approved records of the mapped company's projects.

    (``streams.demo.run.procore_approved`` does not filter by company; with two companies the
    demo's mapping also lists the second company's projects — see docs/reliability.md.)
    """
    company = env.procore.company_id
    statuses = {
        "requisition": set(env.mapping.booking.requisition_statuses),
        "direct_cost": set(env.mapping.booking.direct_cost_statuses),
    }
    out: dict[str, tuple[int, str, dict[str, Any]]] = {}
    for resource in BOOKED:
        for rid, row in env.procore.state.rows[resource].items():
            if row.company_id != company or row.project_id not in env.mapping.projects:
                continue
            if row.data.get("status") in statuses[resource]:
                out[f"{company}:{row.project_id}:{resource}:{rid}"] = (
                    row.project_id,
                    resource,
                    row.data,
                )
    return out


def procore_net_by_record(env: DemoEnvironment) -> dict[str, Decimal]:
    return {key: procore_net(res, data) for key, (_, res, data) in approved(env).items()}


@dataclass
class Verdict:
    """What the final state shows; ``problems`` is empty when everything holds."""

    approved_records: int = 0
    booking_rows: int = 0
    documents: int = 0
    batches: int = 0
    parked: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _documents_problems(env: DemoEnvironment, approved: Iterable[str]) -> tuple[int, list[str]]:
    docs = env.datev.state.documents(env.mapping.client_id)
    per_key = Counter(d.note.rsplit("(", 1)[-1].rstrip(")") for d in docs)
    by_name = Counter((d.filename, d.document_type) for d in docs)
    problems = [f"PDF of {k} uploaded {n} times" for k, n in per_key.items() if n > 1]
    problems += [f"{n} documents named {f!r}" for f, n in by_name.items() if n > 1]
    rows = {
        f"{r.company_id}:{r.project_id}:{res}:{rid}": r
        for res in BOOKED
        for rid, r in env.procore.state.rows[res].items()
    }
    for key in approved:
        row = rows.get(key)
        if row is not None and row.data.get("attachments") and per_key[key] != 1:
            problems.append(f"PDF of {key} uploaded {per_key[key]} times, expected once")
    return len(docs), problems


def verdict(env: DemoEnvironment, ledger: Ledger) -> Verdict:
    """DATEV vs Procore per record and per project; batches, PDFs, parking, relay."""
    out = Verdict()
    rows = env.datev.state.bookings(env.mapping.client_id)
    want = procore_net_by_record(env)
    have = datev_net_by_record(rows, env.mapping, env.chart)
    out.approved_records, out.booking_rows = len(want), len(rows)
    for key in sorted(set(want) | set(have)):
        expected, booked = want.get(key, ZERO), have.get(key, ZERO)
        if booked < expected:
            out.lost.append(f"{key}: Procore {expected}, DATEV {booked}")
        elif booked > expected:
            out.duplicated.append(f"{key}: Procore {expected}, DATEV {booked}")
    out.problems += [f"missing in DATEV: {x}" for x in out.lost]
    out.problems += [f"too much in DATEV: {x}" for x in out.duplicated]
    rec = reconcile(env.mapping, env.chart, approved(env).values(), rows)
    out.problems += [
        f"project {p.kost1}: Procore {p.procore} vs DATEV {p.datev}"
        for p in rec.projects
        if p.difference != ZERO
    ]
    out.documents, doc_problems = _documents_problems(env, want)
    out.problems += doc_problems
    batches = batch_rows(ledger)
    out.batches = len(batches)
    out.problems += [
        f"batch {b.batch_id} left {b.state}" for b in batches if b.state in OPEN_STATES
    ]
    stuck = parked(ledger)
    out.parked = len(stuck)
    out.problems += [
        f"{d.key} parked without a reason"
        for d in stuck
        if d.decision == "parked" and not (d.reason or "").strip()
    ]
    relay_at = OutboxRelay(ledger).position()
    last = ledger.recorder.max_notification_id() or 0
    if relay_at < last:
        out.problems.append(f"outbox relay at {relay_at}, event store at {last}")
    return out


def summary(v: Verdict) -> dict[str, Any]:
    return {
        "approved_records": v.approved_records,
        "booking_rows": v.booking_rows,
        "documents": v.documents,
        "batches": v.batches,
        "parked": v.parked,
        "lost": len(v.lost),
        "duplicates": len(v.duplicated),
    }
