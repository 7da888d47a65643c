"""Pure DATEV rules: DUO file names, the per-job poll schedule, the upload reference."""

from __future__ import annotations

import unicodedata

import pytest

from adapters.datev.client import submit_reference
from adapters.datev.documents import duo_filename
from adapters.datev.errors import DatevValidationFailed
from adapters.datev.polling import JobPollSchedule, PollPolicy


def test_duo_file_names_are_nfc_with_forbidden_characters_replaced() -> None:
    decomposed = unicodedata.normalize("NFD", "Rechnung Müller #12:3?.pdf")
    assert duo_filename(decomposed) == "Rechnung Müller _12_3_.pdf"
    assert duo_filename("Façade (Bau) & Co.-1_2.PDF") == "Façade (Bau) & Co.-1_2.PDF"
    assert duo_filename("a/b\\c€.pdf") == "a_b_c_.pdf"


def test_long_duo_file_names_keep_their_extension_within_255() -> None:
    name = duo_filename("x" * 400 + ".pdf")
    assert len(name) == 255 and name.endswith(".pdf")
    assert len(duo_filename("y" * 300)) == 255


def test_one_schedule_per_job_backs_off_and_never_resets() -> None:
    policy = PollPolicy(first_delay_s=2, multiplier=2, max_delay_s=60, jitter=0)
    schedule = JobPollSchedule.after_upload(policy, now=0.0, retry_after_s=5)
    assert schedule.next_at == 5  # Retry-After is the floor of the first wait
    waits = []
    now = schedule.next_at
    for _ in range(7):
        schedule.polled(now)
        waits.append(schedule.next_at - now)
        now = schedule.next_at
    assert waits == [4, 8, 16, 32, 60, 60, 60]
    assert schedule.gets == 7


def test_a_huge_retry_after_is_capped_not_obeyed_into_a_stall() -> None:
    policy = PollPolicy(jitter=0, retry_after_cap_s=120)
    schedule = JobPollSchedule.after_upload(policy, now=0.0, retry_after_s=86_400)
    assert schedule.next_at == 120
    schedule.polled(120.0, retry_after_s=10_000)  # a 429 with a day's Retry-After
    assert schedule.next_at == 240


def test_the_reference_carries_the_intent_and_the_files_hash() -> None:
    ref = submit_reference("0c6f5d1e-2b8a-4c3d-9e7f-1a2b3c4d5e6f.bookings.1", "ab" * 32)
    assert ref.endswith(" sha256 " + "ab" * 32) and len(ref) <= 254
    with pytest.raises(DatevValidationFailed):
        submit_reference("batch<1>", "ab" * 32)
