"""Contacts in and out of a file (vCard), as the desk sees it: what an import or an export
did, and the port that does it (`homeagent.crm.vcard` behind `desktop.adapters`)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class SkipReason(enum.Enum):
    """Why one card of a file was not imported (the UI says it in words)."""

    NO_NAME = "no_name"  # neither a name nor a company
    UNREADABLE = "unreadable"  # the card itself could not be read
    ALREADY_KNOWN = "already_known"  # same id or same number as a contact in the cache


class FileProblem(enum.Enum):
    """Why a whole file was refused (nothing imported or written)."""

    TOO_BIG = "too_big"  # `limit` is the size cap in bytes
    TOO_MANY = "too_many"  # `limit` is the cap on cards
    NOT_VCARD = "not_vcard"  # no BEGIN:VCARD … END:VCARD in it
    UNREADABLE = "unreadable"  # the file could not be opened or written (`detail`)


@dataclass(frozen=True, slots=True)
class SkippedCard:
    """One card left out: its place in the file (1 = the first card), its name if any."""

    position: int
    name: str
    reason: SkipReason


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did; `problem` set means the file was refused as a whole."""

    imported: int = 0
    skipped: tuple[SkippedCard, ...] = ()
    numbers_dropped: int = 0  # numbers that were not phone numbers (the card was kept)
    lines_dropped: int = 0  # broken lines left out (the card was kept)
    problem: FileProblem | None = None
    limit: int = 0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote."""

    exported: int = 0
    problem: FileProblem | None = None
    detail: str = ""


class ContactFiles(Protocol):
    """Imports and exports contacts as vCard files. Blocking: run on the disk lane."""

    def import_vcard(self, path: Path) -> ImportSummary:
        """Read `path`, add the new contacts to the cache and queue them to the server."""

    def export_vcard(self, path: Path, contact_ids: Sequence[str] | None = None) -> ExportSummary:
        """Write the cache's contacts (or those of `contact_ids`) to `path` as vCard 4.0."""
