"""EXTF writers and reader (pure: bytes in memory).

Public API: ``write_buchungsstapel``, ``split_batches``, ``write_kreditoren``,
``creditor_record``, ``CreditorRecord``, ``read_extf``, ``extf_filename``, ``period_label``.
"""

from domain.extf.buchungsstapel import MAX_LINES, split_batches, write_buchungsstapel
from domain.extf.kreditoren import CreditorRecord, creditor_record, write_kreditoren
from domain.extf.naming import FILENAME_PATTERN, extf_filename, period_label
from domain.extf.reader import ExtfFormatError, read_extf

__all__ = [
    "FILENAME_PATTERN",
    "MAX_LINES",
    "CreditorRecord",
    "ExtfFormatError",
    "creditor_record",
    "extf_filename",
    "period_label",
    "read_extf",
    "split_batches",
    "write_buchungsstapel",
    "write_kreditoren",
]
