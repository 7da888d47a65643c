"""One settings model for the whole service: environment variables (``MLC_*``) and a TOML file.

Precedence (highest first): constructor arguments, environment variables, the TOML file named by
``MLC_CONFIG`` (default ``./ml-connector.toml`` if it exists), defaults. Nested settings use ``__``
in environment variables, e.g. ``MLC_PROCORE__BASE_URL``.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings import SettingsError as SourceError

from streams.config.env_names import SecretFilesSource, SettingsError, unparsable_variable

__all__ = ["Settings", "SettingsError", "load_settings"]

LogLevel = Literal["debug", "info", "warn", "error"]
LogFormat = Literal["auto", "json", "text"]


class PostgresSettings(BaseModel):
    """PostgreSQL event store; used when ``dbname`` is set (``MLC_POSTGRES__DBNAME``)."""

    host: str = "127.0.0.1"
    port: int = Field(default=5432, ge=1, le=65535)
    dbname: str | None = None
    user: str = "postgres"
    password: SecretStr = SecretStr("")
    schema_name: str = "public"


class ProcoreSettings(BaseModel):
    """Where and how to reach Procore (or its emulator)."""

    auth_url: str = "https://login.procore.com"
    base_url: str = "https://api.procore.com"
    company_ids: list[int] = Field(default_factory=list)
    webhook_secret: SecretStr | None = None
    webhook_url: str | None = Field(
        default=None,
        description="public https URL Procore delivers webhooks to (…/webhooks/procore); "
        "`ml-connector doctor` checks the hooks point here",
    )
    per_page: int = Field(default=100, ge=1, le=100)
    timeout_s: float = Field(default=30.0, gt=0)
    client_id: str | None = None  # not secret; the client secret lives in the vault
    project_ids: list[int] = Field(
        default_factory=list, description="projects to poll; empty = every project listed"
    )
    poll_interval_s: float = Field(default=300.0, gt=0)
    deletion_check_s: float = Field(
        default=3600.0,
        gt=0,
        description="how often the poller lists every id to find records deleted in Procore "
        "(so deletions are found within the hour even while webhooks are down)",
    )
    sweep_at: str = Field(
        default="02:30",
        # ``reconcile_at`` is the old name of the same setting (kept readable).
        validation_alias=AliasChoices("sweep_at", "reconcile_at"),
        description="daily sweep (a full re-read of Procore), HH:MM",
    )

    @field_validator("sweep_at")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        hours, sep, minutes = value.strip().partition(":")
        ok = sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2
        if not ok or not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
            raise ValueError(f"{value!r} is not a time of day as HH:MM (e.g. 02:30)")
        return f"{int(hours):02d}:{minutes}"


class DatevSettings(BaseModel):
    """Where and how to reach DATEV (or its emulator)."""

    authorize_url: str = "https://login.datev.de/openid/authorize"
    token_url: str = "https://api.datev.de/token"
    extf_base_url: str = "https://accounting-extf-files.api.datev.de/platform/v3"
    documents_base_url: str = "https://accounting-documents.api.datev.de/platform/v2"
    clients_base_url: str = "https://accounting-clients.api.datev.de/platform/v2"
    dxso_base_url: str = "https://accounting-dxso-jobs.api.datev.de/platform/v2"
    redirect_port: int = Field(default=8788, ge=1, le=65535)
    # The redirect URI registered with DATEV (DATEV compares it exactly). Unset: the loopback
    # listener http://127.0.0.1:<redirect_port>/callback. An https URI is used with the
    # paste-back login: the browser lands there and the person pastes the URL back.
    redirect_uri: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    enable_windows_sso: bool = False  # authorize with enableWindowsSso=true ("Login mit DATEV")
    timeout_s: float = Field(default=30.0, gt=0)


class VaultSettings(BaseModel):
    """Encrypted credential vault: key from ``MLC_VAULT__KEY`` or a 0600 key file."""

    key: SecretStr | None = None
    key_file: Path | None = None
    encrypt_event_store: bool = False


class Settings(BaseSettings):
    """All settings of ml-connector."""

    model_config = SettingsConfigDict(
        env_prefix="MLC_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        description="comma-separated host:port list; empty = start the embedded broker",
    )
    kafka_session_timeout_s: float = Field(
        default=10.0,
        ge=2,
        le=300,
        description="consumer-group session: a worker that died without leaving the group "
        "hands its partitions to the next one after about this long",
    )
    data_dir: Path = Path("./var")
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=6066, ge=1, le=65535)
    log_level: LogLevel = "info"
    log_format: LogFormat = Field(
        default="auto",
        description="json lines, text (rich), or auto: text on a terminal, json otherwise",
    )
    status_token: SecretStr | None = Field(
        default=None,
        description="password for the status page and /metrics (header or login form)",
    )
    language: Literal["de", "en"] = Field(
        default="de",
        description="language of the status page, mapping editor, review and month-end report; "
        "each page also has a switch",
    )
    demo_mode: bool = Field(
        default=False,
        description="demo run: the status page needs no token while bound to loopback",
    )
    app_id: str = Field(default="ml-connector", pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")
    mappings: list[Path] = Field(
        default_factory=list,
        description="one mapping TOML file per DATEV client (see deploy/mapping.sample.toml)",
    )
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    procore: ProcoreSettings = Field(default_factory=ProcoreSettings)
    datev: DatevSettings = Field(default_factory=DatevSettings)
    vault: VaultSettings = Field(default_factory=VaultSettings)

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _servers(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        for part in value.split(","):
            host, sep, port = part.strip().rpartition(":")
            if not sep or not host or not port.isdigit():
                raise ValueError(f"{part.strip()!r} is not host:port")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = config_file()
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            env_settings,
            SecretFilesSource(settings_cls, os.environ),
        ]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    @property
    def embedded_kafka(self) -> bool:
        return self.kafka_bootstrap_servers is None

    @property
    def uses_postgres(self) -> bool:
        return self.postgres.dbname is not None


def config_file() -> Path | None:
    """The TOML settings file in effect, if any."""
    named = os.environ.get("MLC_CONFIG")
    if named:
        return Path(named)
    default = Path("ml-connector.toml")
    return default if default.exists() else None


def load_settings(**overrides: Any) -> Settings:
    """Load settings, turning validation errors into one readable message."""
    path = config_file()
    if path is not None and not path.exists():
        raise SettingsError(f"MLC_CONFIG points to {path}, which does not exist")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc, path)) from None
    except SourceError as exc:  # pydantic-settings could not parse an environment variable
        field = re.search(r'field "([^"]+)" from source "EnvSettingsSource"', str(exc))
        if field is None:
            raise SettingsError(f"cannot read settings: {exc}") from None
        raise SettingsError(unparsable_variable(Settings, os.environ, field[1])) from None
    except (OSError, ValueError) as exc:  # e.g. malformed TOML
        raise SettingsError(f"cannot read settings file {path}: {exc}") from None


def describe_validation_error(exc: ValidationError, path: Path | None) -> str:
    lines = ["invalid settings:"]
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        env_name = "MLC_" + "__".join(loc).upper()
        toml_name = ".".join(loc)
        value = err.get("input")
        shown = "" if isinstance(value, dict) or "secret" in toml_name else f" (got {value!r})"
        where = f"{env_name} or '{toml_name}' in {path}" if path else env_name
        if err["type"] == "extra_forbidden":
            hint = closest_key(loc)
            lines.append(f"  - {toml_name}: not a setting{hint}; rename or remove it in {path}")
            continue
        lines.append(f"  - {toml_name}: {err['msg']}{shown}; set {where}")
    return "\n".join(lines)


def closest_key(loc: list[str]) -> str:
    """``; did you mean 'web_port'?`` for a misspelt settings-file key, else ''."""
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        annotation = model.model_fields[part].annotation if part in model.model_fields else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ""
        model = annotation
    close = difflib.get_close_matches(loc[-1], list(model.model_fields), n=1, cutoff=0.6)
    return f" (did you mean '{'.'.join([*loc[:-1], close[0]])}'?)" if close else ""
