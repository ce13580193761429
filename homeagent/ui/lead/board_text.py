"""What the team board's cells say: its columns, their headers, each cell's words and
tooltip, the threshold marks and the thresholds in words.

Pure formatting of one row (Qt only for translation and the locale's numbers); the model
(ui/lead/board_model.py) decides when a cell is computed and caches what it says.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QLocale

from homeagent.core import lead_board as lb
from homeagent.core.agent_state import AgentState, Presence
from homeagent.core.lead_records import BoardRow, PendingState
from homeagent.core.lead_settings import TeamBoardSettings
from homeagent.core.timefmt import format_duration
from homeagent.ui.qt.labels import presence_text

(
    COL_AGENT,
    COL_STATE,
    COL_TIME,
    COL_CALL,
    COL_HANDLED,
    COL_AHT,
    COL_BREAKS,
    COL_MISSED,
    COL_QUALITY,
    COL_NETWORK,
) = range(10)
COLUMN_COUNT = 10

MARKS = {lb.Level.WARN: "▲", lb.Level.ALARM: "▲▲"}
ALERT_MARK = "⚑"  # the agent's name when an alert about them is open
NETWORK_MARKS = {lb.Level.OK: "●", lb.Level.WARN: "▲", lb.Level.ALARM: "▲▲"}


def headers() -> list[str]:
    return [
        QCoreApplication.translate("LeadBoard", "Agent"),
        QCoreApplication.translate("LeadBoard", "State"),
        QCoreApplication.translate("LeadBoard", "Time in state"),
        QCoreApplication.translate("LeadBoard", "Current call"),
        QCoreApplication.translate("LeadBoard", "Handled"),
        QCoreApplication.translate("LeadBoard", "Avg handle"),
        QCoreApplication.translate("LeadBoard", "Breaks"),
        QCoreApplication.translate("LeadBoard", "Missed"),
        QCoreApplication.translate("LeadBoard", "Quality"),
        QCoreApplication.translate("LeadBoard", "Network"),
    ]


def pending_text(pending: PendingState | None) -> str:
    """ "Break at the end of the call — by Claire M." (the note in the tooltip)."""
    if pending is None:
        return ""
    what = presence_text(Presence(pending.state, pending.reason))
    return QCoreApplication.translate(
        "LeadBoard", "{state} at the end of the call — by {who}"
    ).format(state=what, who=lb.short_name(pending.by.name))


def state_text(state: AgentState, reason: str) -> str:
    """The state with its reason, in words (a RONA reads "missed call", never its code)."""
    return presence_text(Presence(state, reason))


def network_text(row: BoardRow) -> str:
    """The badge: "● Bon", "▲ Moyen", "▲▲ Mauvais"; "–" when no check today."""
    if row.network is None:
        return "–"
    level = lb.judge_network(row).level
    words = {
        lb.Level.OK: QCoreApplication.translate("LeadBoard", "Good"),
        lb.Level.WARN: QCoreApplication.translate("LeadBoard", "Fair"),
        lb.Level.ALARM: QCoreApplication.translate("LeadBoard", "Poor"),
    }
    return f"{NETWORK_MARKS[level]} {words[level]}"


def network_tooltip(row: BoardRow) -> str:
    """When the agent checked, and the figures behind the badge (MOS, loss)."""
    n = row.network
    if n is None:
        return QCoreApplication.translate("LeadBoard", "No pre-shift check today")
    loc = QLocale()
    at = n.at.astimezone().strftime("%H:%M")
    parts = [QCoreApplication.translate("LeadBoard", "Pre-shift check at {time}").format(time=at)]
    if n.mos is not None:
        parts.append(
            QCoreApplication.translate("LeadBoard", "MOS {mos} (G.722)").format(
                mos=loc.toString(n.mos, "f", 1)
            )
        )
    if n.loss_pct is not None:
        parts.append(
            QCoreApplication.translate("LeadBoard", "loss {loss} %").format(
                loss=loc.toString(n.loss_pct, "f", 1)
            )
        )
    if n.jitter_ms is not None:
        parts.append(
            QCoreApplication.translate("LeadBoard", "jitter {jitter} ms").format(
                jitter=loc.toString(n.jitter_ms, "f", 0)
            )
        )
    if n.rtt_ms is not None:
        parts.append(
            QCoreApplication.translate("LeadBoard", "round trip {rtt} ms").format(
                rtt=loc.toString(n.rtt_ms, "f", 0)
            )
        )
    return " · ".join(parts)


def plain_text(
    live: lb.LiveRow,
    col: int,
    now: dt.datetime,
    supervised: dict[str, str],
    queue_labels: dict[str, str],
    settings: TeamBoardSettings,
) -> str:
    """What a cell says before its threshold mark (the name, the state, the durations...)."""
    row = live.row
    if col == COL_AGENT:
        mark = supervised.get(row.agent_id)
        return f"{row.label} · {mark}" if mark else row.label
    if col == COL_STATE:
        return state_text(row.state, row.reason)
    if col == COL_TIME:
        return format_duration(live.time_in_state_s(now))
    if col == COL_CALL:
        seconds = live.call_s(now)
        if seconds is None or row.call is None:
            return ""
        queue = queue_labels.get(row.call.queue, row.call.queue) or (
            QCoreApplication.translate("LeadBoard", "outbound")
            if row.call.direction == "outbound"
            else QCoreApplication.translate("LeadBoard", "direct")
        )
        if row.state is AgentState.WRAP_UP:  # the call is over: its queue only
            return QCoreApplication.translate("LeadBoard", "after {queue}").format(queue=queue)
        return f"{format_duration(seconds)} · {queue}"
    if col == COL_HANDLED:
        return str(row.today.calls_handled)
    if col == COL_AHT:
        return format_duration(row.today.avg_handle_s) if row.today.calls_handled else "–"
    if col == COL_BREAKS:
        total = format_duration(live.break_total_s(now))
        allowance = settings.break_allowance_s
        if allowance:
            return f"{row.today.breaks.count} · {total} / {format_duration(allowance)}"
        return f"{row.today.breaks.count} · {total}"
    if col == COL_MISSED:
        return str(row.today.missed)
    if col == COL_QUALITY:
        q = row.quality
        if q is None:
            return "–"
        loc = QCoreApplication.translate("LeadBoard", "MOS {mos} · {loss} % · {jitter} ms")
        return loc.format(mos=f"{q.mos:.1f}", loss=f"{q.loss_pct:.1f}", jitter=f"{q.jitter_ms:.0f}")
    return ""


def threshold_words(col: int, judged: lb.Judged, settings: TeamBoardSettings) -> str:
    """The threshold a cell is over, in words ("" when it is not over one)."""
    t = judged.threshold
    if t is None or judged.level is lb.Level.OK:
        return ""
    if col == COL_QUALITY:
        warn, alarm = f"{t.warn:.1f}", f"{t.alarm:.1f}"
        if judged.level is lb.Level.ALARM:
            return QCoreApplication.translate(
                "LeadBoard", "MOS at or under the alarm threshold ({alarm})"
            ).format(alarm=alarm)
        return QCoreApplication.translate(
            "LeadBoard", "MOS at or under the warning threshold ({warn}); alarm at {alarm}"
        ).format(warn=warn, alarm=alarm)
    if col == COL_MISSED:
        warn, alarm = str(int(t.warn)), str(int(t.alarm))
    elif col == COL_BREAKS:
        allowance = format_duration(settings.break_allowance_s)
        if judged.level is lb.Level.ALARM:
            return QCoreApplication.translate(
                "LeadBoard", "Breaks over the day's allowance ({allowance})"
            ).format(allowance=allowance)
        return QCoreApplication.translate(
            "LeadBoard", "Breaks near the day's allowance ({allowance})"
        ).format(allowance=allowance)
    else:
        warn = format_duration(t.warn + judged.offset_s)
        alarm = format_duration(t.alarm + judged.offset_s)
    if judged.level is lb.Level.ALARM:
        return QCoreApplication.translate(
            "LeadBoard", "At or over the alarm threshold ({alarm})"
        ).format(alarm=alarm)
    return QCoreApplication.translate(
        "LeadBoard", "At or over the warning threshold ({warn}); alarm at {alarm}"
    ).format(warn=warn, alarm=alarm)


def cell_tooltip(
    live: lb.LiveRow,
    col: int,
    judged: lb.Judged,
    alerts: dict[str, str],
    supervised: dict[str, str],
    settings: TeamBoardSettings,
) -> str | None:
    """A cell's tooltip: the figures behind it, who set the state, the threshold crossed."""
    row = live.row
    parts: list[str] = []
    if col == COL_AGENT and row.agent_id in alerts:
        parts.append(alerts[row.agent_id])
    if col == COL_AGENT and row.agent_id in supervised:
        parts.append(supervised[row.agent_id])
    if col == COL_STATE:
        parts.append(state_text(row.state, row.reason))
        if row.changed_by is not None:
            parts.append(
                QCoreApplication.translate("LeadBoard", "Set by {who}").format(
                    who=row.changed_by.name
                )
            )
        if row.pending is not None:
            parts.append(pending_text(row.pending))
            if row.pending.note:
                parts.append(
                    QCoreApplication.translate("LeadBoard", "Note: {note}").format(
                        note=row.pending.note
                    )
                )
    elif col == COL_MISSED and row.today.missed_in_row:
        parts.append(
            QCoreApplication.translate("LeadBoard", "{n} in a row").format(
                n=row.today.missed_in_row
            )
        )
    elif col == COL_NETWORK:
        parts.append(network_tooltip(row))
    elif col == COL_QUALITY and row.quality is not None:
        q = row.quality
        parts.append(
            QCoreApplication.translate(
                "LeadBoard", "MOS {mos}, loss {loss} %, jitter {jitter} ms, round trip {rtt} ms"
            ).format(
                mos=f"{q.mos:.2f}",
                loss=f"{q.loss_pct:.1f}",
                jitter=f"{q.jitter_ms:.0f}",
                rtt=f"{q.rtt_ms:.0f}",
            )
        )
        if q.final:
            parts.append(QCoreApplication.translate("LeadBoard", "Last call's final figures"))
    words = threshold_words(col, judged, settings)
    if words:
        parts.append(words)
    return "\n".join(parts) or None
