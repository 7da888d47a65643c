"""Live Procore changes for the crash and soak runs: approvals, edits after posting, deletes."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from decimal import Decimal

from emulators.procore.data import Resource
from streams.demo.environment import DemoEnvironment


class Mutator:
    """Seeded random changes to mapped records, through the emulator (so webhooks fire)."""

    def __init__(self, env: DemoEnvironment, rng: random.Random) -> None:
        self.env = env
        self.rng = rng
        self.done: Counter[str] = Counter()
        self.approved_dc = set(env.mapping.booking.direct_cost_statuses)

    def _ids(self, resource: Resource, statuses: set[str] | str) -> list[int]:
        wanted = {statuses} if isinstance(statuses, str) else statuses
        return sorted(
            int(rid)
            for rid, row in self.env.procore.state.rows[resource].items()
            if row.company_id == self.env.procore.company_id
            and row.project_id in self.env.mapping.projects
            and row.data.get("status") in wanted
        )

    def step(self) -> str | None:
        """One random change; returns its name (None when nothing was left to change)."""
        procore = self.env.procore
        action = self.rng.choices(
            ["approve_requisition", "approve_direct_cost", "edit_direct_cost", "delete"],
            weights=[3, 3, 3, 1],
        )[0]
        if action == "approve_requisition":
            ids = self._ids("requisition", "under_review")
            if ids:
                procore.approve_requisition(self.rng.choice(ids))
        elif action == "approve_direct_cost":
            ids = self._ids("direct_cost", "pending")
            if ids:
                procore.update("direct_cost", self.rng.choice(ids), status="approved")
        elif action == "edit_direct_cost":
            ids = self._ids("direct_cost", self.approved_dc)
            if ids:
                amount = Decimal(self.rng.randint(1_000, 2_500_000)) / 100
                procore.edit_direct_cost(self.rng.choice(ids), amount)
        else:
            ids = self._ids("direct_cost", self.approved_dc)
            if len(ids) > 3:
                procore.delete("direct_cost", self.rng.choice(ids))
        if not ids:
            return None
        self.done[action] += 1
        return action

    async def run(self, count: int, every_s: float) -> None:
        for _ in range(count * 3):  # bounded even when candidates run out
            if sum(self.done.values()) >= count:
                return
            self.step()
            await asyncio.sleep(every_s)
