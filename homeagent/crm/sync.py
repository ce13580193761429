"""Contacts delta sync: pull pages from `/sync/contacts` into the local store.

Each page (items, deleted ids, next cursor) is applied in one transaction together
with the cursor, so an interrupted sync resumes where it stopped and never applies a
page twice or half. Progress goes to a callback (on the syncing thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from homeagent.crm.store import LocalStore

CURSOR_KEY = "sync.contacts.cursor"


@dataclass(frozen=True, slots=True)
class SyncProgress:
    received: int  # contacts created/updated so far in this run
    deleted: int
    pages: int
    done: bool
    total: int | None = None  # if the server says how many remain (optional field)


FetchPage = Callable[[str | None, int], Mapping[str, Any]]


def sync_contacts(
    store: LocalStore,
    fetch_page: FetchPage,
    *,
    page_size: int = 1000,
    on_progress: Callable[[SyncProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> SyncProgress:
    """Run a delta sync from the stored cursor (none: a full initial sync).

    `fetch_page(cursor, limit)` is `ServerClient.sync_contacts`. Raises what it raises
    (e.g. `ServerUnreachable`); what was applied so far stays applied.
    """
    cursor = store.get_meta(CURSOR_KEY)
    received = deleted = pages = 0
    total: int | None = None
    # While a page is written locally, the next one is already being fetched (the cursor
    # of page n+1 is in page n), so the server's and our work overlap.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-fetch") as pool:
        pending: Future[Mapping[str, Any]] = pool.submit(fetch_page, cursor, page_size)
        while True:
            page = pending.result()
            items = page.get("items") or []
            gone = [str(x) for x in page.get("deleted") or []]
            next_cursor = page.get("cursor")
            next_cursor = str(next_cursor) if next_cursor is not None else cursor
            has_more = bool(page.get("has_more")) and bool(items or gone)
            cancelled = cancel is not None and cancel.is_set()
            if has_more and not cancelled:
                pending = pool.submit(fetch_page, next_cursor, page_size)
            if total is None and isinstance(page.get("remaining"), int):
                total = int(page["remaining"]) + len(items)
            n, d = store.apply_contact_changes(
                items, gone, cursor_key=CURSOR_KEY, cursor=next_cursor
            )
            received += n
            deleted += d
            pages += 1
            cursor = next_cursor
            progress = SyncProgress(received, deleted, pages, not has_more, total)
            if on_progress is not None:
                on_progress(progress)
            if not has_more or cancelled:
                return progress
