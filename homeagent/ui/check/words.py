"""What the pre-shift check says, in the UI language: line names, levels, what to do.

The decisions (levels, which advice) are in `homeagent.core.preshift`; this module only
turns an `Advice` code and its figures into a plain sentence (no code reaches the
screen). `homeagent diagnose` prints the same sentences.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from homeagent.core.preshift import Advice, Item, ItemId, Level


def item_title(item_id: ItemId) -> str:
    titles = {
        ItemId.SERVER: QCoreApplication.translate("PreShiftCheck", "Server"),
        ItemId.ECHO: QCoreApplication.translate("PreShiftCheck", "Voice over the Internet"),
        ItemId.BANDWIDTH: QCoreApplication.translate("PreShiftCheck", "Bandwidth for a call"),
        ItemId.SIP: QCoreApplication.translate("PreShiftCheck", "Phone line"),
        ItemId.MICROPHONE: QCoreApplication.translate("PreShiftCheck", "Microphone"),
        ItemId.HEADSET: QCoreApplication.translate("PreShiftCheck", "Headset"),
        ItemId.RINGER: QCoreApplication.translate("PreShiftCheck", "Ringer"),
        ItemId.CLOCK: QCoreApplication.translate("PreShiftCheck", "Clock"),
    }
    return titles[item_id]


def level_text(level: Level) -> str:
    return {
        Level.GREEN: QCoreApplication.translate("PreShiftCheck", "Good"),
        Level.AMBER: QCoreApplication.translate("PreShiftCheck", "To watch"),
        Level.RED: QCoreApplication.translate("PreShiftCheck", "Problem"),
    }[level]


def overall_text(level: Level) -> str:
    return {
        Level.GREEN: QCoreApplication.translate(
            "PreShiftCheck", "Everything is ready for your shift."
        ),
        Level.AMBER: QCoreApplication.translate(
            "PreShiftCheck", "You can work, but some points deserve a look."
        ),
        Level.RED: QCoreApplication.translate(
            "PreShiftCheck", "Something will get in the way of your calls: see the red lines."
        ),
    }[level]


def _num(value: float, digits: int = 0) -> str:
    """In the user's locale ("0,4" in French)."""
    return QLocale().toString(float(value), "f", digits)


def figures_text(item: Item) -> str:
    """The measured figures of a line, short ("perte 0,4 % · gigue 3 ms · MOS 4,3")."""
    f = item.figures
    if item.id is ItemId.SERVER and "latency_ms" in f:
        return QCoreApplication.translate("PreShiftCheck", "answers in {ms} ms").format(
            ms=_num(f["latency_ms"])
        )
    if item.id is ItemId.ECHO and "mos_g722" in f:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "loss {loss} % · jitter {jitter} ms · round trip {rtt} ms · "
            "MOS {g722} (G.722), {pcma} (G.711)",
        ).format(
            loss=_num(f["loss_pct"], 1),
            jitter=_num(f["jitter_ms"]),
            rtt=_num(f["rtt_ms"]),
            g722=_num(f["mos_g722"], 1),
            pcma=_num(f["mos_pcma"], 1),
        )
    if item.id is ItemId.BANDWIDTH and "kbit_s" in f:
        return QCoreApplication.translate("PreShiftCheck", "{kbit} kbit/s each way held").format(
            kbit=_num(f["kbit_s"])
        )
    if item.id is ItemId.CLOCK and "offset_s" in f:
        offset = f["offset_s"]  # the server's clock minus ours: > 0, ours is behind
        text = (
            QCoreApplication.translate("PreShiftCheck", "{s} s behind the server")
            if offset > 0
            else QCoreApplication.translate("PreShiftCheck", "{s} s ahead of the server")
        )
        return text.format(s=_num(abs(offset), 1))
    if item.id is ItemId.MICROPHONE and "peak" in f:
        return QCoreApplication.translate("PreShiftCheck", "loudest level {pct} %").format(
            pct=_num(f["peak"] * 100)
        )
    return ""


def advice_text(item: Item) -> str:
    """The plain sentence: what is fine, or what to do."""
    a = item.advice
    if a is Advice.OK:
        return {
            ItemId.SERVER: QCoreApplication.translate(
                "PreShiftCheck", "The server answers quickly."
            ),
            ItemId.ECHO: QCoreApplication.translate(
                "PreShiftCheck", "Your connection carries the voice well."
            ),
            ItemId.BANDWIDTH: QCoreApplication.translate(
                "PreShiftCheck", "Your line has enough bandwidth for a call."
            ),
            ItemId.SIP: QCoreApplication.translate(
                "PreShiftCheck", "Your phone line is connected: calls can reach you."
            ),
            ItemId.MICROPHONE: QCoreApplication.translate(
                "PreShiftCheck", "Your microphone picks you up well."
            ),
            ItemId.HEADSET: QCoreApplication.translate("PreShiftCheck", "You hear the headset."),
            ItemId.RINGER: QCoreApplication.translate("PreShiftCheck", "You hear the ringer."),
            ItemId.CLOCK: QCoreApplication.translate("PreShiftCheck", "Your computer is on time."),
        }[item.id]
    if a is Advice.SERVER_SLOW:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "The server is slow to answer: close the downloads and videos on your other "
            "devices, then check again.",
        )
    if a is Advice.SERVER_DOWN:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "The server does not answer: check that the Internet works (the box's lights), "
            "then call your IT support.",
        )
    if a is Advice.NET_WIRED:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "Voice packets are being lost: plug your computer into the box with a cable "
            "rather than using Wi-Fi.",
        )
    if a is Advice.NET_JITTER:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "Your connection is irregular: plug in with a cable and pause the downloads, "
            "videos and games on the other devices at home.",
        )
    if a is Advice.NET_SLOW:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "The voice takes long to reach the server: restart the box; if it stays so, "
            "tell your IT support.",
        )
    if a is Advice.ECHO_SILENT:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "The voice test gets no answer: a firewall or the box may block it. Tell your "
            "IT support (UDP to the server).",
        )
    if a is Advice.ECHO_UNAVAILABLE:
        return QCoreApplication.translate(
            "PreShiftCheck", "This server offers no voice test: ask your IT support to enable it."
        )
    if a is Advice.BANDWIDTH_UP:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "Your line cannot send enough for a call: stop the uploads (online backups, "
            "video calls) on the other devices, or plug in with a cable.",
        )
    if a is Advice.BANDWIDTH_DOWN:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "Your line cannot receive enough for a call: pause the streaming and downloads "
            "on the other devices, or plug in with a cable.",
        )
    if a is Advice.SIP_FAILED:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "Your phone line is not connected: calls will not reach you. Check again in a "
            "minute; if it stays red, call your IT support.",
        )
    if a is Advice.SIP_NOT_ENROLLED:
        return QCoreApplication.translate(
            "PreShiftCheck", "This computer is not signed in yet: start HomeAgent and sign in."
        )
    if a is Advice.MIC_SILENT:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "We hear nothing from your microphone: check that the headset's mute switch "
            "is off and choose the right microphone in the audio settings.",
        )
    if a is Advice.MIC_LOW:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "Your microphone is very quiet: bring the headset's microphone near your "
            "mouth or raise its level in the system settings.",
        )
    if a is Advice.DEVICE_MISSING:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "No device found: plug the headset in, then choose it in the audio settings.",
        )
    if a is Advice.CONFIRM_HEARD:
        return QCoreApplication.translate(
            "PreShiftCheck", "Listen to the test sound, then say whether you heard it."
        )
    if a is Advice.NOT_HEARD:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "You did not hear it: check the volume and choose the right device in the "
            "audio settings.",
        )
    if a is Advice.CLOCK_OFF:
        return QCoreApplication.translate(
            "PreShiftCheck",
            "Your computer's clock is off: turn on 'Set time automatically' in the date "
            "and time settings.",
        )
    return QCoreApplication.translate("PreShiftCheck", "Not checked this time.")


def line_text(item: Item) -> str:
    """The sentence and, when there are any, the figures in brackets."""
    figures = figures_text(item)
    sentence = advice_text(item)
    return f"{sentence} ({figures})" if figures else sentence
