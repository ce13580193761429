"""`homeagent diagnose --json` reports each check, even with nothing set up."""

from __future__ import annotations

import json
from pathlib import Path

from homeagent.cli import main


def test_diagnose_json_without_profile(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["diagnose", "--json", "--config-dir", str(tmp_path), "--data-dir", str(tmp_path)])
    report = json.loads(capsys.readouterr().out)
    names = [c["name"] for c in report["checks"]]
    assert names == ["profile", "network", "audio"]
    assert report["checks"][0]["status"] == "fail"
    assert code == 1


def test_diagnose_reports_what_the_server_refused(tmp_path: Path) -> None:
    from homeagent.client.errors import ApiError
    from homeagent.crm.outbox import Outbox
    from homeagent.crm.store import LocalStore
    from homeagent.desktop.diagnose import check_outbox

    class Refuses:
        def request(self, method: str, path: str, body: object = None, **_kw: object) -> object:
            raise ApiError(422, "invalid_input", "text: too long")

    store = LocalStore.open(bytes(32), tmp_path)
    try:
        outbox = Outbox(store)
        assert check_outbox(outbox)[0] == "ok"
        outbox.add_note("c-1", "rappeler au 06 12 34 56 78")
        outbox.send_pending(Refuses())
        status, detail = check_outbox(outbox)
    finally:
        store.close()
    assert status == "warn"
    assert "1 refused by the server" in detail
    assert "note: 422 invalid_input" in detail
    assert "12 34 56" not in detail


def test_without_a_profile_it_says_how_to_fix_it_in_french_and_still_checks(
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    code = main(["diagnose", "--lang", "fr", "--config-dir", str(tmp_path),
                 "--data-dir", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert "homeagent --profile" in out
    assert "Aucun profil de connexion" in out
    lines = out.splitlines()
    assert any(" network " in f" {line} " for line in lines), out
    assert any(" audio " in f" {line} " for line in lines), out


def test_the_command_line_keeps_library_chatter_out_of_the_log() -> None:
    import logging

    from homeagent.cli import main as cli_main

    with __import__("contextlib").suppress(SystemExit):
        cli_main(["--help"])
    assert logging.getLogger("alembic").getEffectiveLevel() >= logging.WARNING
