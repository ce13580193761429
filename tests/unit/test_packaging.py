"""What `pip install homeagent` brings onto an agent PC (the server is an extra)."""

from __future__ import annotations

import re
from importlib.metadata import requires

SERVER_ONLY = {"fastapi", "uvicorn", "sqlalchemy", "alembic", "argon2-cffi", "psycopg"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def test_an_agent_pc_install_pulls_none_of_the_servers_packages() -> None:
    reqs = requires("homeagent") or []
    base = {_name(r) for r in reqs if "extra ==" not in r}
    server = {_name(r) for r in reqs if 'extra == "server"' in r}
    assert "pjsua2-python" in base
    assert "pyside6-essentials" in base
    assert not base & SERVER_ONLY, f"the base install pulls {base & SERVER_ONLY}"
    assert server >= SERVER_ONLY, f"homeagent[server] misses {SERVER_ONLY - server}"
