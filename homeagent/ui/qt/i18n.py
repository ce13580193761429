"""Language choice and translation loading (English source, French first translation).

The French catalogue is ``resources/translations/homeagent_fr.ts``; its compiled ``.qm``
is produced by ``pyside6-lrelease`` (``python -m homeagent.ui.qt.i18n`` or on first use into
the user cache when the ``.qm`` is missing or older than the ``.ts``).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from homeagent.ui.qt.theme import RESOURCES

LANGUAGES = ("fr", "en")
# The locale of dates and times when the system gives none (C/POSIX): the UI language's.
# English is the British one: a 24-hour clock and the day before the month, as the
# French contact centres it serves write them (en_US would read "10/7/26 10:50 AM").
UI_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
TRANSLATIONS = RESOURCES / "translations"
_log = logging.getLogger(__name__)


def choose_language(requested: str | None = None, system: str | None = None) -> str:
    """`--lang` wins; otherwise French when the system locale is French, else English."""
    if requested in LANGUAGES:
        return requested
    name = system if system is not None else QLocale.system().name()
    return "fr" if name.lower().startswith("fr") else "en"


def _lrelease() -> str:
    import PySide6

    tool = Path(PySide6.__file__).parent / "lrelease"
    if tool.exists():
        return str(tool)
    return str(Path(sys.executable).parent / "pyside6-lrelease")


def _lupdate() -> str:
    return str(Path(_lrelease()).with_name(Path(_lrelease()).name.replace("lrelease", "lupdate")))


def source_files() -> list[Path]:
    """The modules whose strings go into the catalogues (the UI and the composition)."""
    package = RESOURCES.parent / "homeagent"
    return sorted(p for part in ("ui", "desktop") for p in (package / part).rglob("*.py"))


def update_catalogue(ts_file: Path) -> None:
    """Bring `ts_file` up to date with the code's strings (pyside6-lupdate, no obsolete)."""
    subprocess.run(
        [_lupdate(), *map(str, source_files()), "-no-obsolete", "-locations", "none",
         "-ts", str(ts_file)],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip


def compile_catalogue(lang: str, out_dir: Path) -> Path:
    """Compile ``homeagent_<lang>.ts`` into ``out_dir/homeagent_<lang>.qm``."""
    source = TRANSLATIONS / f"homeagent_{lang}.ts"
    target = out_dir / f"homeagent_{lang}.qm"
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [_lrelease(), "-silent", str(source), "-qm", str(target)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return target


def catalogue(lang: str, cache_dir: Path) -> Path | None:
    """A ``.qm`` for `lang` at least as new as its ``.ts`` (compiled if needed)."""
    source = TRANSLATIONS / f"homeagent_{lang}.ts"
    if not source.exists():
        return None
    for qm in (TRANSLATIONS / f"homeagent_{lang}.qm", cache_dir / f"homeagent_{lang}.qm"):
        if qm.exists() and qm.stat().st_mtime >= source.stat().st_mtime:
            return qm
    try:
        return compile_catalogue(lang, cache_dir)
    except (OSError, subprocess.SubprocessError) as exc:
        _log.warning("could not compile the %s translation: %s", lang, exc)
        return None


def remove_translators(app: QCoreApplication, installed: list[QTranslator]) -> None:
    """Undo `install_translators` (an in-process caller, e.g. a test, keeps its language)."""
    for translator in installed:
        app.removeTranslator(translator)
    QLocale.setDefault(QLocale.system())


def ui_locale(lang: str, system: QLocale | None = None) -> QLocale:
    """The locale dates and times are written in: French for the French UI; for English,
    the system's, unless the system has none (C/POSIX: "7 10 2026 10:50") — then the UI
    language's (`UI_LOCALES`)."""
    system = system if system is not None else QLocale.system()
    if lang != "en" or system.language() in (QLocale.Language.C, QLocale.Language.AnyLanguage):
        return QLocale(UI_LOCALES.get(lang, "en_GB"))
    return system


def install_translators(app: QCoreApplication, lang: str, cache_dir: Path) -> list[QTranslator]:
    """Install Qt's own and HomeAgent's translators and the UI's locale (`ui_locale`);
    keep the returned list alive."""
    installed: list[QTranslator] = []
    QLocale.setDefault(ui_locale(lang))
    if lang == "en":
        return installed
    qt = QTranslator(app)
    if qt.load(
        QLocale(lang), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt)
        installed.append(qt)
    path = catalogue(lang, cache_dir)
    ours = QTranslator(app)
    if path is not None and ours.load(str(path)):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        _log.warning("no %s translation found; the interface stays in English", lang)
    return installed


def main(argv: list[str] | None = None) -> int:
    """``python -m homeagent.ui.qt.i18n [OUT_DIR]``: compile every catalogue."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else TRANSLATIONS
    for lang in LANGUAGES:
        if (TRANSLATIONS / f"homeagent_{lang}.ts").exists():
            print(compile_catalogue(lang, out))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    raise SystemExit(main())
