"""``homeagent demo``: the server, Kamailio, the agent app and calling customers, on loopback.

Prints where the server listens and the agent's SIP address, then opens the desk logged in
as a demo agent. Customers (demo contacts) call the agent's queue every so often, through
the ACD (`--direct`: straight to the agent), and say a French phrase;
the team lead's messages arrive in the inbox. Ctrl+C or closing the window stops it all.

`--lead` also opens the team lead's app beside the desk, signed in as the lead of the
desk's team, and puts a simulated team of `--team-size` agents (8–12, default 10) on that
team: they sign in, take the queue's calls through the ACD, wrap up, take breaks, miss a
call now and then — every change goes through the server, so the lead's board is alive.
The demo prints the lead's user name and password (a demo on loopback).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from homeagent.demo.world import TEAM_SIZES, DemoWorld

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="homeagent demo", description=__doc__)
    p.add_argument("--lang", choices=("fr", "en"), help="interface language (default fr)")
    p.add_argument("--contacts", type=int, default=2000, help="demo contacts (default 2000)")
    p.add_argument(
        "--call-every", type=float, default=45.0,
        help="seconds between calls (default 45; with --lead the rate follows the team)",
    )  # fmt: skip
    p.add_argument("--first-call", type=float, default=10.0, help="seconds before the first")
    p.add_argument(
        "--talk", type=float, help="seconds each customer talks (default 20-40; with --lead 20-90)"
    )
    p.add_argument(
        "--direct",
        action="store_true",
        help="customers call the agent's address directly instead of the queue (ACD)",
    )
    p.add_argument("--dir", type=Path, help="keep everything in this folder")
    p.add_argument("--no-audio", action="store_true", help="do not open sound devices")
    p.add_argument(
        "--lead", action="store_true",
        help="open the team lead's app too, on a team of simulated agents",
    )  # fmt: skip
    p.add_argument(
        "--team-size", type=int, default=10, choices=TEAM_SIZES, metavar="8..12",
        help="simulated agents with --lead (default 10)",
    )  # fmt: skip
    p.add_argument(
        "--pace", type=float, default=1.0,
        help="scale the simulated team's talk, wrap-up and break times (default 1)",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=11, help="the simulated team's randomness")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the demo until the window closes or Ctrl+C."""
    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.lead and args.direct:
        parser.error("--lead needs the queue (ACD): leave out --direct")
    if not 0.05 <= args.pace <= 10:
        parser.error("--pace must be between 0.05 and 10")
    root = args.dir or Path(tempfile.mkdtemp(prefix="homeagent-demo-"))
    world = DemoWorld(
        root, contacts=args.contacts, call_every_s=args.call_every,
        first_call_after_s=args.first_call, talk_s=args.talk, acd=not args.direct,
        team_size=args.team_size if args.lead else 0, pace=args.pace, seed=args.seed,
    )  # fmt: skip
    try:
        print("HomeAgent démo : préparation (serveur, Kamailio, données)…", flush=True)
        world.start()
        print(f"Serveur        : {world.server_url}  (API {world.server_url}/api/v1)")
        print(f"SIP            : Kamailio udp:127.0.0.1:{world.sip_port}")
        print(f"Agent          : {world.agent_name} — {world.agent_aor}")
        if world.acd:
            print(f"File d'attente : {world.queue_uri} (ACD, sonnerie sans réponse → Non prêt)")
        if world.team_size:
            print(f"Équipe         : {world.team_size} agents simulés ({root}/team-*.log)")
            print(f"Superviseur    : {world.lead_name} — identifiant {world.lead_login}")
            print(f"Mot de passe   : {world.password}  (démo en local uniquement)")
        print(f"Dossier        : {root}")
        print("Ctrl+C ou fermer la fenêtre pour arrêter.", flush=True)
        return _run_desk(world, args)
    except KeyboardInterrupt:
        return 130
    finally:
        world.stop()
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)


def _run_desk(world: DemoWorld, args: argparse.Namespace) -> int:
    from homeagent.core.sip_config import EngineConfig
    from homeagent.desktop.app import AppOptions, run_desk
    from homeagent.testing.vault import MemoryVault

    def started(session: Any) -> None:
        from homeagent.core.agent_state import AgentState

        session.model.set_presence(AgentState.AVAILABLE)  # the demo agent starts ready
        if world.team_size:  # the lead's window opens on the right
            from homeagent.demo.placement import place

            place(session.window, "left")

        def lead() -> None:
            try:
                world.post_lead_messages()
            except Exception as exc:
                log.warning("demo team-lead messages: %s", exc)

        threading.Thread(target=lead, name="demo-lead", daemon=True).start()
        if world.team_size:
            world.start_lead_window(lang=args.lang or "fr", use_audio=not args.no_audio)
        world.start_customers()

    return run_desk(
        AppOptions(
            profile_file=world.profile_path,
            lang=args.lang or "fr",
            data_dir=world.root / "agent",
            config_dir=world.root / "config",
            use_audio=not args.no_audio,
            profile_store=world.profile_store(),
            vault=MemoryVault(),
            engine_config=EngineConfig(bind_address="127.0.0.1"),
            credentials=(world.agent_login, world.password),
            on_started=started,
        )
    )
