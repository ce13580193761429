"""`homeagent --self-test` and `--version`: one line per check, exit status 0 only if all
pass (the real checks run in the installed bundle: tests/integration/installers)."""

from __future__ import annotations

import pytest

import homeagent
from homeagent import cli
from homeagent.desktop import selftest


def _fails() -> str:
    raise RuntimeError("the thing is\nmissing")


def test_all_checks_passing_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = selftest.run((("one", lambda: "fine"), ("two", lambda: "also fine")))
    out = capsys.readouterr()
    assert code == 0
    assert "ok   one: fine" in out.out
    assert "ok   two: also fine" in out.out
    assert out.out.rstrip().endswith("self-test passed")
    assert out.err == ""


def test_a_failing_check_gives_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code = selftest.run((("one", _fails), ("two", lambda: "fine")))
    out = capsys.readouterr()
    assert code == 1
    assert out.err.splitlines() == ["FAIL one: RuntimeError: the thing is missing"]
    assert "ok   two: fine" in out.out  # the other checks still run
    assert "self-test failed (1)" in out.out


def test_sqlcipher_check_really_encrypts() -> None:
    assert "wrong key refused" in selftest.check_sqlcipher()


def test_qt_check_imports_the_modules_the_app_uses() -> None:
    assert "QtCharts" in selftest.check_qt()


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"homeagent {homeagent.__version__}"


def test_self_test_flag_runs_the_checks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(selftest, "CHECKS", (("stub", lambda: "ran"),))
    monkeypatch.setattr(selftest.run, "__defaults__", (selftest.CHECKS,))
    assert cli.main(["--self-test"]) == 0
    assert "ok   stub: ran" in capsys.readouterr().out


def test_noise_check_runs_the_real_filter() -> None:
    pytest.importorskip("webrtc_noise_gain")
    assert "dB quieter" in selftest.check_noise()


def test_noise_check_fails_when_the_filter_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "webrtc_noise_gain", None)  # import raises ImportError
    with pytest.raises(RuntimeError, match="unavailable"):
        selftest.check_noise()
