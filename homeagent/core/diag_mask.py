"""Masking rules of the diagnostics bundle: what IT may read of a home PC's logs.

A bundle (`homeagent diagnose --bundle`) carries the event log, the SIP trace of the last
calls and other figures to the organisation's server. :class:`Masker` turns any text
into what may leave the PC, and counts what it hid (the bundle's manifest says so):

- ``secret``: the exact values the PC knows to be secret (the SIP password and its HA1,
  the access and refresh tokens, the device key, the cache key), wherever they appear;
- ``digest``: the digest parameters of SIP/HTTP authentication (``response``, ``nonce``,
  ``cnonce``, ``opaque``, ``nextnonce``, ``rspauth``), whatever header carries them, and
  the whole credential of a ``Basic``/``Bearer`` scheme;
- ``token``: the ``X-HomeAgent-Supervision`` header's one-time token (folded lines too),
  JSON Web Tokens, and the values of keys named like a password, token, secret or key
  (``"access_token": "…"``, ``password=…``);
- ``name``: the display names of SIP identity headers (``From: "…" <sip:…>``), and the
  customers' names the contact cache holds (whole words, any case, with or without
  accents): ``[name]``;
- ``number``: phone numbers in any format (``+33 6 12 34 56 78``, ``06.12.34.56.78``,
  ``(555) 123-4567``, ``sip:+33612345678@``, ``%2B33612345678``) keep their last two
  digits: ``+** * ** ** ** 78``. A run of 7 to 15+ digits is a number unless it is an
  IPv4 address, a date (``2026-12-02``, ``2026-12-02 01``) or a decimal (``1764.25``);
  in SDP's list lines (``m=``, ``a=``…) a space does not join digits (payload types).

Bytes are decoded line by line (UTF-8, else Windows-1252, like the SIP engine does), so a
Latin-1 name is still found. Pure Python, no I/O: the same rules run on the PC and in tests.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable

from homeagent.core.text import decode_wire

KEEP_DIGITS = 2  # a masked number keeps its last two digits (IT can tell calls apart)
MIN_SECRET_CHARS = 6  # shorter "secrets" would mask common words
MIN_NAME_CHARS = 3

SECRET_MARK = "[secret]"  # noqa: S105 (a placeholder, not a password)
TOKEN_MARK = "[token]"  # noqa: S105
NAME_MARK = "[name]"
MASKED = "[masked]"

# digest parameters, in any header (and in any JSON or log line quoting them)
_DIGEST_PARAM = re.compile(
    r"(?i)\b(response|nonce|cnonce|opaque|nextnonce|rspauth)(\s*=\s*)(\"[^\"]*\"?|[^\s,;\"]+)"
)
# Basic/Bearer credentials: the whole credential (it may be folded onto the next line)
_SCHEME_CRED = re.compile(r"(?i)\b(basic|bearer)(\s+)([A-Za-z0-9._~+/=-]{8,})")
# a header and its folded continuation lines (SIP/HTTP: a line starting with SP or HT)
_SUPERVISION_HEADER = re.compile(
    r"(?im)^([ \t]*x-homeagent-supervision[ \t]*:)([^\r\n]*(?:\r?\n[ \t]+[^\r\n]*)*)"
)
# the display name of an identity header (``From: "Jean Dupont" <sip:…>``, compact forms
# too): whoever it names, it leaves as ``[name]``
_DISPLAY_NAME = re.compile(
    r"(?im)^([ \t]*(?:from|to|f|t|contact|m|p-asserted-identity|p-preferred-identity"
    r"|remote-party-id|referred-by|refer-to|r|reply-to|diversion)[ \t]*:[ \t]*)"
    r"(\"(?:[^\"\\\r\n]|\\.)*\"|[^<\"\r\n]*?[^<\s\"])([ \t]*<)"
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
# key/value pairs whose key says "secret": JSON ("key": "value") and k=v / k: v forms
_SECRET_KEY = r"[\w-]*(?:password|passwd|secret|token|ha1|device_key|api_key|apikey)[\w-]*"  # noqa: S105
_SECRET_JSON = re.compile(r"(?i)(\"" + _SECRET_KEY + r"\"\s*:\s*)\"(?:[^\"\\]|\\.)*\"")
_SECRET_KV = re.compile(r"(?i)\b(" + _SECRET_KEY + r")(\s*[=:]\s*)(?![\s\"\[])([^\s,;&\"']+)")

# a number: digits with at most one separator between two of them (space, dot, hyphen,
# brackets); a leading "+" (or its URL encoding) belongs to it
_NUMBER = re.compile(
    r"(?:(?<=%2B)|(?<=%2b)|(?<![\w.]))"
    r"(?:\+|\(\+?)?\d(?:(?:[ .\-]|\) ?| ?\()?\d)*+\)?"
)
_WORD = re.compile(r"[^\W\d_]+")  # letters only: names, not ids or numbers
# SDP lines whose space-separated figures are lists, not numbers ("m=audio 4000 RTP/AVP
# 96 97 8 0 101"): there a space does not join digits (a number without spaces still goes)
_SDP_LIST_LINE = re.compile(r"[mabctrzkv]=")  # matched at a line's start
_SDP_ANY_LINE = re.compile(r"(?m)^[mabctrzkv]=")
_NUMBER_NO_SPACE = re.compile(
    r"(?:(?<=%2B)|(?<=%2b)|(?<![\w.]))"
    r"(?:\+|\(\+?)?\d(?:(?:[.\-]|\)|\()?\d)*+\)?"
)
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2})?")
_DECIMAL = re.compile(r"\d+\.\d+")
MIN_NUMBER_DIGITS = 7


def mask_digits(text: str, keep: int = KEEP_DIGITS) -> str:
    """Every digit of `text` hidden as ``*`` but the last `keep`; the shape is kept."""
    total = sum(ch.isdigit() for ch in text)
    hide = max(0, total - keep)
    out: list[str] = []
    for ch in text:
        if ch.isdigit() and hide > 0:
            out.append("*")
            hide -= 1
        else:
            out.append(ch)
    return "".join(out)


def _is_number(span: str) -> bool:
    if len(span) < MIN_NUMBER_DIGITS:  # most spans: ports, codes, counts
        return False
    digits = sum(map(str.isdigit, span))
    if digits < MIN_NUMBER_DIGITS:
        return False
    bare = span.strip("()+ ")
    return not (_IPV4.fullmatch(bare) or _DATE.fullmatch(bare) or _DECIMAL.fullmatch(bare))


@functools.lru_cache(maxsize=65536)  # the words of a log repeat: fold each once
def _fold_word(word: str) -> str:
    return _fold(word)


def _fold(text: str) -> str:
    """Lower case without accents (``Hélène`` → ``helene``)."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


class Masker:
    """Applies the rules of the module docstring; `counts` says what it hid, by rule."""

    def __init__(
        self,
        *,
        secrets: Iterable[str] = (),
        names: Iterable[str] = (),
        name_words: frozenset[str] | None = None,
    ) -> None:
        """`name_words`: `Masker.name_words(names)` built once for several maskers."""
        self.counts: Counter[str] = Counter()
        values = {s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}
        self._secrets = sorted(values, key=len, reverse=True)
        self._secret_re = (
            re.compile("|".join(re.escape(s) for s in self._secrets)) if self._secrets else None
        )
        self._names = name_words if name_words is not None else self.name_words(names)

    @staticmethod
    def name_words(names: Iterable[str]) -> frozenset[str]:
        """Every word of every name, folded: a set, so 100,000 contacts cost a lookup."""
        words: set[str] = set()
        for name in names:
            for part in _WORD.findall(str(name)):
                if len(part) >= MIN_NAME_CHARS and not part.isdigit():
                    words.add(_fold(part))
        return frozenset(words)

    # -- entry points ------------------------------------------------------------------

    def text(self, text: str) -> str:
        """`text` with every rule applied, in order."""
        text = self._apply_secrets(text)
        text = _SUPERVISION_HEADER.sub(self._count("token", lambda m: f"{m[1]} {TOKEN_MARK}"), text)
        text = _DIGEST_PARAM.sub(self._count("digest", lambda m: f'{m[1]}{m[2]}"{MASKED}"'), text)
        text = _SCHEME_CRED.sub(self._count("digest", lambda m: f"{m[1]}{m[2]}{MASKED}"), text)
        text = _JWT.sub(self._count("token", lambda _m: TOKEN_MARK), text)
        text = _SECRET_JSON.sub(self._count("token", lambda m: f'{m[1]}"{MASKED}"'), text)
        text = _SECRET_KV.sub(self._count("token", lambda m: f"{m[1]}{m[2]}{MASKED}"), text)
        text = _DISPLAY_NAME.sub(self._count("name", lambda m: f"{m[1]}{NAME_MARK}{m[3]}"), text)
        text = self._apply_names(text)
        if not _SDP_ANY_LINE.search(text):
            return _NUMBER.sub(self._number, text)
        return _NUMBER.sub(lambda m: self._number_in(text, m), text)

    def data(self, raw: bytes) -> str:
        """Bytes of any encoding (UTF-8, else Windows-1252 per line), masked."""
        return self.text(decode_wire(raw))

    # -- rules ---------------------------------------------------------------------------

    def _count(
        self, rule: str, make: Callable[[re.Match[str]], str]
    ) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            out = make(match)
            if out != match.group(0):  # a value masked already (a trace file) counts once
                self.counts[rule] += 1
            return out

        return replace

    def _apply_secrets(self, text: str) -> str:
        if self._secret_re is None:
            return text
        text, n = self._secret_re.subn(SECRET_MARK, text)
        self.counts["secret"] += n
        return text

    def _apply_names(self, text: str) -> str:
        if not self._names:
            return text
        out: list[str] = []
        last = 0
        joined = False  # the previous word was a name and only a space or "-" since
        for match in _WORD.finditer(text):
            start, end = match.span()
            if _fold_word(match.group(0)) not in self._names:
                joined = False
                continue
            between = text[last:start]
            if joined and between in (" ", "-"):  # "Jean-Pierre Dupont": one mark
                out[-1] = NAME_MARK
            else:
                out.append(between)
                out.append(NAME_MARK)
                self.counts["name"] += 1
            last, joined = end, True
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    def _number_in(self, text: str, match: re.Match[str]) -> str:
        """A number, unless it is a list on an SDP line (there a space does not join)."""
        span = match.group(0)
        if " " in span:
            start = text.rfind("\n", 0, match.start()) + 1
            if _SDP_LIST_LINE.match(text, start):
                return _NUMBER_NO_SPACE.sub(self._number, span)
        return self._number(match)

    def _number(self, match: re.Match[str]) -> str:
        span = match.group(0)
        if not _is_number(span):
            return span
        self.counts["number"] += 1
        return mask_digits(span)

    def summary(self) -> dict[str, int]:
        """What was hidden so far, by rule (for the manifest)."""
        return {rule: self.counts[rule] for rule in sorted(self.counts) if self.counts[rule]}
