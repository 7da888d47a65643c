"""Everything the demo stands up: emulators, vault with credentials, DATEV login, mapping."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
from pydantic import SecretStr

from adapters.config_files import load_and_check
from adapters.datev.login import finish_login
from adapters.datev.oauth import begin_login
from adapters.datev.tokens import oauth_config
from adapters.kafka.admin import ensure_topics
from adapters.kafka.embedded import EmbeddedBroker, free_port
from adapters.vault import DatevCredentials, ProcoreCredentials, Vault, generate_key
from domain.chart import Chart
from domain.mapping import ClientMapping
from emulators.datev import EmulatedClient, run_datev_emulator
from emulators.datev.extf_check import ClientChart
from emulators.datev.server import DatevEmulator
from emulators.procore import run_procore_emulator
from emulators.procore.runner import ProcoreEmulator
from streams.config.datadir import PRIVATE_UMASK, ensure_data_dir
from streams.setup.proposal import ProposalInput, propose_mapping
from streams.topics import ALL_TOPICS

ADVISOR, CLIENT = 29098, 55003
WEBHOOK_SECRET = "demo-webhook-" + "x" * 8  # loopback only; a real setup uses a long random one


@dataclass
class DemoEnvironment:
    workdir: Path
    broker: EmbeddedBroker
    procore: ProcoreEmulator
    datev: DatevEmulator
    vault_key: SecretStr
    mapping_path: Path
    mapping: ClientMapping
    chart: Chart
    web_port: int

    def worker_env(self) -> dict[str, str]:
        """Environment for ``ml-connector worker`` pointing at the demo's services."""
        env = {
            "MLC_KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
            "MLC_DATA_DIR": str(self.workdir),
            "MLC_WEB_PORT": str(self.web_port),
            "MLC_LOG_LEVEL": "warn",
            "MLC_MAPPINGS": orjson.dumps([str(self.mapping_path)]).decode(),
            "MLC_VAULT__KEY": self.vault_key.get_secret_value(),
            "MLC_PROCORE__BASE_URL": self.procore.base_url,
            "MLC_PROCORE__AUTH_URL": self.procore.auth_url,
            "MLC_PROCORE__COMPANY_IDS": orjson.dumps([self.procore.company_id]).decode(),
            "MLC_PROCORE__WEBHOOK_SECRET": f"Bearer {WEBHOOK_SECRET}",
            "MLC_PROCORE__POLL_INTERVAL_S": "4",
            "MLC_DEMO_MODE": "true",  # status page without a password, on loopback only
        }
        for key, value in self.datev.settings_urls().items():
            env[f"MLC_DATEV__{key.upper()}"] = value
        return env


def _datev_client(chart: Chart, mapping: ClientMapping) -> EmulatedClient:
    """The emulated DATEV client knows the same accounts the user declared."""
    accounts = frozenset(str(a.number) for a in chart.accounts.values())
    automatic = frozenset(str(a.number) for a in chart.accounts.values() if a.is_automatic)
    return EmulatedClient(
        chart=ClientChart(
            consultant_number=mapping.client.advisor_number,
            client_number=mapping.client.client_number,
            account_length=mapping.client.account_length,
            skr=mapping.client.skr,
            accounts=accounts,
            automatic_accounts=automatic,
        ),
        name=mapping.client.name or "Demo",
    )


def _write_mapping(workdir: Path, emu: ProcoreEmulator, cadence: str) -> Path:
    state = emu.state
    company = emu.company_id
    projects = [
        (pid, str(state.projects[pid].data.get("name", pid))) for pid in emu.project_ids(company)
    ]
    text = propose_mapping(
        ProposalInput(
            advisor_number=ADVISOR,
            client_number=CLIENT,
            client_name=str(state.companies[company]["name"]),
            company_id=company,
            projects=projects,
            cost_type_codes=[t["code"] for t in state.line_item_types[company]],
            tax_codes=[t["code"] for t in state.tax_codes[company]],
            vendors=[(int(v.data["id"]), str(v.data["name"])) for v in state.vendors_of(company)],
            cadence=cadence,
        )
    )
    path = workdir / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def _login(vault: Vault, datev: DatevEmulator) -> None:
    """The tax advisor's one-time PKCE login, with the emulator auto-consenting."""
    urls = datev.settings_urls()
    config = oauth_config(vault, urls["authorize_url"], urls["token_url"])
    request = begin_login(config, "http://127.0.0.1:8788/callback")
    async with httpx.AsyncClient() as http:
        resp = await http.get(request.url, follow_redirects=False)
        await finish_login(http, config, vault, request, resp.headers["location"])


@asynccontextmanager
async def demo_environment(
    workdir: Path, size: str, cadence: str = "immediate"
) -> AsyncIterator[DemoEnvironment]:
    async with AsyncExitStack() as stack:
        # Like the CLI: what the demo writes (event store, vault, logs) is private to this user.
        stack.callback(os.umask, os.umask(PRIVATE_UMASK))
        ensure_data_dir(workdir)
        broker = EmbeddedBroker(workdir / "kafka").start()
        stack.callback(broker.stop)
        await ensure_topics(broker.bootstrap_servers, ALL_TOPICS)
        web_port = free_port()
        procore = await stack.enter_async_context(
            run_procore_emulator(
                seed=7,
                size=size,
                webhook_url=f"http://127.0.0.1:{web_port}/webhooks/procore",
                webhook_auth=f"Bearer {WEBHOOK_SECRET}",
                payload_version="v3.0",
            )
        )
        mapping_path = _write_mapping(workdir, procore, cadence)
        mapping, chart, problems = await asyncio.to_thread(load_and_check, mapping_path)
        if problems or mapping is None or chart is None:
            raise RuntimeError("demo mapping invalid: " + "; ".join(p.render() for p in problems))
        datev = await stack.enter_async_context(
            run_datev_emulator(clients=[_datev_client(chart, mapping)])
        )
        key = generate_key()
        vault = Vault.open(workdir, key, None)
        vault.set_procore(
            ProcoreCredentials(
                client_id=procore.client_id, client_secret=SecretStr(procore.client_secret)
            )
        )
        vault.set_datev(
            DatevCredentials(
                client_id=datev.oauth_client_id, client_secret=SecretStr(datev.oauth_client_secret)
            )
        )
        await _login(vault, datev)
        yield DemoEnvironment(
            workdir=workdir,
            broker=broker,
            procore=procore,
            datev=datev,
            vault_key=key,
            mapping_path=mapping_path,
            mapping=mapping,
            chart=chart,
            web_port=web_port,
        )
