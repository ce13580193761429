"""Translated words for the core's enums (state names, notices, qualities…).

Every string is a literal in a ``QCoreApplication.translate`` call so ``pyside6-lupdate``
finds it; the dictionaries are built at call time, after the translator is installed.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence

from homeagent.core.agent_state import RONA_REASON, AgentState, Presence
from homeagent.core.desk_snapshot import Notice, QualityLevel
from homeagent.core.desk_types import (
    Delivery,
    Disposition,
    HelpStatus,
    HelpView,
    RemoteChange,
    ServerLink,
    UnsentKind,
)
from homeagent.core.events import RegistrationState


def state_name(state: AgentState) -> str:
    """The agent state's name (``Disponible``, ``En appel``…)."""
    return {
        AgentState.OFFLINE: QCoreApplication.translate("Labels", "Offline"),
        AgentState.AVAILABLE: QCoreApplication.translate("Labels", "Available"),
        AgentState.BREAK: QCoreApplication.translate("Labels", "Break"),
        AgentState.NOT_READY: QCoreApplication.translate("Labels", "Not ready"),
        AgentState.RINGING: QCoreApplication.translate("Labels", "Ringing"),
        AgentState.ON_CALL: QCoreApplication.translate("Labels", "On call"),
        AgentState.WRAP_UP: QCoreApplication.translate("Labels", "Wrap-up"),
    }[state]


def presence_text(presence: Presence) -> str:
    """The state with its reason: ``Pause — Déjeuner``; a call that rang out (the ACD's
    RONA code) reads ``Non prêt — appel manqué``, never its code."""
    name = state_name(presence.state)
    if presence.state is AgentState.NOT_READY and presence.reason == RONA_REASON:
        presence = Presence(presence.state, QCoreApplication.translate("Labels", "missed call"))
    if presence.reason and presence.state is AgentState.BREAK:
        template = QCoreApplication.translate("Labels", "Break — {reason}")
        lead = template.split("{reason}")[0].strip(" —-")  # "Pause"
        if _names_it(presence.reason, lead) or _names_it(presence.reason, name):
            return presence.reason  # "Pause café", never "Pause — Pause café"
        return template.format(reason=presence.reason)
    if presence.reason:
        return QCoreApplication.translate("Labels", "{state} — {reason}").format(
            state=name, reason=presence.reason
        )
    return name


def registration_text(state: RegistrationState) -> str:
    """The SIP line's state, as an indicator label."""
    return {
        RegistrationState.UNREGISTERED: QCoreApplication.translate("Labels", "Line off"),
        RegistrationState.REGISTERING: QCoreApplication.translate("Labels", "Line connecting…"),
        RegistrationState.REGISTERED: QCoreApplication.translate("Labels", "Line ready"),
        RegistrationState.FAILED: QCoreApplication.translate("Labels", "Line down"),
    }[state]


def server_text(link: ServerLink) -> str:
    """The server connection, as an indicator label."""
    return {
        ServerLink.ONLINE: QCoreApplication.translate("Labels", "Server online"),
        ServerLink.RECONNECTING: QCoreApplication.translate("Labels", "Reconnecting…"),
        ServerLink.OFFLINE: QCoreApplication.translate("Labels", "Offline mode"),
    }[link]


def quality_text(level: QualityLevel) -> str:
    """Call quality in one word."""
    return {
        QualityLevel.UNKNOWN: QCoreApplication.translate("Labels", "Quality: measuring…"),
        QualityLevel.GOOD: QCoreApplication.translate("Labels", "Quality: good"),
        QualityLevel.FAIR: QCoreApplication.translate("Labels", "Quality: fair"),
        QualityLevel.POOR: QCoreApplication.translate("Labels", "Quality: poor"),
    }[level]


def delivery_text(delivery: Delivery | None) -> str:
    """Where the wrap-up is: saving, saved (durable), sent (acknowledged)."""
    if delivery is None:
        return ""
    return {
        Delivery.SAVING: QCoreApplication.translate("Labels", "Saving…"),
        Delivery.SAVED: QCoreApplication.translate("Labels", "Saved"),
        Delivery.SENT: QCoreApplication.translate("Labels", "Sent"),
        Delivery.FAILED: QCoreApplication.translate("Labels", "Not saved — try again"),
    }[delivery]


def notice_text(notice: Notice) -> str:
    """An inline notice under the controls."""
    return {
        Notice.NONE: "",
        Notice.TRANSFER_FAILED: QCoreApplication.translate(
            "Labels", "Transfer failed: the call is still yours."
        ),
        Notice.TRANSFER_DONE: QCoreApplication.translate("Labels", "Call transferred."),
        Notice.HELP_SENT: QCoreApplication.translate(
            "Labels", "Help request sent to your team lead."
        ),
        Notice.DISPOSITION_REQUIRED: QCoreApplication.translate(
            "Labels", "Choose a disposition to save."
        ),
        Notice.CALLBACK_IN_PAST: QCoreApplication.translate(
            "Labels", "The callback time is already past."
        ),
        Notice.WRAP_UP_FIRST: QCoreApplication.translate("Labels", "Save the wrap-up first."),
        Notice.ENGINE_FAILED: QCoreApplication.translate(
            "Labels", "The phone line stopped; restart the app."
        ),
        Notice.CALL_MISSED: QCoreApplication.translate("Labels", "Missed call."),
        Notice.CUSTOMER_HUNG_UP: QCoreApplication.translate("Labels", "The customer hung up."),
        Notice.HOLD_FAILED: QCoreApplication.translate(
            "Labels", "The other side refused the hold: the call is still live."
        ),
        Notice.RESUME_FAILED: QCoreApplication.translate(
            "Labels", "The other side refused to resume: the customer is still on hold. Try again."
        ),
    }[notice]


def unsent_kind_text(kind: UnsentKind) -> str:
    """What a refused outbox entry was, in the agent's words."""
    return {
        UnsentKind.CALL: QCoreApplication.translate("Labels", "Call record"),
        UnsentKind.WRAP_UP: QCoreApplication.translate("Labels", "Wrap-up"),
        UnsentKind.NOTE: QCoreApplication.translate("Labels", "Note"),
        UnsentKind.CONTACT: QCoreApplication.translate("Labels", "New contact"),
        UnsentKind.CALLBACK: QCoreApplication.translate("Labels", "Callback"),
        UnsentKind.RECEIPT: QCoreApplication.translate("Labels", "Read receipt"),
        UnsentKind.STATE: QCoreApplication.translate("Labels", "Presence change"),
        UnsentKind.HELP_REQUEST: QCoreApplication.translate("Labels", "Help request"),
        UnsentKind.MESSAGE: QCoreApplication.translate("Labels", "Message to the team lead"),
    }.get(kind, QCoreApplication.translate("Labels", "Other item"))


def _lead_name(change: RemoteChange) -> str:
    return change.by or QCoreApplication.translate("Labels", "your team lead")


def _with_why(text: str, why: str) -> str:
    if not why:
        return text
    return QCoreApplication.translate("Labels", "{what} — {why}").format(what=text, why=why)


def remote_change_text(change: RemoteChange) -> str:
    """Who set the agent's state, and why: "Mis en pause par Claire M. — Réunion d'équipe"."""
    name = _lead_name(change)
    template = {
        AgentState.BREAK: QCoreApplication.translate("Labels", "Put on break by {name}"),
        AgentState.NOT_READY: QCoreApplication.translate("Labels", "Set to Not ready by {name}"),
        AgentState.OFFLINE: QCoreApplication.translate(
            "Labels", "Signed out by {name}: you no longer receive calls"
        ),
        AgentState.AVAILABLE: QCoreApplication.translate("Labels", "Set to Available by {name}"),
    }.get(change.state, QCoreApplication.translate("Labels", "State changed by {name}"))
    why = change.note or (change.reason if change.state is AgentState.BREAK else "")
    return _with_why(template.format(name=name), why)


def pending_text(change: RemoteChange) -> str:
    """A lead's change waiting for the call's end: "Pause prévue à la fin de l'appel (Claire)"."""
    name = _lead_name(change)
    template = {
        AgentState.BREAK: QCoreApplication.translate(
            "Labels", "Break planned at the end of the call ({name})"
        ),
        AgentState.NOT_READY: QCoreApplication.translate(
            "Labels", "Not ready planned at the end of the call ({name})"
        ),
        AgentState.OFFLINE: QCoreApplication.translate(
            "Labels", "Sign-out planned at the end of the call ({name})"
        ),
    }.get(
        change.state,
        QCoreApplication.translate(
            "Labels", "State change planned at the end of the call ({name})"
        ),
    )
    return _with_why(template.format(name=name), change.note)


def help_text(help_: HelpView) -> str:
    """Where the agent's help request is: sent, the lead coming, resolved."""
    if help_.status is HelpStatus.ACKNOWLEDGED:
        name = help_.by or QCoreApplication.translate("Labels", "Your team lead")
        return QCoreApplication.translate("Labels", "{name} is coming").format(name=name)
    return {
        HelpStatus.SAVED: QCoreApplication.translate("Labels", "Help request saved, sending…"),
        HelpStatus.SENT: QCoreApplication.translate("Labels", "Help request sent"),
        HelpStatus.RESOLVED: QCoreApplication.translate("Labels", "Help request resolved"),
    }[help_.status]


def key_text(keys: str) -> str:
    """A key sequence as the agent reads it ("Ctrl+Entrée"); the same on buttons and in F1.

    Qt names the main Enter key "Return" ("Retour" in French) where keyboards print
    "Entrée"/"Enter": the words of our catalogue replace it. A sentence stays as written.
    """
    if " " in keys.strip():
        return keys
    native = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) or keys
    enter = QCoreApplication.translate("Labels", "Enter")
    for qt_word in (
        "Return",
        QKeySequence("Return").toString(QKeySequence.SequenceFormat.NativeText),
    ):
        native = native.replace(qt_word, enter)
    return native


def _names_it(reason: str, word: str) -> bool:
    """Whether a break reason already starts with the word that names the state."""
    return bool(word) and reason.casefold().startswith(word.casefold())


def disposition_text(code: str, dispositions: Iterable[Disposition]) -> str:
    """A disposition code as the agent reads it: the team's label ("Faux numéro").

    A code the team no longer has (renamed or removed since the call) is never shown raw:
    its words, capitalised ("wrong_number" → "Wrong number")."""
    if not code:
        return ""
    for item in dispositions:
        if item.code == code:
            return item.label
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def supervision_text(mode: str, lead_name: str) -> str:
    """The supervision indicator's line: ``Écoute : Claire Martin``."""
    template = {
        "listen": QCoreApplication.translate("Labels", "Listening: {name}"),
        "whisper": QCoreApplication.translate("Labels", "Whispering: {name}"),
        "barge": QCoreApplication.translate("Labels", "Barged in: {name}"),
    }.get(mode, QCoreApplication.translate("Labels", "Listening: {name}"))
    return template.format(name=lead_name or QCoreApplication.translate("Labels", "your team lead"))


def supervision_detail(mode: str) -> str:
    """Who hears whom in a supervision mode, in one sentence."""
    return {
        "listen": QCoreApplication.translate(
            "Labels", "Your team lead hears the call; nobody hears them."
        ),
        "whisper": QCoreApplication.translate(
            "Labels", "Your team lead hears the call; only you hear them."
        ),
        "barge": QCoreApplication.translate(
            "Labels", "Your team lead has joined the call: the customer hears them too."
        ),
    }.get(mode, "")


def supervision_mode_name(mode: str) -> str:
    """A supervision mode as a noun, for a day's list (``Écoute``, ``Chuchotement``…)."""
    return {
        "listen": QCoreApplication.translate("Labels", "Listening"),
        "whisper": QCoreApplication.translate("Labels", "Whispering"),
        "barge": QCoreApplication.translate("Labels", "Barge-in"),
    }.get(mode, "")
