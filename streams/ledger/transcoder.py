"""Stored events read with orjson, in eventsourcing's ``JSONTranscoder`` format.

Every load and every relayed event decodes its stored JSON; the standard library's decoder calls
a Python hook for each object in it, which was most of the relay's time. This transcoder writes
with eventsourcing's encoder (UUIDs as ``{"_type_": "uuid_hex", "_data_": hex}``, decimals as
``decimal_str``, datetimes as ``datetime_iso``) and reads that format with orjson, so stores
written before read as they did. Writing with orjson as well was no faster: orjson writes UUIDs
itself, so every value had to be walked in Python first. Input orjson refuses (integers beyond
64 bits, ``NaN``) is read by the standard decoder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

_TYPED: dict[str, Callable[[str], Any]] = {
    "uuid_hex": UUID,
    "decimal_str": Decimal,
    "datetime_iso": datetime.fromisoformat,
}


class OrjsonTranscoder(JSONTranscoder):
    """eventsourcing's JSON transcoder (same three transcodings) that decodes with orjson."""

    def __init__(self) -> None:
        super().__init__()
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
            self.register(transcoding)

    def decode(self, data: bytes) -> Any:
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        return _converted(obj, data, _value)


def _converted(obj: Any, data: bytes, convert: Callable[[dict[str, Any]], Any]) -> Any:
    """``obj`` (decoded from ``data``) with every typed object replaced by ``convert(it)``."""
    typed = data.count(b'"_type_"')
    if not typed:
        return obj
    if type(obj) is dict and _convert_top(obj, convert) == typed:
        return obj  # our events keep typed values at the top level: no deep walk
    return _convert_deep(obj, convert)


def _is_typed(value: Any) -> bool:
    return type(value) is dict and len(value) == 2 and "_type_" in value and "_data_" in value


def _convert_top(obj: dict[str, Any], convert: Callable[[dict[str, Any]], Any]) -> int:
    """Convert the top-level typed values, in place; how many there were."""
    found = 0
    for key, value in obj.items():  # every load and every relayed event: the check inline
        if type(value) is dict and len(value) == 2 and "_type_" in value and "_data_" in value:
            obj[key] = convert(value)
            found += 1
    return found


def _convert_deep(obj: Any, convert: Callable[[dict[str, Any]], Any]) -> Any:
    kind = type(obj)
    if kind is dict:
        if _is_typed(obj):
            return convert(obj)
        return {k: _convert_deep(v, convert) for k, v in obj.items()}
    if kind is list:
        return [_convert_deep(v, convert) for v in obj]
    return obj


def _value(typed: dict[str, Any]) -> Any:
    make = _TYPED.get(typed["_type_"])
    if make is None:
        raise TranscodingNotRegisteredError(
            f"Data serialized with name {typed['_type_']!r} is not deserializable"
        )
    return make(typed["_data_"])


def _uuid_text(hex_: str) -> str:
    return str(UUID(hex_))


_PLAIN: dict[str, Callable[[str], Any]] = {
    "uuid_hex": _uuid_text,
    "decimal_str": str,
    "datetime_iso": str,
}


def plain_json(data: bytes) -> dict[str, Any]:
    """Stored state as plain JSON values: UUIDs (hyphenated), decimals and datetimes as strings.

    What a JSON consumer of the event gets, without building the Python values first.
    """
    try:
        obj: dict[str, Any] = orjson.loads(data)
    except orjson.JSONDecodeError:
        obj = json.loads(data)  # as the standard transcoder reads it
    converted: dict[str, Any] = _converted(obj, data, _plain)
    return converted


def _plain(typed: dict[str, Any]) -> Any:
    make = _PLAIN.get(typed["_type_"])
    if make is None:
        return _value(typed)  # raises the standard error for an unknown name
    return make(typed["_data_"])
