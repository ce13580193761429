"""Per-recipient receipts: events and the fetched list merge in any order, counts never
go back, "not yet read by" is exact once the list is known."""

from __future__ import annotations

import datetime as dt

from homeagent.core import lead_comms as lc
from homeagent.core.lead_receipts import ReceiptBook

T = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


TWO_UNREAD = lc.ReceiptCounts(2, 0, 0, 0)


def _msg(counts: lc.ReceiptCounts | None = TWO_UNREAD) -> lc.LeadMessage:
    return lc.LeadMessage(1, "lead-1", "Léa", None, "team-1", None, "Point", "urgent",
                          T, None, counts)  # fmt: skip


def _upd(agent: str, d: int | None, r: int | None = None, a: int | None = None) -> lc.ReceiptUpdate:
    def at(m: int | None) -> dt.datetime | None:
        return None if m is None else T + dt.timedelta(minutes=m)

    return lc.ReceiptUpdate(1, agent, at(d), at(r), at(a))


def _listed(
    agent: str, name: str, d: int | None = None, r: int | None = None
) -> lc.RecipientReceipt:
    def at(m: int | None) -> dt.datetime | None:
        return None if m is None else T + dt.timedelta(minutes=m)

    return lc.RecipientReceipt(agent, agent, name, at(d), at(r), None)


def test_counts_follow_events_before_the_list_arrives() -> None:
    book = ReceiptBook()
    book.track(_msg())
    assert book.counts(1) == lc.ReceiptCounts(2, 0, 0, 0)
    assert book.apply(_upd("a-1", 1, 2))
    assert book.counts(1) == lc.ReceiptCounts(2, 1, 1, 0)
    assert book.not_read_by(1) is None  # unknown until listed
    book.apply(_upd("a-1", 1, 2))  # a replayed event changes nothing
    assert book.counts(1) == lc.ReceiptCounts(2, 1, 1, 0)
    assert not book.apply(lc.ReceiptUpdate(99, "a-1", T, None, None))


def test_the_list_and_the_events_merge_in_any_order() -> None:
    book = ReceiptBook()
    book.track(_msg())
    book.apply(_upd("a-2", 3, 4, 5))  # overtakes the list, which is older
    book.set_list(1, (_listed("a-1", "Alice", 1), _listed("a-2", "Bruno")))
    assert book.counts(1) == lc.ReceiptCounts(2, 2, 1, 1)
    assert [r.display_name for r in book.not_read_by(1) or ()] == ["Alice"]
    assert [r.display_name for r in book.not_acked_by(1) or ()] == ["Alice"]
    book.apply(_upd("a-1", 1, 6, 7))
    assert book.counts(1) == lc.ReceiptCounts(2, 2, 2, 2)
    assert book.not_read_by(1) == ()
    assert book.not_acked_by(1) == ()
    assert book.recipients(1)[0].acked_at == T + dt.timedelta(minutes=7)


def test_an_ack_implies_read_and_delivered_and_times_never_move_later() -> None:
    book = ReceiptBook()
    book.track(_msg(None))
    book.apply(_upd("a-1", None, None, 5))
    rec = book.recipients(1)[0]
    assert rec.delivered_at == rec.read_at == rec.acked_at == T + dt.timedelta(minutes=5)
    book.apply(_upd("a-1", 1, 2, 9))
    rec = book.recipients(1)[0]
    assert (rec.delivered_at, rec.acked_at) == (
        T + dt.timedelta(minutes=1),
        T + dt.timedelta(minutes=5),
    )


def test_a_newer_copy_of_the_message_keeps_what_events_said() -> None:
    book = ReceiptBook()
    book.track(_msg())
    book.apply(_upd("a-1", 1, 2))
    book.track(_msg(lc.ReceiptCounts(2, 1, 0, 0)))  # an older snapshot of the counts
    assert book.counts(1) == lc.ReceiptCounts(2, 1, 1, 0)


def test_a_receipt_that_overtakes_its_message_is_kept_until_it_arrives() -> None:
    book = ReceiptBook(max_pending=2)
    assert not book.apply(_upd("a-1", 1, 2))
    book.apply(lc.ReceiptUpdate(50, "a-1", T, None, None))
    book.apply(lc.ReceiptUpdate(51, "a-1", T, None, None))  # pushes the oldest out
    book.track(_msg(lc.ReceiptCounts(2, 0, 0, 0)))
    assert book.counts(1) == lc.ReceiptCounts(2, 0, 0, 0)  # the first one was dropped
    book = ReceiptBook()
    book.apply(_upd("a-1", 1, 2))
    book.track(_msg())
    assert book.counts(1) == lc.ReceiptCounts(2, 1, 1, 0)
