"""The contract between the SIP engine and the headset audio bridge.

The engine runs pjsua2 on the null sound device; real audio goes through an object that
implements :class:`AudioAttachment` (built in ``homeagent.sip.audio``). Every method is
called on the SIP engine thread, the only thread allowed to touch pjsua2 objects.

Life cycle, in order::

    open()                      once, after libStart(): create the pj.AudioMediaPort(s)
    attach(media) / detach(media)   any number of times: a call's audio became active
                                    (answered, resumed) / stopped being active (held, ended)
    close()                     once, before libDestroy(): destroy the ports

``attach`` connects the bridge both ways (``port.startTransmit(media)`` for the microphone
and ``media.startTransmit(port)`` for the speaker); ``detach`` undoes it. Several calls may be
attached at once (e.g. a conference); the engine only attaches the call the agent talks to.

Optional: an attachment may expose a ``port`` attribute (the ``pj.AudioMedia`` its device
side is connected to, or None before ``open()``). When present, the engine plays the
auto-answer "zip tone" into it, so the agent hears it in the headset, and mixes the
supervision leg with the customer call by connecting ports one by one.

Optional too: ``drop(media)``, called instead of ``detach`` when pjsua has already removed
the media's conference port (the call ended, or its stream was replaced on hold): forget
it without disconnecting anything. pjmedia's bridge turns a disconnection from a removed
port into a disconnection of *every* connection of the other port (we saw it cut the
headset from a supervision leg). Without ``drop``, ``detach`` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pjsua2 as pj


@runtime_checkable
class AudioAttachment(Protocol):
    """Where the engine plugs a call's audio in (see the module docstring for the order)."""

    def open(self) -> None:
        """Create the media port(s); called once on the engine thread after libStart()."""

    def attach(self, media: pj.AudioMedia) -> None:
        """Connect a call's audio media (both directions) to the device bridge."""

    def detach(self, media: pj.AudioMedia) -> None:
        """Disconnect a call's audio media from the device bridge (idempotent)."""

    def close(self) -> None:
        """Destroy the media port(s); called once on the engine thread before libDestroy()."""
