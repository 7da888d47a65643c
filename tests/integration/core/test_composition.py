"""The composition root builds the parts once; the status page and the worker share them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from adapters.vault import DatevCredentials, Vault, generate_key
from emulators.procore.data import generate
from streams.bootstrap import Seams, build_parts
from streams.config.settings import Settings
from streams.demo.environment import _write_mapping
from streams.operator.status.routes import status_context
from tests.support.fakes import FakeEmulator, ManualClock


def test_status_page_sees_the_submit_stages_datev_gateway(
    sqlite_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    state = generate(seed=7, size="small", clock=ManualClock())
    mapping = _write_mapping(tmp_path, FakeEmulator(state), "daily 18:00")  # type: ignore[arg-type]
    vault = Vault.open(tmp_path, generate_key(), None)
    vault.set_datev(DatevCredentials(client_id="c", client_secret=SecretStr("s")))
    noon = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    parts = build_parts(sqlite_settings(mappings=[mapping]), Seams(vault=vault, now=lambda: noon))
    assert set(parts.stages) == {"seal", "submit"}  # no Procore credentials: no documents stage
    assert parts.submit is not None and parts.seal is not None
    ctx = status_context(parts)
    assert ctx.gateway is parts.gateway is parts.submit.gateway
    assert ctx.vault is vault
    assert parts.seal.now() == noon  # the clock seam reaches the cadence


def test_without_mapping_or_vault_only_the_ledger_is_built(
    sqlite_settings: Callable[..., Settings],
) -> None:
    parts = build_parts(sqlite_settings())
    assert parts.stages == {} and parts.vault is None and parts.gateway is None
    assert status_context(parts).ledger is parts.ledger
