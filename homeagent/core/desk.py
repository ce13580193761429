"""The agent desk's decisions, without Qt: the agent's intents on top of `DeskState`.

`DeskModel` turns what the agent asks (answer, hold, transfer, change presence, save the
wrap-up…) into engine commands and server/outbox writes through its `DeskSink`, and
produces a new `DeskSnapshot` for the UI after each change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState
from homeagent.core.desk_lead import DeskLeadNews
from homeagent.core.desk_snapshot import Notice, Screen
from homeagent.core.desk_types import Contact, Delivery, HelpRequest, HelpView, WrapUpRecord
from homeagent.core.events import CallPhase
from homeagent.core.timefmt import mask_number

_MANUAL = (AgentState.AVAILABLE, AgentState.BREAK, AgentState.OFFLINE)


class DeskModel(DeskLeadNews):
    """One agent's desk: state plus intents. Every intent returns at once."""

    # -- agent intents: calls ----------------------------------------------------------

    def answer(self) -> None:
        """Answer the ringing call."""
        if self._call is not None and self._call.phase is CallPhase.RINGING:
            self._sink.submit(cmd.Answer(self._call.call_id))

    def decline(self) -> None:
        """Turn the ringing call down (486, so the queue offers it to someone else)."""
        if self._call is not None and self._call.phase is CallPhase.RINGING:
            self._declined = self._call.call_id
            self._write("call_declined", call_id=self._call.call_id)
            self._sink.submit(cmd.Reject(self._call.call_id, 486))

    def hang_up(self) -> None:
        """End the consultation call if there is one, else the call."""
        target = self._consult or self._call
        if target is not None and target.phase is not CallPhase.RINGING:
            self._hung_up_here = target.call_id
            self._sink.submit(cmd.Hangup(target.call_id))

    def toggle_hold(self) -> None:
        """Hold or resume the call."""
        call = self._call
        if call is None or call.phase not in (CallPhase.ACTIVE, CallPhase.HELD):
            return
        command = cmd.Resume(call.call_id) if call.held else cmd.Hold(call.call_id)
        self._sink.submit(command)

    def toggle_mute(self) -> None:
        """Mute or unmute the microphone on the call."""
        if self._call is not None and self._call.connected_at_s is not None:
            self._sink.submit(cmd.SetMute(self._call.call_id, not self._call.muted))

    def send_dtmf(self, digits: str) -> None:
        """Send keypad digits on the call."""
        if self._call is not None and self._call.connected_at_s is not None and digits:
            self._sink.submit(cmd.SendDtmf(self._call.call_id, digits))

    def dial(self, destination: str) -> None:
        """Call a number (click-to-dial, redial, callback)."""
        if self._call is None and self._wrap_up is None and destination.strip():
            self._pending_dial, self._pending_number = "main", destination.strip()
            self._sink.submit(cmd.Dial(destination.strip()))
            self._write("dial", remote_number=destination)

    def blind_transfer(self, destination: str) -> None:
        """Transfer the call to a queue, an agent or a number without talking first."""
        if self._call is not None and self._call.connected_at_s is not None and destination:
            self._write("transfer_blind", call_id=self._call.call_id)
            self._sink.submit(cmd.BlindTransfer(self._call.call_id, destination.strip()))

    def start_consultation(self, destination: str) -> None:
        """Hold the call and dial the transfer target (attended transfer, step 1)."""
        call = self._call
        if call is None or call.connected_at_s is None or self._consult or not destination:
            return
        if not call.held:
            self._sink.submit(cmd.Hold(call.call_id))
        self._pending_dial, self._pending_number = "consult", destination.strip()
        self._sink.submit(cmd.Dial(destination.strip()))

    def complete_transfer(self) -> None:
        """Join the customer and the consulted party (attended transfer, step 2)."""
        if self._call is not None and self._consult is not None:
            self._write("transfer_attended", call_id=self._call.call_id)
            self._sink.submit(cmd.AttendedTransfer(self._call.call_id, self._consult.call_id))

    def request_help(self, text: str = "") -> None:
        """Ask the team lead for help with this call (once per call)."""
        call = self._call
        if call is None or call.help_requested:
            return
        contact = self._card.contact if self._card else None
        started = self._interaction.answered_at if self._interaction else None
        request = HelpRequest(
            id=str(uuid.uuid4()),
            text=text,
            queue=call.queue,
            contact_id=contact.id if contact else "",
            remote_number_masked=mask_number(call.number),
            call_started_at=started,
        )
        self._help, self._help_server_id, self._help_news = HelpView(request.id), None, {}
        self._sink.request_help(request)
        self._call = replace(call, help_requested=True)
        self._notice = Notice.HELP_SENT
        self._write("help_requested", call_id=call.call_id)
        self._changed()

    def create_contact(self, first_name: str, last_name: str, company: str = "") -> None:
        """Quick-create a contact for the unknown caller on the card."""
        if self._card is None or self._card.known:
            return
        contact = Contact(
            id=str(uuid.uuid4()),
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            company=company.strip(),
            phones=(self._card.number,),
        )
        self._sink.create_contact(contact)
        self._card = replace(self._card, contact=contact)
        if self._interaction is not None:
            self._interaction = replace(self._interaction, contact_id=contact.id)
        self._write("contact_created", contact_id=contact.id)
        self._changed()

    # -- agent intents: presence -------------------------------------------------------

    def set_presence(self, state: AgentState, reason: str = "") -> bool:
        """Pick Available, Break (with a reason) or Offline; False when not possible now."""
        if state not in _MANUAL or (state is AgentState.BREAK and not reason):
            return False
        if self._call is not None:
            return False
        if self._wrap_up is not None:
            if not self._wrap_up.submitted:
                self._notice = Notice.WRAP_UP_FIRST
                self._changed()
                return False
            self._wrap_up = None
            self._card = None
        self._notice = Notice.NONE
        self._remote = None  # the agent chose: a lead's earlier change is no news any more
        self._move(state, reason)
        self._changed()
        return True

    def toggle_available(self) -> bool:
        """Ctrl+D: Available ↔ the last break (or Offline when there was none)."""
        if self._presence.state is AgentState.AVAILABLE:
            if self._last_break_reason:
                return self.set_presence(AgentState.BREAK, self._last_break_reason)
            return self.set_presence(AgentState.OFFLINE)
        return self.set_presence(AgentState.AVAILABLE)

    # -- agent intents: wrap-up --------------------------------------------------------

    def edit_call_notes(self, text: str) -> None:
        """Notes typed while talking: the wrap-up starts from them (no redraw needed)."""
        if self._call is not None:
            self._call_notes = text

    def edit_wrap_up(
        self, *, notes: str, disposition: str, callback_at: dt.datetime | None
    ) -> None:
        """Keep the form's draft (so a redraw never loses what the agent typed)."""
        wrap = self._wrap_up
        if wrap is None or wrap.submitted:
            return
        self._wrap_up = replace(wrap, notes=notes, disposition=disposition, callback_at=callback_at)
        if self._notice in (Notice.DISPOSITION_REQUIRED, Notice.CALLBACK_IN_PAST):
            self._notice = Notice.NONE
        self._changed()

    def submit_wrap_up(self) -> bool:
        """Validate and hand the wrap-up to the outbox; "Enregistré" waits for durability."""
        wrap = self._wrap_up
        if wrap is None or wrap.submitted:
            return False
        if not wrap.disposition:
            self._notice = Notice.DISPOSITION_REQUIRED
            self._changed()
            return False
        if wrap.callback_at is not None and wrap.callback_at <= self._now():
            self._notice = Notice.CALLBACK_IN_PAST
            self._changed()
            return False
        contact = self._card.contact if self._card else None
        record = WrapUpRecord(
            id=wrap.record_id or str(uuid.uuid4()),
            interaction_id=wrap.interaction_id,
            disposition=wrap.disposition,
            notes=wrap.notes,
            contact_id=contact.id if contact else "",
            callback_due_at=wrap.callback_at,
            callback_id=str(uuid.uuid4()) if wrap.callback_at else "",
        )
        self._wrap_up = replace(wrap, delivery=Delivery.SAVING, record_id=record.id)
        self._last_delivery = Delivery.SAVING
        self._notice = Notice.NONE
        self._sink.save_wrap_up(record)
        self._write(
            "wrap_up_submitted",
            record_id=record.id,
            interaction_id=record.interaction_id,
            disposition=record.disposition,
            callback=record.callback_due_at is not None,
        )
        self._changed()
        return True

    def wrap_up_durable(self, record_id: str) -> None:
        """The outbox has the wrap-up on disk: now it may say "Enregistré"."""
        self._set_delivery(record_id, Delivery.SAVED)
        wrap = self._wrap_up
        auto = self._team.auto_available_after_wrap_up
        if wrap is not None and wrap.record_id == record_id and auto:
            self._wrap_up = None
            self._card = None
            self._move(AgentState.AVAILABLE)
        self._changed()

    def wrap_up_sent(self, record_id: str) -> None:
        """The server acknowledged the wrap-up: "Envoyé"."""
        self._set_delivery(record_id, Delivery.SENT)
        self._changed()

    def wrap_up_failed(self, record_id: str, message: str = "") -> None:
        """The outbox could not write the wrap-up: the form opens again for a retry."""
        self._set_delivery(record_id, Delivery.FAILED)
        self._write("wrap_up_failed", record_id=record_id, message=message)
        self._changed()

    def _set_delivery(self, record_id: str, delivery: Delivery) -> None:
        order = list(Delivery)
        wrap = self._wrap_up
        if (
            wrap is not None
            and wrap.record_id == record_id
            and (wrap.delivery is None or order.index(delivery) > order.index(wrap.delivery))
        ):
            self._wrap_up = replace(wrap, delivery=delivery)
        if self._last_delivery is None or order.index(delivery) > order.index(self._last_delivery):
            self._last_delivery = delivery
        if delivery is not Delivery.FAILED:
            self._write(f"wrap_up_{delivery.value}", record_id=record_id)

    def tick(self) -> None:
        """Called every second: a wrap-up past its time with a disposition saves itself."""
        wrap = self._wrap_up
        if wrap is None or wrap.submitted or self._clock() < wrap.deadline_s:
            return
        if wrap.disposition and self._team.auto_available_after_wrap_up:
            self._write("wrap_up_timed_out", interaction_id=wrap.interaction_id)
            self.submit_wrap_up()

    def screen(self) -> Screen:
        """What the centre zone shows now."""
        return self._screen()
