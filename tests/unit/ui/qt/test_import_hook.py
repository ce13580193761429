"""The import hook's quick answer is PySide6's own answer, module by module."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import PySide6.QtCore  # noqa: F401  # loads PySide6's feature module
import pytest

from homeagent.ui.qt import import_hook

feature = sys.modules["shibokensupport.feature"]

MODULES = (
    "homeagent.ui.shell.main_window",  # uses PySide6
    "homeagent.ui.qt.theme",
    "homeagent.core.desk",  # does not
    "homeagent.core.records",
    "json",  # the standard library
    "PySide6.QtWidgets",  # an extension module: no .py file
)


@pytest.fixture
def restore_hook():  # type: ignore[no-untyped-def]
    saved = feature._mod_uses_pyside
    yield
    feature._mod_uses_pyside = saved


def _original():  # type: ignore[no-untyped-def]
    hook = feature._mod_uses_pyside
    while getattr(hook, "from_file", False):  # installed earlier in this process
        hook = hook.__closure__[0].cell_contents
    return hook


@pytest.mark.usefixtures("restore_hook")
def test_the_quick_answer_is_pysides_answer_for_every_kind_of_module() -> None:
    original = _original()
    feature._mod_uses_pyside = original
    assert import_hook.install() is True
    quick = feature._mod_uses_pyside
    assert quick is not original
    answers = {}
    for name in MODULES:
        module = importlib.import_module(name)
        answers[name] = quick(module)
        assert answers[name] == original(module), name
    assert answers["homeagent.ui.shell.main_window"] is True
    assert answers["homeagent.core.desk"] is False
    assert import_hook.install() is False  # once only


@pytest.mark.usefixtures("restore_hook")
def test_an_unreadable_file_is_left_to_pyside(tmp_path: Path) -> None:
    calls: list[str] = []

    def original(module: ModuleType) -> bool:
        calls.append(module.__name__)
        return False

    feature._mod_uses_pyside = original
    import_hook.install()
    gone = ModuleType("gone")
    gone.__file__ = str(tmp_path / "gone.py")  # never written
    assert feature._mod_uses_pyside(gone) is False
    assert calls == ["gone"]


def test_without_pysides_hook_nothing_is_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "shibokensupport.feature")
    assert import_hook.install() is False
