"""The hash-pinned locks of the bundle (installers/lock): the agent's lock is exactly the
runtime dependencies of pyproject.toml, every pin carries hashes, nothing of the server."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "installers/lock"


def _pins(text: str) -> dict[str, list[str]]:
    """{name: [hashes]} of a pip-compile --generate-hashes file."""
    pins: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith(("#", " ")) or not line.strip():
            if current and "--hash=sha256:" in line:
                pins[current].append(line.split("--hash=sha256:")[1].split()[0].rstrip("\\"))
            continue
        requirement = Requirement(line.rstrip(" \\"))
        current = re.sub(r"[-_.]+", "-", requirement.name.lower())
        assert str(requirement.specifier).startswith("=="), line
        pins[current] = []
    return pins


def _names(requirements: list[str]) -> set[str]:
    return {re.sub(r"[-_.]+", "-", Requirement(r).name.lower()) for r in requirements}


def test_agent_in_is_the_runtime_dependencies_of_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = [
        line
        for line in (LOCK / "agent.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(map(str, map(Requirement, lines))) == sorted(
        map(str, map(Requirement, project["dependencies"]))
    ), "installers/lock/agent.in differs from [project].dependencies: regenerate the lock"


def test_agent_lock_pins_every_dependency_with_hashes() -> None:
    pins = _pins((LOCK / "agent.txt").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert _names(project["dependencies"]) <= set(pins)
    for name, hashes in pins.items():
        assert hashes, name
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name
    server = _names(project["optional-dependencies"]["server"])
    tests = _names(project["optional-dependencies"]["test"])
    assert not (server | tests) & set(pins), "server or test packages in the agent's lock"
    assert {"pyinstaller", "cyclonedx-bom"}.isdisjoint(pins)


def test_build_lock_pins_pyinstaller_and_cyclonedx_compatibly() -> None:
    agent = _pins((LOCK / "agent.txt").read_text())
    build = _pins((LOCK / "build.txt").read_text())
    assert {"pyinstaller", "pyinstaller-hooks-contrib", "cyclonedx-bom", "altgraph"} <= set(build)
    for name, hashes in build.items():
        assert hashes, name
    # one venv holds both: a package in both locks has one version
    for name in set(agent) & set(build):
        a = re.search(rf"(?im)^{re.escape(name)}==([^\s;\\]+)", (LOCK / "agent.txt").read_text())
        b = re.search(rf"(?im)^{re.escape(name)}==([^\s;\\]+)", (LOCK / "build.txt").read_text())
        assert a is not None, name
        assert b is not None, name
        assert a.group(1) == b.group(1), name
