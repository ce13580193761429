"""The `homeagent` command: the desk, ``demo`` and ``diagnose``, dispatched in one place.

``homeagent [--profile FILE] [--lang fr|en] [--minimized] [tel:…|sip:…]`` runs the agent
desk (`homeagent.desktop.app`), or hands the link to the desk already running;
``homeagent demo`` runs everything on loopback (`homeagent.demo.run`; needs the server
extra, ``pip install homeagent[server]``); ``homeagent diagnose [--json]`` checks network,
server, SIP, audio and the pre-shift network test (`homeagent.desktop.diagnose`);
``homeagent --version`` prints the
version and ``homeagent --self-test`` checks the installation itself: pjsua2, SQLCipher,
Qt Multimedia, the keyring (`homeagent.desktop.selftest`). Each part is imported only when its
command runs, so the desk starts without loading the server or the diagnosis.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from homeagent import __version__

COMMANDS = ("demo", "diagnose", "update")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="homeagent",
        description="HomeAgent, the agent desk and softphone.",
        epilog="Other commands: 'homeagent demo' (everything on this machine, with demo "
        "data) and 'homeagent diagnose [--json]' (checks for IT). "
        "'homeagent update check|download' shows and fetches the verified update for IT. "
        "'homeagent demo --help' and 'homeagent diagnose --help' list their options.",
    )
    parser.add_argument("--version", action="version", version=f"homeagent {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (pjsua2, SQLCipher, Qt Multimedia, keyring) and exit",
    )
    parser.add_argument("--profile", type=Path, help="import this provisioning profile")
    parser.add_argument("--lang", choices=("fr", "en"), help="interface language")
    parser.add_argument("--data-dir", type=Path, help="where the cache and the event log live")
    parser.add_argument("--config-dir", type=Path, help="where the accepted profile lives")
    parser.add_argument("--no-audio", action="store_true", help="do not open sound devices")
    parser.add_argument(
        "--minimized", action="store_true", default=None, help="start in the tray (or minimised)"
    )
    parser.add_argument(
        "--instance",
        help="single-instance name (default: $HOMEAGENT_INSTANCE or 'desk'); "
        "a second start with the same name raises the running window",
    )
    parser.add_argument(
        "link",
        nargs="?",
        default="",
        help="a tel:, sip: or sips: link: the number is prepared in the window (never dialled)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `homeagent` command."""
    args = sys.argv[1:] if argv is None else list(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migration chatter: nothing to do
    if args[:1] == ["demo"]:
        try:
            from homeagent.demo.run import main as demo_main
        except ModuleNotFoundError as exc:  # an agent PC without the server extra
            print(
                f"homeagent demo needs the server's packages ({exc.name} is missing): "
                "pip install 'homeagent[server]'",
                file=sys.stderr,
            )
            return 2
        return demo_main(args[1:])
    if args[:1] == ["update"]:
        from homeagent.update.cli import main as update_main

        return update_main(args[1:])
    if args[:1] == ["diagnose"]:
        from homeagent.desktop.diagnose import main as diagnose_main

        return diagnose_main(args[1:])
    ns = _parser().parse_args(args)
    if ns.self_test:
        logging.getLogger().setLevel(logging.WARNING)  # the checks' own lines only
        from homeagent.desktop.selftest import run as self_test

        return self_test()
    from homeagent.core.dial_link import InvalidDialLink, parse_dial_link
    from homeagent.desktop.app import AppOptions, run_desk
    from homeagent.desktop.instance import instance_name

    if ns.link:
        try:
            parse_dial_link(ns.link)
        except InvalidDialLink as exc:
            logging.getLogger("homeagent").error("refused the link on the command line: %s", exc)
            return 2
    try:
        instance = instance_name(ns.instance)
    except ValueError as exc:
        print(f"homeagent: {exc}", file=sys.stderr)
        return 2

    return run_desk(
        AppOptions(
            profile_file=ns.profile,
            lang=ns.lang,
            data_dir=ns.data_dir,
            config_dir=ns.config_dir,
            use_audio=not ns.no_audio,
            link=ns.link,
            instance=instance,
            minimized=ns.minimized,
        )
    )
