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


def test_only_ui_and_the_composition_root_import_widgets_or_ui() -> None:
    for path in _modules():
        rel = path.relative_to(PACKAGE_ROOT)
        if rel.parts[0] == "ui" or rel.name == "app.py" or rel.parts[0] == "demo":
            continue
        for name in _imports(path):
            assert name != "PySide6.QtWidgets", f"{rel} imports QtWidgets"
            assert not name.startswith("homeagent.ui"), f"{rel} imports the UI"
