"""The error shape of docs/api.md for every failure, and the request body size limit."""

from __future__ import annotations

import json
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024
# routes whose body is a file, not JSON: their own limit (`Limits.diagnostics_max_bytes`)
LARGE_BODY_PATHS = ("/agents/me/diagnostics",)


class ApiError(Exception):
    """Raised by handlers: becomes `{"error": {"code", "message"}}` with `status`.

    `extra`: more fields of the error object for the few refusals that say more
    (409 `already_supervised` names who holds the agent: `by`).
    """

    def __init__(
        self, status: int, code: str, message: str, *, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}


class ErrorPerson(BaseModel):
    id: str
    name: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    by: ErrorPerson | None = None  # 409 already_supervised: the lead already there


class ErrorBody(BaseModel):
    """Every error response."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        400: "Bad request",
        401: "Not authenticated, token expired or device revoked",
        403: "Not allowed for this role or team",
        404: "Not found",
        409: "Conflict (idempotency key reused with another body, or duplicate)",
        413: "Request body too large",
        422: "Invalid input",
        429: "Too many requests (failed logins, call-quality reports)",
    }.items()
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}


def error_response(
    status: int, code: str, message: str, extra: dict[str, Any] | None = None
) -> JSONResponse:
    body = {"code": code, "message": message, **(extra or {})}
    return JSONResponse({"error": body}, status_code=status)


def _describe(errors: list[Any]) -> str:
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
        if err.get("type") == "json_invalid":
            return "The request body is not valid JSON."
        parts.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}")
    return "Invalid input — " + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_input", _describe(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        return error_response(exc.status_code, code, message)

    @app.exception_handler(DataError)
    async def _data(_request: Request, _exc: DataError) -> JSONResponse:
        return error_response(
            422, "invalid_input", "A value is out of range or holds characters that are refused."
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, _exc: IntegrityError) -> JSONResponse:
        return error_response(409, "conflict", "This conflicts with data already stored.")

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        return error_response(500, "internal_error", "The server failed to handle the request.")


class BodyLimitMiddleware:
    """Refuse bodies over `max_bytes` with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctx = getattr(scope["app"].state, "ctx", None)
        max_bytes = self.max_bytes
        if ctx is not None and str(scope.get("path", "")).endswith(LARGE_BODY_PATHS):
            max_bytes = max(max_bytes, ctx.limits.diagnostics_max_bytes)  # a zip, not JSON
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(send, max_bytes)
                    return
        # Read the body up front (bounded in size and time), then hand it to the app.
        deadline_s = ctx.limits.body_timeout_s if ctx is not None else 30.0
        chunks: list[bytes] = []
        seen = 0
        with anyio.move_on_after(deadline_s) as scope_timer:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    await self.app(scope, _replay([], message), send)
                    return
                chunk = message.get("body", b"")
                seen += len(chunk)
                if seen > max_bytes:
                    await self._refuse(send, max_bytes)
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        if scope_timer.cancelled_caught:
            await _send_error(
                send, 408, "body_timeout", f"The request body took over {deadline_s:g} s."
            )
            return
        await self.app(scope, _replay([b"".join(chunks)], None, receive), send)

    async def _refuse(self, send: Send, max_bytes: int) -> None:
        await _send_error(
            send,
            413,
            "body_too_large",
            f"The request body is larger than {max_bytes} bytes.",
        )


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 408:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _replay(bodies: list[bytes], then: Message | None, receive: Receive | None = None) -> Receive:
    """A `receive` that yields the buffered body, then defers to the real one."""
    pending = [{"type": "http.request", "body": b, "more_body": False} for b in bodies]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return then
        assert receive is not None
        return await receive()

    return replay
