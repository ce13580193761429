"""The day's CSV in the UI language: the words of `homeagent.core.lead_day.day_csv`, the
file name offered, and the write on the disk lane (atomic: no partial file, ever)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from homeagent.core.lead_comms import DayReport
from homeagent.core.lead_day import (
    ENGLISH_CSV,
    FRENCH_CSV,
    CsvFormat,
    CsvLabels,
    day_csv,
    write_atomic,
)
from homeagent.ui.qt.labels import state_name
from homeagent.ui.qt.tasks import TaskRunner

FORMATS: dict[str, CsvFormat] = {"fr": FRENCH_CSV, "en": ENGLISH_CSV}


def csv_labels() -> CsvLabels:
    """The export's headers and words, translated now."""
    return CsvLabels(
        figures_header=(
            QCoreApplication.translate("DayCsv", "Agent"),
            QCoreApplication.translate("DayCsv", "Calls handled"),
            QCoreApplication.translate("DayCsv", "Missed"),
            QCoreApplication.translate("DayCsv", "Declined"),
            QCoreApplication.translate("DayCsv", "Talk time"),
            QCoreApplication.translate("DayCsv", "Wrap-up time"),
            QCoreApplication.translate("DayCsv", "Handle time"),
            QCoreApplication.translate("DayCsv", "Average handle time"),
            QCoreApplication.translate("DayCsv", "Average wrap-up"),
            QCoreApplication.translate("DayCsv", "Breaks"),
            QCoreApplication.translate("DayCsv", "Break time"),
        ),
        hours_header=(
            QCoreApplication.translate("DayCsv", "Agent"),
            QCoreApplication.translate("DayCsv", "Hour"),
            QCoreApplication.translate("DayCsv", "Calls"),
            QCoreApplication.translate("DayCsv", "Average handle time (min)"),
        ),
        timeline_header=(
            QCoreApplication.translate("DayCsv", "Agent"),
            QCoreApplication.translate("DayCsv", "State"),
            QCoreApplication.translate("DayCsv", "Reason"),
            QCoreApplication.translate("DayCsv", "Start"),
            QCoreApplication.translate("DayCsv", "End"),
            QCoreApplication.translate("DayCsv", "Duration"),
        ),
        team=QCoreApplication.translate("DayCsv", "Team"),
        state_name=state_name,
    )


def default_file_name(day: dt.date, scope: str) -> str:
    """ "journee-2026-12-01-service-client.csv" (the scope's name made file-safe)."""
    slug = re.sub(r"[^\w-]+", "-", scope.casefold()).strip("-") or "team"
    prefix = QCoreApplication.translate("DayCsv", "day")
    return f"{prefix}-{day.isoformat()}-{slug}.csv"


def export_day(
    disk: TaskRunner,
    report: DayReport,
    path: Path,
    fmt: CsvFormat,
    *,
    tz: dt.tzinfo | None = None,
    on_done: Callable[[Path], object],
    on_error: Callable[[BaseException], object],
) -> None:
    """Build the CSV now (the words need the GUI thread's translator) and write it on the
    disk lane; `on_done(path)` or `on_error(exc)` on the GUI thread."""
    data = day_csv(report, csv_labels(), fmt, tz)

    def job() -> Path:
        write_atomic(path, data)
        return path

    disk.run(job, on_done, on_error)
