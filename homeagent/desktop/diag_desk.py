"""The desk's diagnostic report for IT: the help menu's entry and a lead's or IT's request,
wired to the bundle (`homeagent.desktop.diag_bundle`) and the server (docs/api.md).

The bundle is built on a lane of its own into ``<data dir>/diagnostics/`` (the newest
few kept), shown to the agent (`homeagent.ui.shell.diagnostics`), and sent only when the
agent clicks "Envoyer". A request that was answered meanwhile (404,
409) does not stop the report: it is sent on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from homeagent.client.errors import ApiError, ClientError, ServerUnreachable
from homeagent.core.diagnostics import BundlePreview, PreviewFile, parse_request
from homeagent.core.eventlog import EventLog
from homeagent.core.payload import MalformedPayload
from homeagent.desktop import diag_bundle, diag_device
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskRunner
from homeagent.ui.shell.diagnostics import DiagnosticsController
from homeagent.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

KEPT_BUNDLES = 5  # on this PC, in <data dir>/diagnostics/


def build_preview(
    device: Any, data_dir: Path, audio: dict[str, Any] | None, request_id: int | None
) -> BundlePreview:
    """Build a bundle from this desk's device (disk lane) and read it back for the agent."""
    sources = diag_device.device_sources(device, data_dir, audio=False)
    if audio is not None:
        sources.audio = lambda: audio
    target = diag_device.default_target(data_dir)
    bundle = diag_bundle.build(target, sources)
    _prune(target.parent)
    texts = dict(diag_bundle.read_entries(target))
    files = [
        PreviewFile(
            name="manifest.json",
            size_bytes=len(texts["manifest.json"].encode()),
            masked=(),
            truncated=False,
            text=texts["manifest.json"],
        )
    ]
    files += [
        PreviewFile(
            f.name,
            f.size_bytes,
            tuple(f.masked.items()),
            f.truncated,
            texts[f.name],
            masked_at_source=f.name == "sip-trace.log",  # `homeagent.sip.sip_trace`
        )
        for f in bundle.files
    ]
    return BundlePreview(
        path=str(target),
        size_bytes=bundle.size_bytes,
        files=tuple(files),
        skipped=tuple((s.name, s.reason) for s in bundle.skipped),
        request_id=request_id,
    )


def _prune(folder: Path) -> None:
    bundles = sorted(folder.glob("homeagent-diagnostic-*.zip"), key=lambda p: p.name)
    for old in bundles[:-KEPT_BUNDLES]:
        old.unlink(missing_ok=True)


def send_preview(client: Any, preview: BundlePreview) -> object:
    """Upload the bundle (network lane); a request already answered does not stop it."""
    content = Path(preview.path).read_bytes()
    try:
        return client.send_diagnostics(content, preview.request_id)
    except ApiError as exc:
        if preview.request_id is None or exc.status not in (404, 409):
            raise
        log.info("the diagnostics request was answered meanwhile: sending on its own")
        return client.send_diagnostics(content, None)


def describe(exc: BaseException) -> str:
    """Why a report was not built or sent, in the agent's words."""
    if isinstance(exc, ServerUnreachable):
        return QCoreApplication.translate("Diagnostics", "the server cannot be reached")
    if isinstance(exc, ApiError) and exc.status == 413:
        return QCoreApplication.translate(
            "Diagnostics", "the report is larger than the server accepts"
        )
    if isinstance(exc, ClientError):
        return QCoreApplication.translate("Diagnostics", "the server refused it ({code})").format(
            code=getattr(exc, "code", "") or type(exc).__name__
        )
    if isinstance(exc, OSError):
        return QCoreApplication.translate(
            "Diagnostics", "the disk could not be written ({error})"
        ).format(error=exc.strerror or type(exc).__name__)
    return type(exc).__name__


def wire(
    *,
    device: Any,
    window: MainWindow,
    lanes: Any,
    dispatcher: Dispatcher,
    event_log: EventLog,
    audio_devices: Callable[[], dict[str, Any]] | None = None,
) -> DiagnosticsController:
    """The controller behind the help menu's entry and the request notice.

    Building (seconds for a full trace: it is masked again) and uploading (megabytes on a
    home upstream) run on a lane of their own, so neither holds "Enregistré" (disk lane)
    nor the desk's REST reads (network lane); `controller.close()` stops it.
    """
    data_dir = Path(device.data_dir)
    lane = TaskRunner(dispatcher, "diagnostics")

    def build(request_id: int | None) -> Callable[[], BundlePreview]:
        audio: dict[str, Any] | None = None
        if audio_devices is not None:  # Qt Multimedia: read on the GUI thread
            try:
                audio = audio_devices()
            except Exception as exc:
                audio = {"error": type(exc).__name__}
        return lambda: build_preview(device, data_dir, audio, request_id)

    controller = DiagnosticsController(
        notice=window.diagnostics_notice,
        parent_widget=window,
        build=build,
        send=lambda preview: send_preview(device.client, preview),
        decline=lambda request_id: device.client.decline_diagnostics(request_id),
        run_build=lane.run,
        run_send=lane.run,
        run_decline=lanes.net.run,
        describe_error=describe,
        on_event=event_log.write,
        on_close=lambda: lane.close(wait=False),
    )
    window.diagnostics_requested.connect(controller.open_report)
    return controller


def on_request(controller: DiagnosticsController, data: object, where: str) -> None:
    """A ``diagnostics_requested`` event (or a pending request read at start)."""
    try:
        controller.request_arrived(parse_request(data, route=where))
    except MalformedPayload as exc:
        log.warning("%s", exc)


def read_pending(controller: DiagnosticsController, device: Any, lanes: Any) -> None:
    """At start: a request that arrived while the desk was closed is still asked."""

    def shown(found: object) -> None:
        if isinstance(found, list) and found:
            on_request(controller, found[0], "GET /agents/me/diagnostics/requests")

    read = getattr(device.client, "pending_diagnostics_requests", None)
    if read is None:  # a server client without the diagnostics routes (an old double)
        return
    lanes.net.run(
        read,
        shown,
        lambda exc: log.info("GET /agents/me/diagnostics/requests: %s", exc),
    )
