"""vCard in and out of the cache: 3.0 and 4.0, bad bytes, broken lines, caps, round trip,
and the import queueing every new contact to POST /contacts (item 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from homeagent.core.contact_files import FileProblem, SkipReason
from homeagent.crm import vcard
from homeagent.crm.outbox import Outbox
from homeagent.crm.store import Contact, LocalStore
from homeagent.desktop.adapters import VCardFiles

KEY = bytes(range(32))

V4 = """BEGIN:VCARD\r
VERSION:4.0\r
FN:Camille Martin\r
N:Martin;Camille;;;\r
ORG:Boulangerie Martin;Ventes\r
TEL;TYPE=work:01 45 67 89 01\r
TEL;TYPE=cell,voice;PREF=1:+33 6 12 34 56 78\r
TEL;VALUE=uri;TYPE=home:tel:+33-1-45-67-89-02\r
EMAIL:camille@example.fr\r
NOTE:Client fidèle\\, appelle le matin\\nDeuxième ligne\r
CATEGORIES:VIP,Fibre\r
UID:urn:uuid:0e6e3f5c-1111-4e53-8d3b-3c5d2d1c0a11\r
END:VCARD\r
"""
V3 = """BEGIN:VCARD
VERSION:3.0
N:Dubois;Sophie
ORG:Cabinet Dubois
TEL;TYPE=WORK,VOICE:0145678909
item1.EMAIL;type=INTERNET:sophie@example.fr
X-SPREADSHEET-ROW:12
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Hugo Laurent
TEL:06 11 22 33 44
END:VCARD
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = LocalStore.open(KEY, tmp_path / "a")
    yield s
    s.close()


def test_a_vcard_4_card_gives_every_field() -> None:
    parsed = vcard.parse_vcards(V4.encode(), "FR")
    assert parsed.skipped == []
    assert parsed.numbers_dropped == 0
    (c,) = parsed.contacts
    assert (c.first_name, c.last_name, c.company) == ("Camille", "Martin", "Boulangerie Martin")
    assert c.phones == ("+33612345678", "+33145678901", "+33145678902")  # preferred first
    assert vcard.phone_types(c) == {
        "+33612345678": ["cell"],
        "+33145678901": ["work"],
        "+33145678902": ["home"],
    }
    assert c.email == "camille@example.fr"
    assert c.custom["note"] == "Client fidèle, appelle le matin\nDeuxième ligne"
    assert c.tags == ("VIP", "Fibre")
    assert c.id == "0e6e3f5c-1111-4e53-8d3b-3c5d2d1c0a11"


def test_vcard_3_cards_a_grouped_email_and_a_name_from_fn_only() -> None:
    parsed = vcard.parse_vcards(V3.encode(), "FR")
    sophie, hugo = parsed.contacts
    assert (sophie.first_name, sophie.last_name, sophie.company) == (
        "Sophie",
        "Dubois",
        "Cabinet Dubois",
    )
    assert sophie.email == "sophie@example.fr"
    assert sophie.phones == ("+33145678909",)
    assert (hugo.first_name, hugo.last_name, hugo.phones) == ("Hugo", "Laurent", ("+33611223344",))
    assert sophie.id != hugo.id  # no UID: fresh UUIDs


def test_numbers_use_the_agents_region() -> None:
    card = "BEGIN:VCARD\nVERSION:3.0\nFN:Bob Smith\nTEL:020 7946 0958\nEND:VCARD\n"
    assert vcard.parse_vcards(card.encode(), "GB").contacts[0].phones == ("+442079460958",)
    assert vcard.parse_vcards(card.encode(), "FR").contacts[0].phones != ("+442079460958",)


def test_windows_1252_bytes_are_read_when_not_utf8() -> None:
    data = V3.replace("Dubois;Sophie", "Lefèvre;Léa").encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = vcard.parse_vcards(data, "FR")
    assert parsed.encoding == "cp1252"
    assert (parsed.contacts[0].first_name, parsed.contacts[0].last_name) == ("Léa", "Lefèvre")
    bom = b"\xef\xbb\xbf" + V3.replace("Dubois;Sophie", "Lefèvre;Léa").encode()
    assert vcard.parse_vcards(bom, "FR").contacts[0].last_name == "Lefèvre"


def test_broken_lines_missing_names_bad_numbers_and_cut_cards() -> None:
    data = (
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Julien Bernard\nthis line is broken\n"
        b"TEL:+33\nTEL:06 98 76 54 32\nEND:VCARD\n"
        b"BEGIN:VCARD\nVERSION:3.0\nTEL:0612345678\nEMAIL:x@example.fr\nEND:VCARD\n"  # no name
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Bad Photo\nPHOTO;ENCODING=b:@@@\nEND:VCARD\n"
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Cut Off\nTEL:0611111111\n"  # the file ends mid-card
    )
    parsed = vcard.parse_vcards(data, "FR")
    names = [c.display_name for c in parsed.contacts]
    assert "Julien Bernard" in names
    julien = next(c for c in parsed.contacts if c.first_name == "Julien")
    assert julien.phones == ("+33698765432",)
    assert parsed.lines_dropped == 1
    assert parsed.numbers_dropped == 1
    reasons = {s.position: s.reason for s in parsed.skipped}
    assert reasons[2] is SkipReason.NO_NAME
    assert reasons[4] is SkipReason.UNREADABLE
    assert next(s.name for s in parsed.skipped if s.position == 4) == "Cut Off"
    assert len(parsed.contacts) + len(parsed.skipped) == 4


def test_a_company_card_without_a_person_is_kept() -> None:
    data = b"BEGIN:VCARD\nVERSION:4.0\nKIND:org\nFN:Garage Laurent\nORG:Garage Laurent\nEND:VCARD\n"
    (c,) = vcard.parse_vcards(data, "FR").contacts
    assert (c.first_name, c.last_name, c.company) == ("", "", "Garage Laurent")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", FileProblem.NOT_VCARD),
        (b"Nom;Prenom;Telephone\nMartin;Camille;0612345678\n", FileProblem.NOT_VCARD),
        (b"\x00\xff\xfe garbage \x81\x8d" * 100, FileProblem.NOT_VCARD),
    ],
)
def test_a_file_that_is_no_vcard_is_refused(data: bytes, problem: FileProblem) -> None:
    with pytest.raises(vcard.VCardFileError) as err:
        vcard.parse_vcards(data, "FR")
    assert err.value.problem is problem


def test_huge_files_are_refused_whole_with_their_limit(tmp_path: Path) -> None:
    card = "BEGIN:VCARD\nVERSION:3.0\nFN:A B\nEND:VCARD\n"
    with pytest.raises(vcard.VCardFileError) as err:
        vcard.parse_vcards((card * 11).encode(), "FR", max_cards=10)
    assert (err.value.problem, err.value.limit) == (FileProblem.TOO_MANY, 10)
    big = tmp_path / "big.vcf"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(vcard.VCardFileError) as err:
        vcard.read_vcard_file(big, "FR", max_bytes=1024)
    assert (err.value.problem, err.value.limit) == (FileProblem.TOO_BIG, 1024)
    with pytest.raises(vcard.VCardFileError) as err:
        vcard.read_vcard_file(tmp_path / "missing.vcf", "FR")
    assert err.value.problem is FileProblem.UNREADABLE


def test_fields_are_cut_to_what_the_server_accepts() -> None:
    tels = "".join(f"TEL:06 12 34 56 {i:02d}\n" for i in range(12))
    data = f"BEGIN:VCARD\nVERSION:3.0\nFN:{'A' * 150} B\n{tels}NOTE:{'n' * 1500}\nEND:VCARD\n"
    (c,) = vcard.parse_vcards(data.encode(), "FR").contacts
    assert len(c.first_name) == vcard.NAME_MAX
    assert len(c.phones) == vcard.PHONES_MAX
    assert len(c.custom["note"]) == vcard.NOTE_MAX


TYPES = json.dumps({"+33612345678": ["cell"]}, separators=(",", ":"))
CONTACTS = [
    Contact("0e6e3f5c-1111-4e53-8d3b-3c5d2d1c0a11", "Camille", "Martin",
            "Boulangerie, Martin; fils", "camille@example.fr", "",
            ("+33612345678", "+33145678901"), ("VIP", "Fibre, pro"),
            {"note": "Ligne 1\nLigne 2", "phone_types": TYPES}),
    Contact("7d1c2b3a-2222-4e53-8d3b-3c5d2d1c0a22", "", "", "Garage Laurent", "", "",
            ("+33472000111",)),
    Contact("9a8b7c6d-3333-4e53-8d3b-3c5d2d1c0a33", "Léa", "", "", "", "", ("+442079460958",)),
]  # fmt: skip


def _same(a: Contact) -> tuple[object, ...]:
    return (a.id, a.first_name, a.last_name, a.company, a.email, a.phones, a.tags,
            dict(a.custom))  # fmt: skip


def test_export_then_import_gives_the_same_contacts(tmp_path: Path) -> None:
    path = tmp_path / "contacts.vcf"
    assert vcard.write_vcard_file(path, CONTACTS) == 3
    data = path.read_bytes()
    assert data.count(b"VERSION:4.0\r\n") == 3
    back = vcard.read_vcard_file(path, "FR")
    assert back.skipped == []
    assert back.numbers_dropped == 0
    assert back.lines_dropped == 0
    assert [_same(c) for c in back.contacts] == [_same(c) for c in CONTACTS]


def test_the_import_fills_the_cache_queues_post_contacts_and_skips_known_ones(
    tmp_path: Path, store: LocalStore
) -> None:
    outbox = Outbox(store)
    files = VCardFiles(store, outbox)
    path = tmp_path / "in.vcf"
    path.write_text(V4 + V3 + V3.replace("Hugo Laurent", "Hugo Doublon"), encoding="utf-8")
    summary = files.import_vcard(path)
    assert summary.problem is None
    assert summary.imported == 3
    assert [(s.position, s.reason) for s in summary.skipped] == [
        (4, SkipReason.ALREADY_KNOWN),  # same numbers as cards 2 and 3
        (5, SkipReason.ALREADY_KNOWN),
    ]
    assert store.contact_count() == 3
    assert store.lookup_number("06 12 34 56 78")[0].last_name == "Martin"
    queued = [(i.method, i.path, i.body) for i in outbox.pending()]
    assert [(m, p) for m, p, _ in queued] == [("POST", "/contacts")] * 3
    camille = next(b for _, _, b in queued if b["last_name"] == "Martin")
    assert camille["id"] == "0e6e3f5c-1111-4e53-8d3b-3c5d2d1c0a11"
    assert camille["tags"] == ["VIP", "Fibre"]
    assert camille["email"] == "camille@example.fr"
    # the same file again: everything is known, nothing queued twice
    again = files.import_vcard(path)
    assert again.imported == 0
    assert len(again.skipped) == 5
    assert len(outbox.pending()) == 3


def test_export_of_the_cache_or_a_selection_round_trips_into_another_cache(
    tmp_path: Path, store: LocalStore
) -> None:
    files = VCardFiles(store, Outbox(store))
    store.apply_contact_changes([vcard_body(c) for c in CONTACTS])
    out = tmp_path / "out.vcf"
    assert files.export_vcard(out).exported == 3
    assert files.export_vcard(tmp_path / "one.vcf", [CONTACTS[1].id]).exported == 1
    other = LocalStore.open(KEY, tmp_path / "b")
    try:
        summary = VCardFiles(other, Outbox(other)).import_vcard(out)
        assert summary.imported == 3
        mine = sorted(_same(c) for c in store.contacts())
        theirs = sorted(_same(c) for c in other.contacts())
        assert mine == theirs
    finally:
        other.close()
    assert "Garage Laurent" in (tmp_path / "one.vcf").read_text(encoding="utf-8")
    bad = files.export_vcard(tmp_path / "no-such-dir" / "x.vcf")
    assert bad.problem is FileProblem.UNREADABLE
    assert bad.exported == 0


def vcard_body(c: Contact) -> dict[str, object]:
    return {"id": c.id, "first_name": c.first_name, "last_name": c.last_name,
            "company": c.company, "email": c.email, "phones": list(c.phones),
            "tags": list(c.tags), "custom": dict(c.custom)}  # fmt: skip
