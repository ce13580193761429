"""The team lead's side of the desk (Qt-free): remote state changes, help-request
status and the conversation with the lead (docs/lead-contract.md).

None of it ever interrupts a call: a lead's state change waits for the call's end on
the server (`pending`, shown during the call), messages add a badge and a line, and an
urgent one a banner that waits for "Bien reçu"; the UI never takes focus for them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from homeagent.core.desk_snapshot import SupervisionView
from homeagent.core.desk_state import DeskState
from homeagent.core.desk_types import Delivery, HelpStatus, Message, RemoteChange
from homeagent.core.events import CallPhase

_HELP_STATUSES = {
    "open": HelpStatus.SENT,
    "acknowledged": HelpStatus.ACKNOWLEDGED,
    "resolved": HelpStatus.RESOLVED,
}
MAX_MESSAGE_CHARS = 2000  # what the agent may write to the lead in one message


class DeskLeadNews(DeskState):
    """What the lead does that reaches the agent, and what the agent sends back."""

    # -- remote state changes ----------------------------------------------------------

    def remote_state_change(self, change: RemoteChange) -> None:
        """A lead set the agent's state (the `agent_state` event's `changed_by`): the desk
        says who and why while it is in that state. The state itself comes the usual way
        (`server_set_state`, or the server's answer to the desk's own PUT)."""
        self._remote = change
        if self._pending is not None and self._pending.state is change.state:
            self._pending = None
        self._write("state_changed_by_lead", state=change.state.value, reason=change.reason)
        self._changed()

    def set_pending(self, change: RemoteChange | None) -> None:
        """A lead's change waits for the end of the call (None: the lead cancelled it)."""
        if change == self._pending:
            return
        self._pending = change
        if change is None:
            self._write("state_change_pending_cancelled")
        else:
            self._write("state_change_pending", state=change.state.value, reason=change.reason)
        self._changed()

    def dismiss_remote_change(self) -> None:
        """The agent read who changed their state: the line goes."""
        if self._remote is not None:
            self._remote = None
            self._changed()

    # -- live supervision (homeagent.core.desk_supervision decides; this shows) ---------

    def customer_call_id(self) -> int | None:
        """The customer call a lead may supervise: the desk's call once connected (talking
        or on hold, a consultation beside it or not); None while it rings or dials."""
        call = self._call
        if call is None or call.connected_at_s is None:
            return None
        return call.call_id if call.phase in (CallPhase.ACTIVE, CallPhase.HELD) else None

    def show_supervision(self, view: SupervisionView | None) -> None:
        """The indicator in the call view ("Écoute : Claire Martin"); None clears it."""
        if view != self._supervision:
            self._supervision = view
            self._changed()

    # -- help requests -----------------------------------------------------------------

    def help_answered(self, request_id: str, server_id: int, status: str, by: str = "") -> None:
        """The server took the help request (its answer: its id and status)."""
        help_ = self._help
        if help_ is None or help_.request_id != request_id:
            return
        self._help_server_id = server_id
        news = self._help_news.pop(server_id, None)
        self._set_help(*(news or (status, by)))

    def help_updated(self, server_id: int, status: str, by: str = "") -> None:
        """A `help_request_updated` event (a lead acknowledged or resolved a request)."""
        if self._help is None:
            return
        if self._help_server_id is None:  # the answer is not here yet: keep the news
            self._help_news[server_id] = (status, by)
            return
        if server_id == self._help_server_id:
            self._set_help(status, by)

    def _set_help(self, status: str, by: str) -> None:
        help_ = self._help
        found = _HELP_STATUSES.get(status)
        if help_ is None or found is None:
            return
        order = list(HelpStatus)
        if order.index(found) < order.index(help_.status):
            return  # an older answer after a newer event
        self._help = replace(help_, status=found, by=by or help_.by)
        self._write("help_request_status", status=found.value)
        self._changed()

    # -- messages ----------------------------------------------------------------------

    def ack_message(self, message_id: str) -> None:
        """ "Bien reçu" on an urgent message (it is read too): queued, survives offline."""
        if self.inbox.mark_acked(message_id):
            self._sink.ack_message(message_id)
            self._write("message_acked", message_id=message_id)
            self._changed()

    def read_messages(self, message_ids: tuple[str, ...] | None = None) -> None:
        """The agent sees these messages in the Inbox (None: every unread one)."""
        ids = message_ids if message_ids is not None else tuple(m.id for m in self.inbox.unread)
        changed = False
        for message_id in ids:
            if self.inbox.mark_read(message_id):
                self._sink.mark_message_read(message_id)
                self._write("message_read", message_id=message_id)
                changed = True
        if changed:
            self._changed()

    def send_to_lead(self, body: str) -> str | None:
        """Write to the lead; "Enregistré" once on disk, "Envoyé" once the server took it.
        Returns the message's local id (None: nothing to send)."""
        text = body.strip()[:MAX_MESSAGE_CHARS]
        if not text:
            return None
        message = Message(
            id=f"local:{uuid.uuid4()}",
            sender=self._agent_name,
            body=text,
            sent_at=dt.datetime.fromtimestamp(self._clock(), dt.UTC),
            read=True,
            mine=True,
            delivery=Delivery.SAVING,
        )
        self.inbox.add(message)
        self._sink.send_to_lead(message.id, text)
        self._write("message_to_lead", message_id=message.id)
        self._changed()
        return message.id

    def message_delivery(self, message_id: str, delivery: Delivery) -> None:
        """A message of mine moved on: saved (the outbox has it), sent, or failed."""
        if self.inbox.set_delivery(message_id, delivery):
            self._write(f"message_to_lead_{delivery.value}", message_id=message_id)
            self._changed()
