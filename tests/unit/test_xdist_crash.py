"""The suite's group scheduler (tests/helpers/xdist_crash.py) ends a run whose worker died.

Each case runs a small suite in a pytest of its own, under `--dist loadgroup` with a test
that kills its worker; with pytest-xdist 3.8's own scheduler, these runs never end.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("xdist")

REPO = Path(__file__).resolve().parents[2]

CRASH = "import os\n\n\ndef test_crash():\n    os._exit(3)\n"
PLUGINS = ["-p", "tests.helpers.xdist_crash", "-p", "no:cacheprovider"]
PASS = "def test_pass():\n    pass\n"


def _run(tmp_path: Path, files: dict[str, str], workers: int) -> subprocess.CompletedProcess[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-n", str(workers), "--dist", "loadgroup", *PLUGINS],
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=120,  # the unpatched scheduler: no end at all
        check=False,
    )


def _counts(out: str) -> tuple[int, int]:
    summary = out.strip().splitlines()[-1]
    failed = re.search(r"(\d+) failed", summary)
    passed = re.search(r"(\d+) passed", summary)
    return (int(failed[1]) if failed else 0, int(passed[1]) if passed else 0)


@pytest.mark.parametrize(
    "body",
    [
        PASS + "\n\n" + CRASH,  # the dead worker had finished a test (xdist 1323)
        CRASH + "\n\n" + PASS,  # the replacement gets one test (xdist 1327)
    ],
    ids=["crash-last", "crash-first"],
)
def test_a_crashed_worker_is_replaced_and_the_run_ends(tmp_path: Path, body: str) -> None:
    done = _run(tmp_path, {"test_one.py": body}, workers=1)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "replacing crashed worker" in done.stdout
    assert _counts(done.stdout) == (1, 1), done.stdout  # the crash counted once, not rerun
    assert "crashed while running 'test_one.py::test_crash'" in done.stdout


def test_the_other_groups_and_files_still_run_after_a_crash(tmp_path: Path) -> None:
    grouped = "import pytest\n\npytestmark = pytest.mark.xdist_group('g')\n\n\n"
    files = {
        "test_a.py": PASS + "\n\ndef test_pass_2():\n    pass\n",
        "test_b.py": grouped + CRASH + "\n\n" + PASS,
        "test_c.py": grouped + PASS,
        "test_d.py": PASS,
    }
    done = _run(tmp_path, files, workers=2)
    assert done.returncode == 1, done.stdout + done.stderr
    assert _counts(done.stdout) == (1, 5), done.stdout
