"""Fixtures for sipp: run the scenarios of tests/sipp/ against a SIP endpoint.

``sipp`` gives a :class:`SippRunner`; ``runner.start(...)`` launches sipp in the
background (returns a :class:`SippRun` to ``wait()`` on) and ``runner.run(...)`` waits.
Each run gets its own free port and its own log files in the test's tmp dir.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from tests.helpers.procs import free_port, require_tool, stop

SCENARIOS = Path(__file__).resolve().parents[1] / "sipp"


@dataclass
class SippResult:
    returncode: int
    successful: int
    failed: int
    messages: str  # the -trace_msg log
    errors: str  # the -trace_err log
    stats: str  # the -trace_stat CSV (last line has the totals)
    rtt_ms: list[float]  # per-call response times (-trace_rtt), in ms


class SippRun:
    """A sipp process started in the background."""

    def __init__(
        self, proc: subprocess.Popen[bytes], directory: Path, name: str, out: IO[bytes]
    ) -> None:
        self.proc = proc
        self.dir = directory
        self.name = name
        self._out = out

    def wait(self, timeout_s: float = 60.0) -> SippResult:
        try:
            self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.stop()
            raise TimeoutError(f"sipp {self.name} still running after {timeout_s} s") from None
        self._out.close()
        return self.result()

    def result(self) -> SippResult:
        def read(pattern: str) -> str:
            return "\n".join(p.read_text(errors="replace") for p in sorted(self.dir.glob(pattern)))

        stats = "\n".join(
            p.read_text(errors="replace")
            for p in sorted(self.dir.glob("*.csv"))
            if not p.name.endswith(("_rtt.csv", "_counts.csv"))
        )
        successful = failed = 0
        lines = [line for line in stats.splitlines() if line.strip()]
        if len(lines) >= 2:
            header = lines[0].split(";")
            last = lines[-1].split(";")
            row = dict(zip(header, last, strict=False))
            successful = int(row.get("SuccessfulCall(C)", 0) or 0)
            failed = int(row.get("FailedCall(C)", 0) or 0)
        rtts: list[float] = []
        for line in read("*_rtt.csv").splitlines()[1:]:
            parts = line.split(";")
            if len(parts) >= 3 and re.match(r"^[0-9.]+$", parts[2]):
                rtts.append(float(parts[2]))
        return SippResult(
            returncode=self.proc.returncode if self.proc.returncode is not None else -1,
            successful=successful,
            failed=failed,
            messages=read("*_messages.log"),
            errors=read("*_errors.log"),
            stats=stats,
            rtt_ms=rtts,
        )

    def stop(self) -> None:
        stop(self.proc)
        self._out.close()


class SippRunner:
    """Starts sipp processes for one test; all stopped at teardown."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.runs: list[SippRun] = []
        self.binary = require_tool("sipp")

    def start(
        self,
        scenario: str,
        target: str,
        *,
        calls: int = 1,
        rate: float = 1.0,
        limit: int = 10,
        service: str = "1001",
        keys: dict[str, str] | None = None,
        timeout_s: int = 60,
        bind: str = "127.0.0.1",
        trace_rtt: bool = False,
        extra: list[str] | None = None,
    ) -> SippRun:
        name = f"{len(self.runs)}-{Path(scenario).stem}"
        directory = self.tmp / f"sipp-{name}"
        directory.mkdir(parents=True)
        scenario_path = SCENARIOS / scenario
        argv = [
            self.binary, target, "-sf", str(scenario_path),
            "-i", bind, "-p", str(free_port(host=bind)), "-mp", str(free_port(host=bind)),
            "-s", service, "-m", str(calls), "-r", str(rate), "-rp", "1000", "-l", str(limit),
            "-timeout", f"{timeout_s}s", "-timeout_error", "-max_recv_loops", "10000",
            "-trace_msg", "-trace_err", "-trace_stat", "-fd", "1",
            "-nostdin",
        ]  # fmt: skip
        if trace_rtt:
            argv += ["-trace_rtt", "-rtt_freq", "1"]
        for key, value in (keys or {}).items():
            argv += ["-key", key, value]
        argv += extra or []
        out = open(directory / "stdout.log", "wb")  # noqa: SIM115 - closed by SippRun
        proc = subprocess.Popen(
            argv,
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        run = SippRun(proc, directory, name, out)
        self.runs.append(run)
        return run

    def run(self, scenario: str, target: str, **kwargs: object) -> SippResult:
        timeout = float(kwargs.get("timeout_s", 60)) + 15  # type: ignore[arg-type]
        return self.start(scenario, target, **kwargs).wait(timeout)  # type: ignore[arg-type]

    def close(self) -> None:
        for run in self.runs:
            run.stop()


@pytest.fixture
def sipp(tmp_path: Path) -> Iterator[SippRunner]:
    """Run sipp scenarios from tests/sipp/ (logs under the test's tmp dir)."""
    runner = SippRunner(tmp_path)
    yield runner
    runner.close()
