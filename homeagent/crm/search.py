"""Search-as-you-type over the contacts cache, and the text it indexes.

Indexes (schema v2):
- FTS5 (`contacts_fts`, unicode61 without diacritics, prefix indexes of 1–3 letters)
  over first name, last name, company and the words of the e-mail's local part
  (``jean.dupont42@x.fr`` -> ``jean dupont``). Every typed word is a prefix.
- B-tree prefix ranges over the whole e-mail and account reference (lower case), and
  over the E.164 numbers. These are unique identifiers an agent types from their start;
  as FTS prefixes they would expand to hundreds of thousands of distinct terms
  (``cli-10*``), which measured at 100–200 ms per keystroke on 1M contacts.

Ranking: bm25 when a query matches at most `RANK_LIMIT` contacts; beyond that the
first matches are shown by name (ranking everything that starts with "m" is what
makes a keystroke slow, and the next letter narrows the list anyway).
"""

from __future__ import annotations

import re
from typing import Any

from homeagent.crm.phones import e164_prefix

RANK_LIMIT = 500
_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)


def email_words(email: str) -> str:
    """The searchable words of an e-mail: its local part's letter runs."""
    local = email.partition("@")[0]
    return " ".join(_LETTERS.findall(local.lower()))


def fts_query(text: str) -> str | None:
    """An FTS5 query for what the agent typed: every run of letters must start a token.

    Digits are left to the identifier and number indexes (``dupont42`` -> ``dupont``)."""
    words = _LETTERS.findall(text.lower())
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words[:8])


def _upper_bound(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def identifier_rids(db: Any, text: str, limit: int) -> list[int]:
    """Contacts whose e-mail or account reference starts with `text` (case-insensitive)."""
    key = text.strip().lower()
    if len(key) < 2:
        return []
    upper = _upper_bound(key)
    rows = db.execute(
        "SELECT rid FROM (SELECT rid FROM contacts WHERE lower(account_ref) >= ? "
        "AND lower(account_ref) < ? LIMIT ?) UNION SELECT rid FROM (SELECT rid FROM contacts "
        "WHERE lower(email) >= ? AND lower(email) < ? LIMIT ?)",
        [key, upper, limit, key, upper, limit],
    ).fetchall()
    return [r[0] for r in rows][:limit]


def number_rids(db: Any, text: str, region: str, limit: int) -> list[int]:
    """Contacts having a number that starts with what was typed (national or E.164)."""
    prefix = e164_prefix(text, region)
    if prefix is None:
        return []
    rows = db.execute(
        "SELECT DISTINCT rid FROM contact_phones WHERE e164 >= ? AND e164 < ? LIMIT ?",
        [prefix, _upper_bound(prefix), limit],
    ).fetchall()
    return [r[0] for r in rows]


def fts_rids(db: Any, text: str, limit: int) -> tuple[list[int], bool]:
    """(contact rids, ranked?) for the words typed; see the module docstring."""
    query = fts_query(text)
    if query is None:
        return [], False
    probe = db.execute(
        "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT ?",
        [query, RANK_LIMIT + 1],
    ).fetchall()
    if len(probe) <= RANK_LIMIT:
        ranked = db.execute(
            "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? ORDER BY rank LIMIT ?",
            [query, limit],
        ).fetchall()
        return [r[0] for r in ranked], True
    return [r[0] for r in probe[:limit]], False


def search_rids(db: Any, text: str, region: str, limit: int) -> tuple[list[int], bool]:
    """Identifiers and numbers first (exact prefixes), then names; (rids, ranked?)."""
    text = text.strip()
    if not text:
        return [], False
    found: list[int] = []
    if any(ch.isdigit() for ch in text) or "@" in text:
        found += number_rids(db, text, region, limit)
        found += [r for r in identifier_rids(db, text, limit) if r not in found]
        if found:
            return found[:limit], True
    return fts_rids(db, text, limit)
