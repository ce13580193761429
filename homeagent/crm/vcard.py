"""vCard files in and out of the contact cache (for agents whose CRM is a spreadsheet).

Reads vCard 3.0 and 4.0 (what spreadsheets, Outlook, Google and phones export) with
`vobject`, one card at a time, so one bad card never loses the others:

- bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252;
- lines: folded lines are unfolded; a line that is not ``NAME[;params]:value`` is left
  out and counted; a card that still cannot be read is skipped (`SkipReason.UNREADABLE`);
- size: a file over `MAX_FILE_BYTES` or with more than `MAX_CARDS` cards is refused whole
  (`VCardFileError`), before anything is written;
- names: N, else FN split at its last word, else ORG alone (a company); a card with none
  of them is skipped (`SkipReason.NO_NAME`);
- numbers: every TEL in E.164 with the agent's region (`crm.phones.to_e164`), preferred
  first, their TYPEs kept in ``custom["phone_types"]``; a TEL that is no phone number is
  dropped and counted; EMAIL (the preferred one), NOTE (``custom["note"]``), CATEGORIES
  (tags) and UID (the id, when it is a UUID) are read too; every field is cut to what the
  server accepts (``POST /contacts``).

Writes vCard 4.0 (UTF-8, CRLF, folded at 75 octets by vobject).
"""

from __future__ import annotations

import codecs
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homeagent.core.contact_files import FileProblem, SkippedCard, SkipReason
from homeagent.crm.phones import to_e164
from homeagent.crm.store import Contact

MAX_FILE_BYTES = 8 * 1024 * 1024  # a 5,000-card export with photos stays well under
MAX_CARDS = 5000
# what POST /contacts accepts (homeagent/server/schemas.py ContactIn)
NAME_MAX, COMPANY_MAX, EMAIL_MAX, NOTE_MAX = 100, 200, 200, 1000
PHONES_MAX, TAGS_MAX, TAG_MAX = 10, 50, 50
NOTE_KEY = "note"
PHONE_TYPES_KEY = "phone_types"

_PROPERTY = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)?(?:;[^:]*)?:")
_BEGIN = re.compile(r"^BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^END\s*:\s*VCARD\s*$", re.IGNORECASE)
_FN = re.compile(r"^(?:[A-Za-z0-9-]+\.)?FN(?:;[^:]*)?:(.*)$", re.IGNORECASE)
_IGNORED_TYPES = {"voice", "pref", "internet"}


class VCardFileError(Exception):
    """The whole file is refused: too big, too many cards, not a vCard, unreadable."""

    def __init__(self, problem: FileProblem, limit: int = 0, detail: str = "") -> None:
        super().__init__(f"{problem.value} {limit or ''} {detail}".strip())
        self.problem = problem
        self.limit = limit
        self.detail = detail


@dataclass
class ParsedCards:
    """The contacts read (with their place in the file) and the cards left out."""

    cards: list[tuple[int, Contact]] = field(default_factory=list)
    skipped: list[SkippedCard] = field(default_factory=list)
    numbers_dropped: int = 0
    lines_dropped: int = 0
    encoding: str = "utf-8"

    @property
    def contacts(self) -> list[Contact]:
        return [c for _, c in self.cards]


# -- reading -----------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding used: UTF-8, UTF-16 (BOM), else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


@dataclass
class _Block:
    lines: list[str]
    dropped: int = 0
    complete: bool = False


def _blocks(text: str) -> Iterator[_Block]:
    """Each BEGIN:VCARD … END:VCARD, unfolded, its broken lines left out."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\n[ \t]", "", text)  # unfold (RFC 6350 3.2)
    block: _Block | None = None
    for raw in text.split("\n"):
        line = raw.strip("\ufeff")
        if _BEGIN.match(line.strip()):
            if block is not None:
                yield block  # a card without END: unreadable
            block = _Block([])
        elif block is None:
            continue  # text between cards
        elif _END.match(line.strip()):
            block.complete = True
            yield block
            block = None
        elif not line.strip():
            continue
        elif _PROPERTY.match(line):
            block.lines.append(line)
        else:
            block.dropped += 1
    if block is not None:
        yield block


def parse_vcards(
    data: bytes,
    region: str = "FR",
    *,
    max_cards: int = MAX_CARDS,
    max_bytes: int = MAX_FILE_BYTES,
) -> ParsedCards:
    """The contacts of a vCard file's bytes (see the module docstring for the rules)."""
    if len(data) > max_bytes:
        raise VCardFileError(FileProblem.TOO_BIG, max_bytes)
    text, encoding = decode(data)
    blocks = list(_blocks(text))
    if not blocks:
        raise VCardFileError(FileProblem.NOT_VCARD)
    if len(blocks) > max_cards:
        raise VCardFileError(FileProblem.TOO_MANY, max_cards)
    import vobject  # here: loaded when the agent imports a file, not at every start

    parsed = ParsedCards(encoding=encoding)
    for position, block in enumerate(blocks, start=1):
        parsed.lines_dropped += block.dropped
        name = _fn_of(block.lines)
        if not block.complete:
            parsed.skipped.append(SkippedCard(position, name, SkipReason.UNREADABLE))
            continue
        try:
            card = vobject.readOne("\r\n".join(["BEGIN:VCARD", *block.lines, "END:VCARD"]))
            contact, dropped = _contact(card, region)
        except Exception:  # vobject raises many kinds on bad data: this card only
            parsed.skipped.append(SkippedCard(position, name, SkipReason.UNREADABLE))
            continue
        parsed.numbers_dropped += dropped
        if contact is None:
            parsed.skipped.append(SkippedCard(position, name, SkipReason.NO_NAME))
        else:
            parsed.cards.append((position, contact))
    return parsed


def read_vcard_file(
    path: Path, region: str = "FR", *, max_bytes: int = MAX_FILE_BYTES
) -> ParsedCards:
    """`parse_vcards` of a file; a file over the cap is refused before it is read."""
    try:
        if path.stat().st_size > max_bytes:
            raise VCardFileError(FileProblem.TOO_BIG, max_bytes)
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # a file still growing is cut, then refused
    except OSError as exc:
        raise VCardFileError(FileProblem.UNREADABLE, detail=exc.strerror or str(exc)) from exc
    return parse_vcards(data, region, max_bytes=max_bytes)


def _fn_of(lines: list[str]) -> str:
    for line in lines:
        found = _FN.match(line)
        if found:
            return found.group(1).replace("\\,", ",").replace("\\;", ";").strip()[:NAME_MAX]
    return ""


def _text(value: Any) -> str:
    """A vobject value (text, list of texts) as one stripped text."""
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value if v).strip()
    return str(value or "").strip()


def _values(card: Any, name: str) -> list[Any]:
    return list(card.contents.get(name, []))


def _types(prop: Any) -> list[str]:
    types: list[str] = []
    for value in prop.params.get("TYPE", []):
        types.extend(t.strip().strip('"').lower() for t in str(value).split(","))
    return [t for t in dict.fromkeys(types) if t and t not in _IGNORED_TYPES]


def _preferred(prop: Any) -> bool:
    types = [str(t).lower() for t in prop.params.get("TYPE", [])]
    return "PREF" in prop.params or any("pref" in t for t in types)


def _split_fn(fn: str) -> tuple[str, str]:
    words = fn.split()
    if len(words) < 2:
        return fn, ""
    return " ".join(words[:-1]), words[-1]


def _id_from_uid(card: Any) -> str:
    for prop in _values(card, "uid"):
        text = _text(prop.value)
        text = text[len("urn:uuid:") :] if text.lower().startswith("urn:uuid:") else text
        try:
            return str(uuid.UUID(text))
        except ValueError:
            continue
    return str(uuid.uuid4())


def _contact(card: Any, region: str) -> tuple[Contact | None, int]:
    """The contact of one card (None: it has no name) and how many numbers were dropped."""
    given = family = ""
    for prop in _values(card, "n"):
        n = prop.value
        given = _text(getattr(n, "given", ""))
        family = _text(getattr(n, "family", "")) or (_text(n) if isinstance(n, str) else "")
        break
    company = ""
    for prop in _values(card, "org"):
        org = prop.value
        company = _text(org[0] if isinstance(org, list) and org else org)
        break
    fn = next((_text(p.value) for p in _values(card, "fn") if _text(p.value)), "")
    if not given and not family and fn and fn != company:
        given, family = _split_fn(fn)
    if not (given or family or company):
        return None, 0

    dropped = 0
    numbers: dict[str, list[str]] = {}
    tels = sorted(_values(card, "tel"), key=lambda p: not _preferred(p))  # stable
    for prop in tels:
        text = _text(prop.value)
        if text.lower().startswith("tel:"):
            text = text[4:]
        text = re.split(r";ext=|;", text, maxsplit=1)[0]
        e164 = to_e164(text.replace("-", " "), region)
        if e164 is None:
            dropped += 1
            continue
        numbers.setdefault(e164, [])
        numbers[e164].extend(t for t in _types(prop) if t not in numbers[e164])
    phones = list(numbers)[:PHONES_MAX]
    dropped += max(0, len(numbers) - PHONES_MAX)

    emails = sorted(_values(card, "email"), key=lambda p: not _preferred(p))
    email = next((_text(p.value) for p in emails if _text(p.value)), "")
    note = "\n".join(_text(p.value) for p in _values(card, "note") if _text(p.value))
    tags: list[str] = []
    for prop in _values(card, "categories"):
        value = prop.value if isinstance(prop.value, list) else str(prop.value).split(",")
        tags.extend(t.strip()[:TAG_MAX] for t in value if str(t).strip())
    custom: dict[str, str] = {}
    if note:
        custom[NOTE_KEY] = note[:NOTE_MAX]
    types = {p: numbers[p] for p in phones if numbers[p]}
    if types:
        custom[PHONE_TYPES_KEY] = json.dumps(types, separators=(",", ":"))
    contact = Contact(
        id=_id_from_uid(card),
        first_name=given[:NAME_MAX],
        last_name=family[:NAME_MAX],
        company=company[:COMPANY_MAX],
        email=email[:EMAIL_MAX] if len(email) <= EMAIL_MAX else "",
        phones=tuple(phones),
        tags=tuple(list(dict.fromkeys(tags))[:TAGS_MAX]),
        custom=custom,
    )
    return contact, dropped


# -- writing -----------------------------------------------------------------------------


def phone_types(contact: Contact) -> dict[str, list[str]]:
    """The TYPEs a contact's numbers had in the vCard it came from."""
    try:
        types = json.loads(str(contact.custom.get(PHONE_TYPES_KEY) or "{}"))
    except ValueError:
        return {}
    return (
        {str(k): [str(t) for t in v] for k, v in types.items()} if isinstance(types, dict) else {}
    )


def _card(contact: Contact) -> Any:
    import vobject

    card = vobject.vCard()
    card.add("version").value = "4.0"
    name = f"{contact.first_name} {contact.last_name}".strip()
    card.add("fn").value = name or contact.company or contact.email or contact.id
    card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
    if not name and contact.company:
        card.add("kind").value = "org"
    if contact.company:
        card.add("org").value = [contact.company]
    types = phone_types(contact)
    for number in contact.phones:
        tel = card.add("tel")
        tel.value = f"tel:{number}"
        tel.params["VALUE"] = ["uri"]
        if types.get(number):
            tel.params["TYPE"] = types[number]
    if contact.email:
        card.add("email").value = contact.email
    note = str(contact.custom.get(NOTE_KEY) or "")
    if note:
        card.add("note").value = note
    if contact.tags:
        card.add("categories").value = list(contact.tags)
    try:
        card.add("uid").value = f"urn:uuid:{uuid.UUID(contact.id)}"
    except ValueError:
        card.add("uid").value = contact.id
    return card


def to_vcard(contacts: Iterable[Contact]) -> str:
    """vCard 4.0 text of `contacts` (CRLF line ends)."""
    return "".join(_card(c).serialize() for c in contacts)


def write_vcard_file(path: Path, contacts: Iterable[Contact]) -> int:
    """Write `contacts` to `path` as vCard 4.0 (a whole file or none); returns how many."""
    items = list(contacts)
    text = to_vcard(items)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise VCardFileError(FileProblem.UNREADABLE, detail=exc.strerror or str(exc)) from exc
    return len(items)
