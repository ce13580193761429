"""`homeagent-release` and `homeagent update check|download` as IT runs them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from homeagent.release.cli import main as release
from homeagent.update.cli import main as update
from tests.helpers.tuf_repo import fake_target, http_server


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    r, k = tmp_path / "repo", tmp_path / "keys"
    assert release(["init", "--repo", str(r), "--keys", str(k)]) == 0
    return r, k


def test_init_writes_private_keys_and_a_2_of_3_root(repo: tuple[Path, Path]) -> None:
    r, k = repo
    assert sorted(p.name for p in k.glob("*.pem")) == [
        "root-1.pem", "root-2.pem", "root-3.pem", "snapshot-1.pem", "targets-1.pem",
        "timestamp-1.pem",
    ]  # fmt: skip
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in k.glob("*.pem"))
    assert stat.S_IMODE(k.stat().st_mode) == 0o700
    root = json.loads((r / "metadata" / "1.root.json").read_text())
    assert root["signed"]["roles"]["root"]["threshold"] == 2
    assert len(root["signed"]["roles"]["root"]["keyids"]) == 3
    assert root["signed"]["consistent_snapshot"] is True
    assert len(root["signatures"]) == 3
    assert not list(r.rglob("*.pem"))  # no key ever in the hosted directory


def test_publish_rollout_refresh_and_status(
    repo: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r, k = repo
    base = ["--repo", str(r), "--keys", str(k)]
    file = fake_target(tmp_path, "0.2.0")
    assert release(["add", *base, str(file), "--version", "0.2.0", "--platform",
                    "linux-x86_64", "--channel", "pilot", "--rollout", "10"]) == 0  # fmt: skip
    name = "homeagent-0.2.0-linux-x86_64.tar.gz"
    assert release(["rollout", *base, name, "--percent", "50", "--channel", "stable"]) == 0
    assert release(["refresh-timestamp", *base]) == 0
    capsys.readouterr()
    assert release(["status", "--repo", str(r)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["targets"][name]["rollout_percent"] == 50
    assert status["targets"][name]["channels"] == ["stable"]
    assert status["root_threshold"] == "2 of 3"
    ts = json.loads((r / "metadata" / "timestamp.json").read_text())
    assert ts["signed"]["version"] == 4  # init, add, rollout, refresh
    (stored,) = (r / "targets").iterdir()
    assert stored.name.endswith("." + name)
    assert len(stored.name.split(".")[0]) == 64


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--version", "0.2", "--platform", "linux-x86_64"], "not a version"),
        (
            ["--version", "0.2.0", "--platform", "windows-x86_64"],
            "a windows-x86_64 update is a .msi",
        ),
        (["--version", "0.2.0", "--platform", "linux-x86_64", "--rollout", "120"], "0-100"),
    ],
)
def test_bad_publications_are_refused_and_write_nothing(
    repo: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    args: list[str], message: str,
) -> None:  # fmt: skip
    r, k = repo
    before = sorted(p.name for p in (r / "metadata").iterdir())
    file = fake_target(tmp_path, "0.2.0")
    assert release(["add", "--repo", str(r), "--keys", str(k), str(file), *args]) == 1
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in (r / "metadata").iterdir()) == before


def test_a_version_is_never_replaced_and_a_loose_key_is_refused(
    repo: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r, k = repo
    add = ["add", "--repo", str(r), "--keys", str(k), str(fake_target(tmp_path, "0.2.0")),
           "--version", "0.2.0", "--platform", "linux-x86_64"]  # fmt: skip
    assert release(add) == 0
    assert release(add) == 1
    assert "already published" in capsys.readouterr().err
    (k / "timestamp-1.pem").chmod(0o644)
    assert release(["refresh-timestamp", "--repo", str(r), "--keys", str(k)]) == 1
    assert "readable by others" in capsys.readouterr().err


def test_homeagent_update_check_and_download(
    repo: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r, k = repo
    release(["add", "--repo", str(r), "--keys", str(k), str(fake_target(tmp_path, "0.2.0")),
             "--version", "0.2.0", "--platform", "linux-x86_64"])  # fmt: skip
    conf = tmp_path / "etc"
    conf.mkdir()
    (conf / "update-root.json").write_bytes((r / "metadata" / "1.root.json").read_bytes())
    data = tmp_path / "data"
    with http_server(r) as s:
        (conf / "update-policy.json").write_text(json.dumps({"repository_url": s.url}))
        common = ["--config-dir", str(conf), "--data-dir", str(data), "--current-version", "0.1.0"]
        capsys.readouterr()
        assert update(["check", *common, "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["version"] == "0.2.0"
        assert out["result"] == "0.2.0 is available"
        assert update(["download", *common]) == 0
        text = capsys.readouterr().out
        assert "verified: " in text
        assert (
            Path(text.split("verified: ")[1].strip()).read_bytes()
            == fake_target(tmp_path / "again", "0.2.0").read_bytes()
        )
        (conf / "update-policy.json").write_text('{"channel": "beta"}')
        assert update(["check", *common]) == 1
        assert "channel must be one of stable, pilot, got 'beta'" in capsys.readouterr().err
    (conf / "update-root.json").unlink()
    (conf / "update-policy.json").write_text("{}")
    assert update(["check", *common, "--repository-url", "http://127.0.0.1:9"]) == 1
    assert "no update-root.json in" in capsys.readouterr().err
