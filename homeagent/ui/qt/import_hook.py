"""PySide6's import hook, answered from the file instead of `inspect.getsource`.

PySide6 (PYSIDE-2029) asks of every module imported after it whether its source mentions
"PySide6", to give the module its `__feature__` default: it reads the source through
`inspect.getsource` (linecache, tokenize), which cost 80 ms of the desk's 550 ms of
imports in a virtualenv (measured over 516 modules; `benchmarks/README.md`, start-up).
`install()` puts the same question to the file's bytes (16 ms), and leaves every other
case (no file, not a `.py`, unreadable) to PySide6's own function. A PyInstaller bundle
has no source files, so there PySide6's own answer is already quick.

Internal to PySide6 (`shibokensupport.feature._mod_uses_pyside`): when that function is
not there, nothing is changed (`tests/unit/ui/qt/test_import_hook.py`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType


def install() -> bool:
    """Replace the hook's source check (once); False when PySide6 has none."""
    feature = sys.modules.get("shibokensupport.feature")
    original: Callable[[ModuleType], bool] | None = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "from_file", False):
        return False

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return original(module)

    uses_pyside.from_file = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True
