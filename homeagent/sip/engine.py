"""The SIP engine: pjsua2 on one dedicated thread, commands in, frozen events out.

Threading contract (DESIGN.md): the Endpoint is created (``libCreate``), pumped
(``libHandleEvents`` every <= 20 ms) and destroyed on the engine thread only, with
``threadCnt=0`` and ``mainThreadOnly=True``. Other threads talk to it through
:meth:`SipEngine.submit` (a queue). ``on_event`` is called on the engine thread; a GUI must
marshal it to its own thread. Every pjsua2 object (account, calls, tone generator, the
audio attachment's ports) is referenced by the engine and destroyed on its thread before
``libDestroy()``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pjsua2 as pj

from homeagent.core.commands import Command
from homeagent.core.events import EngineFailed, EngineStarted, EngineStopped, Event
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.core.text import clean_value
from homeagent.sip.accounts import EngineAccount, EngineEndpoint
from homeagent.sip.controller import CallController
from homeagent.sip.endpoint import (
    TRANSPORT_TYPES,
    PythonLogWriter,
    account_config,
    endpoint_config,
    quiet_pjlib_until_configured,
    set_codec_priorities,
    transport_config,
)
from homeagent.sip.endpoint import log as pjsip_log
from homeagent.sip.media import AudioAttachment
from homeagent.sip.pjlog import PjsipLogFilter
from homeagent.sip.sip_trace import SipTraceFile
from homeagent.sip.teardown import destroy, unregister

__all__ = ["AudioAttachment", "SipEngine"]

log = logging.getLogger(__name__)

# 20 ms, as Linphone pumps its SDK: media runs on pjmedia's own threads, and a command
# (answer, hang up) waits at most this long; 10 ms cost a call ~0.8 % of a core more
# (benchmarks/README.md, issue 14)
LOOP_POLL_MS = 20
MAX_COMMANDS_PER_TURN = 32
# Room above max_calls for INVITEs waiting to be turned away (see policy.RejectPacer);
# beyond it pjsua answers "486 Too many calls" itself, without creating media.
EXTRA_CALL_SLOTS = 2
# Supervision legs take pjsua call slots too, but never count as calls: one up and one
# waiting for its token (homeagent.sip.supervision).
SUPERVISION_SLOTS = 2


# pjsua2 allows one Endpoint per process: a second one aborts the process. Guard it.
_PROCESS_ENDPOINT = threading.Lock()


class _Stop:
    """Sentinel put on the command queue to end the loop."""


class _AttachAudio:
    """Put on the command queue by `attach_audio`: plug the headset bridge in."""

    def __init__(self, audio: AudioAttachment) -> None:
        self.audio = audio


class SipEngine:
    """One SIP account and its calls, run by pjsua2 on a thread of its own."""

    def __init__(
        self,
        config: EngineConfig,
        account: SipAccountConfig,
        on_event: Callable[[Event], None],
        audio: AudioAttachment | None = None,
    ) -> None:
        self._config = config
        self._account_cfg = account
        self._on_event = on_event
        self._audio = audio
        self._queue: queue.Queue[Command | _Stop | _AttachAudio] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: str | None = None
        self._local_port = 0
        self._stop_deadline = 0.0
        self._ctl: CallController | None = None
        self._ep: pj.Endpoint | None = None
        self._account: EngineAccount | None = None
        self._audio_open = False
        self._writer: PythonLogWriter | None = None
        self._log_filter: PjsipLogFilter | None = None
        self._trace_file: SipTraceFile | None = None

    # ------------------------------------------------------------------ public API
    @property
    def local_port(self) -> int:
        """The local signalling port (known once :meth:`start` returned)."""
        return self._local_port

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout_s: float = 10.0) -> None:
        """Start the engine thread; return once the transport is up and REGISTER sent.

        Raises RuntimeError when the engine cannot start (an EngineFailed event is also
        delivered).
        """
        if self._thread is not None:
            raise RuntimeError("SipEngine.start() called twice")
        if not _PROCESS_ENDPOINT.acquire(blocking=False):
            raise RuntimeError("another SipEngine is running in this process (one pjsua2 Endpoint)")
        self._thread = threading.Thread(target=self._run_guarded, name="sip-engine", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError(f"SIP engine did not start within {timeout_s} s")
        if self._failure is not None:
            self._thread.join(timeout_s)
            raise RuntimeError(self._failure)

    def submit(self, command: Command) -> None:
        """Queue a command for the engine thread (thread-safe, never blocks)."""
        self._queue.put(command)

    def attach_audio(self, audio: AudioAttachment) -> None:
        """Plug the headset bridge in after the start (thread-safe, never blocks).

        The desk starts the engine first, so that it registers while the window and the
        audio devices are being made, then hands the bridge over here. Calls whose audio
        connects afterwards use it (none can be answered before the desk is up).
        """
        self._queue.put(_AttachAudio(audio))

    def stop(self, timeout_s: float = 5.0) -> None:
        """Hang up every call, unregister, destroy pjsua2 and join the thread."""
        thread = self._thread
        if thread is None:
            return
        self._stop_deadline = time.monotonic() + max(timeout_s - 0.5, 0.5)
        self._queue.put(_Stop())
        thread.join(timeout_s)
        if thread.is_alive():
            log.error("SIP engine thread did not stop within %s s", timeout_s)
            raise RuntimeError(f"SIP engine did not stop within {timeout_s} s")

    # ------------------------------------------------------------- engine thread
    def _emit(self, event: Event) -> None:
        try:
            # Every string pjsua2 hands us (URIs, reasons, headers) may carry surrogates
            # from bytes that were not UTF-8: events leave the engine as clean text.
            event = clean_value(event)
            self._on_event(event)
        except Exception:
            log.exception("on_event raised for %s", type(event).__name__)

    def _run_guarded(self) -> None:
        try:
            self._run()
        finally:
            _PROCESS_ENDPOINT.release()

    def _run(self) -> None:
        # pjsua2 objects live in attributes (not locals) so _teardown can drop the last
        # reference to each of them on this thread, before libDestroy().
        # libDestroy() deletes the log writer itself: hand its ownership to C++, but keep
        # the Python side referenced until after libDestroy() (pjsip threads still log
        # while the endpoint is destroyed).
        self._trace_file = (
            SipTraceFile(Path(self._config.sip_trace_file)) if self._config.sip_trace_file else None
        )
        self._log_filter = PjsipLogFilter(
            pjsip_log,
            sip_trace=self._config.sip_trace,
            trace=self._trace_file.write if self._trace_file is not None else None,
        )
        writer = self._writer = PythonLogWriter(self._log_filter)
        writer.__disown__()
        try:
            ctl = self._ctl = CallController(
                self._config,
                self._account_cfg,
                self._emit,
                self._audio,
                self._trusted_hosts(),
            )
            ep = self._ep = EngineEndpoint(ctl)
            ctl.endpoint = ep
            quiet_pjlib_until_configured()
            ep.libCreate()
            ep.libInit(
                endpoint_config(
                    self._config,
                    writer,
                    self._config.max_calls + EXTRA_CALL_SLOTS + SUPERVISION_SLOTS,
                )
            )
            ep.audDevManager().setNullDev()
            ttype = TRANSPORT_TYPES[self._account_cfg.transport]
            transport_id = ep.transportCreate(
                ttype, transport_config(self._config, self._account_cfg)
            )
            self._local_port = int(ep.transportGetInfo(transport_id).localName.rsplit(":", 1)[1])
            ep.libStart()
            set_codec_priorities(ep, self._config.codecs)
            ctl.tone = pj.ToneGenerator()
            ctl.tone.createToneGenerator(16000, 1)
            if self._audio is not None:
                self._audio.open()
                self._audio_open = True
            self._account = EngineAccount(ctl)
            ctl.account = self._account
            ctl.registration.registering()
            self._account.create(account_config(self._config, self._account_cfg, transport_id))
        except Exception as exc:
            message = _describe(exc)
            log.error("SIP engine failed to start: %s", message)
            self._failure = message
            self._emit(EngineFailed(message))
            self._ready.set()
            self._teardown()
            return
        self._emit(EngineStarted(self._local_port, self._account_cfg.transport.value))
        self._ready.set()
        reason = "stopped"
        try:
            self._loop(ep, ctl)
        except Exception as exc:
            reason = _describe(exc)
            log.exception("SIP engine loop failed")
            self._emit(EngineFailed(reason))
        try:
            self._shutdown(ep, ctl)
        except Exception:
            log.exception("SIP engine shutdown")
        del ep, ctl
        self._teardown()
        self._emit(EngineStopped(reason))

    def _loop(self, ep: pj.Endpoint, ctl: CallController) -> None:
        while True:
            if ctl.flood.flooded(time.monotonic()):
                time.sleep(LOOP_POLL_MS / 1000)  # let pjsip's closed socket slots free up
            else:
                ep.libHandleEvents(LOOP_POLL_MS)
            for _ in range(MAX_COMMANDS_PER_TURN):
                try:
                    command = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(command, _Stop):
                    return
                if isinstance(command, _AttachAudio):
                    self._plug_audio(ctl, command.audio)
                    continue
                ctl.handle(command)
            try:
                ctl.tick(time.monotonic())
            except Exception:  # keep the engine alive; the log says what broke
                log.exception("engine tick")

    def _plug_audio(self, ctl: CallController, audio: AudioAttachment) -> None:
        if self._audio is not None:
            log.warning("an audio attachment is already plugged in: the new one is ignored")
            return
        try:
            audio.open()
        except Exception:  # calls go on on the null device
            log.exception("audio attachment open")
            return
        self._audio, self._audio_open = audio, True
        ctl.audio = audio
        ctl.media.audio = audio

    def _shutdown(self, ep: pj.Endpoint, ctl: CallController) -> None:
        """Hang up every call and let the BYEs go out, within the stop deadline."""
        deadline = self._stop_deadline or time.monotonic() + 4.5
        ctl.supervision.shutting_down()
        with contextlib.suppress(pj.Error):
            ep.hangupAllCalls()
        # Let the hang-ups complete, but keep room for unregistering and destroying.
        budget = min(deadline - 1.0, time.monotonic() + 2.0)
        while time.monotonic() < budget and ctl.busy:
            ep.libHandleEvents(LOOP_POLL_MS)
            ctl.tick(time.monotonic())
        ctl.tick(time.monotonic())
        # Unregister here, on the registrar's answer: libDestroy would sleep a second.
        if self._account is not None:
            registered = [(self._account, lambda: ctl.registration.registered)]
            if not unregister(ep, registered, deadline - 0.5):
                log.warning("the registrar did not answer the unregistration before the stop")

    def _teardown(self) -> None:
        """Destroy every pjsua2 object on this thread, then the library."""
        ctl, self._ctl = self._ctl, None
        if ctl is not None:
            ctl.detach_all()
            ctl.account = None
            ctl.tone = None
            # no loop variable may hold a Call past libDestroy: its destructor asserts
            for call_id in [record.call_id for record, _ in ctl.calls]:
                ctl.calls.remove(call_id)
        if self._audio is not None and self._audio_open:
            self._audio_open = False
            try:
                self._audio.close()
            except Exception:
                log.exception("audio attachment close")
        account, self._account = self._account, None
        if account is not None:
            with contextlib.suppress(pj.Error):
                account.shutdown()
            del account
        ep, self._ep = self._ep, None
        if ep is not None:
            try:
                destroy(ep)
            except pj.Error as exc:
                log.error("libDestroy: %s", _describe(exc))
            if ctl is not None:
                ctl.endpoint = None
            del ep
        del ctl
        self._writer = None  # its C++ side went with libDestroy()
        if self._log_filter is not None:
            self._log_filter.flush()
        if self._trace_file is not None:
            self._trace_file.close()

    def _trusted_hosts(self) -> frozenset[str]:
        """IPs allowed to send INVITEs: configured, or the registrar's addresses."""
        if self._config.trusted_sources:
            return frozenset(self._config.trusted_sources)
        host = self._account_cfg.registrar_host
        try:
            infos = socket.getaddrinfo(host, self._account_cfg.registrar_port)
        except OSError:
            return frozenset({host})
        return frozenset({host} | {str(info[4][0]) for info in infos})


def _describe(exc: BaseException) -> str:
    if isinstance(exc, pj.Error):
        return str(exc.info())
    return f"{type(exc).__name__}: {exc}"
