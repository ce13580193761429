"""The organisation's TUF repository, served read-only (`homeagent-server run --updates-dir`).

A static directory made by `homeagent-release` (`metadata/`, `targets/`). Nothing here is
trusted because of where it comes from: the app verifies every file against the signed
metadata, so these routes need no token (a PC checks for updates before it is enrolled
too) and only refuse what a static host must: paths out of the directory, hidden files,
anything but `metadata/*.json` and `targets/*`.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from homeagent.server.errors import ApiError

PREFIX = "/updates"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,250}$")
_TYPES = {
    ".json": "application/json",
    ".gz": "application/gzip",
    ".msi": "application/x-msi",
    ".pkg": "application/octet-stream",
    ".deb": "application/vnd.debian.binary-package",
}
# timestamp.json changes every day: always revalidated. Every other file has its version
# or its hash in its name (consistent snapshots), so its bytes never change.
FRESH = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"


def router_for(directory: Path) -> APIRouter:
    """GET/HEAD /updates/{metadata|targets}/{name} over `directory`."""
    base = directory.resolve()
    router = APIRouter(prefix=PREFIX, tags=["updates"])

    @router.api_route("/{folder}/{name}", methods=["GET", "HEAD"], include_in_schema=True)
    def update_file(folder: str, name: str, request: Request) -> FileResponse:
        """One file of the update repository (see docs/api.md, "Updates")."""
        if folder not in ("metadata", "targets") or not _NAME.match(name) or ".." in name:
            raise ApiError(404, "not_found", "no such update file")
        if folder == "metadata" and not name.endswith(".json"):
            raise ApiError(404, "not_found", "no such update file")
        path = (base / folder / name).resolve()
        if path.parent != base / folder or not path.is_file():  # a symlink out: refused too
            raise ApiError(404, "not_found", "no such update file")
        media = _TYPES.get(path.suffix, "application/octet-stream")
        cache = FRESH if (folder, name) == ("metadata", "timestamp.json") else IMMUTABLE
        if folder == "metadata" and not name.split(".", 1)[0].isdigit() and cache != FRESH:
            cache = FRESH  # an unversioned name (root.json) may change
        return FileResponse(
            path,
            media_type=media,
            headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"},
        )

    return router
