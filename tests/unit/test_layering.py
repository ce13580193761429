"""The layering of DESIGN.md, checked by walking every module's imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import homeagent

PACKAGE_ROOT = Path(homeagent.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            # relative import: resolve against the module's package
            pkg = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts[: -node.level]
            found.add(".".join((*pkg, node.module or "")).rstrip("."))
    return found


def _modules(subpackage: str = "") -> list[Path]:
    return sorted((PACKAGE_ROOT / subpackage).rglob("*.py"))


def _top(name: str) -> str:
    return name.split(".")[0]


def test_core_imports_only_the_standard_library_and_itself() -> None:
    for path in _modules("core"):
        for name in _imports(path):
            top = _top(name)
            assert top in sys.stdlib_module_names or name.startswith("homeagent.core"), (
                f"{path.name} imports {name}: core must stay pure Python"
            )


def test_only_sip_imports_pjsua2() -> None:
    for path in _modules():
        if "sip" in path.relative_to(PACKAGE_ROOT).parts[:1]:
            continue
        assert not any(_top(n) == "pjsua2" for n in _imports(path)), f"{path} imports pjsua2"


def _part(path: Path) -> str:
    """The top-level part a module belongs to: core, sip, ui, desktop, … or cli."""
    rel = path.relative_to(PACKAGE_ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


# the server's own packages: an agent PC does not have them (`homeagent[server]`)
SERVER_PACKAGES = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "argon2"}
# the parts that run on an agent PC (`demo` runs a server beside the desk; `server` is one)
DESKTOP_SIDE = {
    "core", "sip", "crm", "client", "security", "ui", "desktop", "testing", "cli", "update",
}  # fmt: skip


# The UI's one third-party import besides Qt: display formatting of phone numbers, in
# one module (pure data, no I/O; see its docstring for why it is not injected instead).
UI_EXCEPTIONS = {"phonenumbers": "ui/qt/phone_format.py"}


def test_ui_imports_only_core_qt_and_itself() -> None:
    for path in _modules("ui"):
        rel = path.relative_to(PACKAGE_ROOT).as_posix()
        for name in _imports(path):
            top = _top(name)
            assert (
                top in sys.stdlib_module_names
                or top == "PySide6"
                or name.startswith(("homeagent.core", "homeagent.ui"))
                or UI_EXCEPTIONS.get(top) == rel
            ), f"{rel} imports {name}: ui sees only core and Qt"


def test_only_ui_and_composition_import_widgets_or_ui() -> None:
    allowed = {"ui", "desktop", "testing", "demo"}
    for path in _modules():
        if _part(path) in allowed:
            continue
        rel = path.relative_to(PACKAGE_ROOT)
        for name in _imports(path):
            assert name != "PySide6.QtWidgets", f"{rel} imports QtWidgets"
            assert not name.startswith("homeagent.ui"), f"{rel} imports the UI"


def test_nothing_but_the_entry_points_imports_the_composition() -> None:
    for path in _modules():
        if _part(path) in {"desktop", "cli", "demo", "testing"}:
            continue
        for name in _imports(path):
            assert not name.startswith("homeagent.desktop"), f"{path} imports the composition"


def test_the_product_never_imports_the_test_doubles() -> None:
    for path in _modules():
        if _part(path) in {"testing", "demo"}:
            continue
        for name in _imports(path):
            assert not name.startswith("homeagent.testing"), f"{path} imports homeagent.testing"


def test_the_desktop_side_never_imports_the_server() -> None:
    for path in _modules():
        if _part(path) not in DESKTOP_SIDE:
            continue
        for name in _imports(path):
            assert not name.startswith("homeagent.server"), f"{path} imports the server"
            assert _top(name) not in SERVER_PACKAGES, f"{path} imports {name} (server extra)"


def test_the_desktop_side_never_imports_the_release_tool() -> None:
    """`homeagent.release` signs updates with the organisation's keys: IT's side only."""
    for path in _modules():
        if _part(path) not in DESKTOP_SIDE:
            continue
        for name in _imports(path):
            assert not name.startswith("homeagent.release"), f"{path} imports the release tool"
