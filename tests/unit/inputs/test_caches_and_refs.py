"""Small pure parts of the inputs: TTL cache, referenced code ids, vendor ids, event-id LRU."""

from __future__ import annotations

from streams.inputs.snapshotter import referenced_codes, vendor_id_of
from streams.inputs.webhook import RecentIds
from streams.ttl_cache import TtlCache


class Tick:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_ttl_cache_expires_and_evicts_least_recently_used() -> None:
    now = Tick()
    cache: TtlCache[str, int] = TtlCache(ttl_s=10, max_entries=2, now=now)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now most recent
    cache.put("c", 3)  # evicts b
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    now.t = 5
    assert cache.age("a") == 5
    now.t = 10
    assert cache.get("a") is None and cache.age("c") is None and len(cache) == 0


def test_referenced_codes_from_items_line_items_and_commitment() -> None:
    requisition = {"items": [{"cost_code_id": 3309, "line_item_id": 1}, {"cost_code_id": None}]}
    commitment = {
        "line_items": [
            {"id": 1, "tax_code_id": 11, "cost_code": {"id": 3310}},
            {"id": 2, "tax_code_id": "12", "cost_code": None},
        ]
    }
    cost, tax = referenced_codes([requisition, commitment, None])
    assert cost == {3309, 3310} and tax == {11, 12}


def test_vendor_id_from_record_or_commitment() -> None:
    assert vendor_id_of({"vendor_id": 5}, None) == 5
    assert vendor_id_of({"vendor": {"id": 6}}, None) == 6
    assert vendor_id_of({"vendor_id": None}, {"vendor": {"id": 7}}) == 7
    assert vendor_id_of({}, None) is None


def test_recent_ids_is_a_bounded_lru() -> None:
    recent = RecentIds(capacity=2)
    recent.add("a")
    recent.add("b")
    recent.add("a")  # refresh a
    recent.add("c")  # evicts b
    assert "a" in recent and "c" in recent and "b" not in recent and len(recent) == 2
