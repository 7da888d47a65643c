"""Procore webhook deliveries: payload models (v2.0/v3.0 and v4.0) and the parser to changes.

Procore delivers one event per POST; a JSON list of events or ``{"events": [...]}`` is accepted
too (bounded by the receiver). Each event becomes a :class:`ProcoreChange` (source ``webhook``)
or an :class:`IgnoredEvent` for resources the connector does not book. A line-item event is a
change of its parent: v3.0 names the parent in ``related_resources``; v2.0 and v4.0 do not, so
such an event becomes a ``*_line_item`` change that the fetch stage resolves to its parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.changes import ChangeAction, CommitmentKind, ProcoreChange, RecordRef, ResourceKind


class WebhookPayloadError(ValueError):
    """The delivery is not a Procore webhook payload; the message names the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"webhook payload field {field!r}: {problem}")


class RelatedResource(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    name: str


class EventMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    source_user_id: int | str | None = None
    source_company_id: int | str | None = None
    source_project_id: int | str | None = None
    source_application_id: int | str | None = None
    source_operation_id: int | str | None = None


class WebhookEventV3(BaseModel):
    """Payload v2.0 and v3.0 (v3 adds ``related_resources``): integer ids."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    ulid: str | None = None
    timestamp: datetime
    event_type: str
    resource_name: str
    resource_id: int
    company_id: int | None = None
    project_id: int | None = None
    user_id: int | None = None
    api_version: str | None = None
    metadata: EventMetadata | None = None
    related_resources: list[RelatedResource] = Field(default_factory=list)

    @property
    def event_id(self) -> str:
        return self.ulid or str(self.id)


class WebhookEventV4(BaseModel):
    """Payload v4.0: ULID ``id``, ``reason``, ``resource_type`` and string ids."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1)
    timestamp: datetime
    reason: str
    resource_type: str
    resource_id: int  # sent as a string; pydantic coerces digit strings
    company_id: int | None = None
    project_id: int | None = None
    user_id: int | None = None
    api_version: str | None = None
    metadata: EventMetadata | None = None
    related_resources: list[RelatedResource] = Field(default_factory=list)

    @property
    def event_id(self) -> str:
        return self.id


WebhookEvent = WebhookEventV3 | WebhookEventV4


@dataclass(frozen=True)
class ResourceRoute:
    """How one Procore resource name maps onto our records."""

    kind: ResourceKind
    commitment_kind: CommitmentKind | None = None
    parent_names: tuple[str, ...] | None = None  # set for line items: their parent's names
    line_item_kind: ResourceKind | None = None  # the change to publish when no parent is named


_PO: CommitmentKind = "purchase_order_contract"
_WO: CommitmentKind = "work_order_contract"
_RESOURCES: dict[str, ResourceRoute] = {
    "requisitions": ResourceRoute("requisition"),
    "subcontractor invoices": ResourceRoute("requisition"),
    "direct costs": ResourceRoute("direct_cost"),
    "direct cost line items": ResourceRoute(
        "direct_cost", None, ("direct costs",), "direct_cost_line_item"
    ),
    "purchase order contracts": ResourceRoute("commitment", _PO),
    "purchase order contract line items": ResourceRoute(
        "commitment", _PO, ("purchase order contracts",), "commitment_line_item"
    ),
    "work order contracts": ResourceRoute("commitment", _WO),
    "work order contract line items": ResourceRoute(
        "commitment", _WO, ("work order contracts",), "commitment_line_item"
    ),
    "company vendors": ResourceRoute("vendor"),
    "project vendors": ResourceRoute("vendor"),
}
_COMPANY_LEVEL: frozenset[ResourceKind] = frozenset({"vendor"})


class IgnoredEvent(BaseModel):
    """An event the connector does not act on, with the reason (for logs/metrics)."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    resource_name: str
    reason: str


class ParsedDelivery(BaseModel):
    model_config = ConfigDict(frozen=True)

    changes: list[ProcoreChange]
    ignored: list[IgnoredEvent]


def _action(value: str) -> ChangeAction:
    lowered = value.strip().lower()
    if lowered in ("create", "update", "delete"):
        return lowered  # type: ignore[return-value]
    # v4 ``reason`` may carry more values (e.g. restore): re-reading the record is always safe.
    return "update"


def parse_event(raw: Any) -> WebhookEvent:
    """Validate one event dict as v4.0 (``resource_type``) or v2.0/v3.0 (``resource_name``)."""
    if not isinstance(raw, dict):
        raise WebhookPayloadError("event", f"expected a JSON object, got {type(raw).__name__}")
    model: type[WebhookEventV3] | type[WebhookEventV4]
    model = WebhookEventV4 if "resource_type" in raw or "reason" in raw else WebhookEventV3
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "event"
        raise WebhookPayloadError(field, first["msg"]) from None


def _events(body: Any) -> list[Any]:
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and "events" in body:
        events = body["events"]
        if not isinstance(events, list):
            raise WebhookPayloadError("events", "expected a JSON array")
        return events
    return [body]


def to_change(event: WebhookEvent, observed_at: datetime) -> ProcoreChange | IgnoredEvent:
    """Normalize one event, or say why it is ignored."""
    if isinstance(event, WebhookEventV4):
        name, action = event.resource_type, _action(event.reason)
    else:
        name, action = event.resource_name, _action(event.event_type)
    route = _RESOURCES.get(name.strip().lower())
    if route is None:
        return IgnoredEvent(event_id=event.event_id, resource_name=name, reason="not booked")
    kind, resource_id = route.kind, event.resource_id
    if route.parent_names is not None:
        parents = [
            r for r in event.related_resources if r.name.strip().lower() in route.parent_names
        ]
        action = "update"  # a line change (even a deleted line) is an update of its parent
        if parents:
            resource_id = parents[0].id
        else:
            assert route.line_item_kind is not None
            kind = route.line_item_kind  # the fetch stage finds the parent
    if event.company_id is None:
        raise WebhookPayloadError("company_id", "missing; every event must name its company")
    project_id = None if kind in _COMPANY_LEVEL else event.project_id
    if kind not in _COMPANY_LEVEL and project_id is None:
        raise WebhookPayloadError("project_id", f"missing for project resource {name!r}")
    ref = RecordRef(
        company_id=event.company_id, project_id=project_id, resource=kind, resource_id=resource_id
    )
    return ProcoreChange(
        ref=ref,
        action=action,
        source="webhook",
        event_id=event.event_id,
        observed_at=observed_at,
        commitment_kind=route.commitment_kind,
    )


def parse_delivery(
    body: bytes | str | Any, *, observed_at: datetime | None = None
) -> ParsedDelivery:
    """Parse a webhook delivery body (bytes/str JSON, or already-decoded data)."""
    if isinstance(body, bytes | str):
        try:
            body = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise WebhookPayloadError("body", f"not valid JSON ({exc})") from None
    when = observed_at or datetime.now(UTC)
    changes: list[ProcoreChange] = []
    ignored: list[IgnoredEvent] = []
    for index, raw in enumerate(_events(body)):
        try:
            result = to_change(parse_event(raw), when)
        except WebhookPayloadError as exc:
            if isinstance(body, list) or (isinstance(body, dict) and "events" in body):
                raise WebhookPayloadError(f"events[{index}].{exc.field}", exc.problem) from None
            raise
        if isinstance(result, ProcoreChange):
            changes.append(result)
        else:
            ignored.append(result)
    return ParsedDelivery(changes=changes, ignored=ignored)


PayloadVersion = Literal["v2.0", "v3.0", "v4.0"]
NEWEST_PAYLOAD_VERSION: PayloadVersion = "v4.0"  # what hooks are registered with
