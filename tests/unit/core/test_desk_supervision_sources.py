"""Only the server's authenticated stream starts a supervision leg (docs/supervision-contract.md,
"Agent desk"): read from the sources, so a new caller anywhere in the product fails here.

- `StartSupervision` is built in one place of the product: `DeskSupervision.requested`;
- `DeskSupervision.requested` is called from one place: the desk composition's stream
  handler, in its `supervision_requested` branch.
(The test doubles in `homeagent.testing` are outside the product: the layering test keeps
the product from importing them.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import homeagent

PACKAGE = Path(homeagent.__file__).resolve().parent


def _product_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "testing" not in p.relative_to(PACKAGE).parts]


def _places(name: str, *, attribute: bool) -> list[tuple[str, str, ast.AST]]:
    """(module, enclosing function, node) of every call to `name` (a plain name, or an
    attribute when `attribute`) in the product."""
    found: list[tuple[str, str, ast.AST]] = []
    for path in _product_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        scopes: list[ast.Module | ast.FunctionDef | ast.AsyncFunctionDef] = [tree]
        scopes += [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]  # outer scopes first: a later (inner) one claims the call below
        for func in scopes:
            owner = "<module>" if isinstance(func, ast.Module) else func.name
            for node in (n for stmt in func.body for n in ast.walk(stmt)):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                hit = (
                    isinstance(f, ast.Attribute) and f.attr == name
                    if attribute
                    else (isinstance(f, ast.Name) and f.id == name)
                    or (isinstance(f, ast.Attribute) and f.attr == name)
                )
                if hit:
                    found.append((path.relative_to(PACKAGE).as_posix(), owner, node))
    # a call in a nested function is also seen from its enclosing one: keep the innermost
    innermost: dict[int, tuple[str, str, ast.AST]] = {}
    for place in found:
        innermost[id(place[2])] = place
    return list(innermost.values())


def test_the_leg_is_only_ever_started_by_the_stream_request_handler() -> None:
    places = {(m, f) for m, f, _ in _places("StartSupervision", attribute=False)}
    assert places == {("core/desk_supervision.py", "requested")}


def test_the_request_handler_is_only_called_from_the_stream_s_supervision_requested() -> None:
    places = _places("requested", attribute=True)
    assert {(m, f) for m, f, _ in places} == {("desktop/session.py", "_on_desk_stream_event")}
    source = (PACKAGE / "desktop" / "session.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    handler = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef) and n.name == "_on_desk_stream_event"
    )
    # the branch that calls it tests exactly `event.type == "supervision_requested"`
    branches = [
        n
        for n in ast.walk(handler)
        if isinstance(n, ast.If)
        and any(
            isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute)
            and c.func.attr == "requested"
            for stmt in n.body
            for c in ast.walk(stmt)
        )
    ]
    assert branches, "the call is not under a test of the event's type"
    test = branches[-1].test  # the innermost `if`/`elif` holding the call
    assert ast.unparse(test) == "event.type == 'supervision_requested'"
    [stream_event] = [a for a in handler.args.args if a.arg == "event"]
    assert ast.unparse(stream_event.annotation) == "StreamEvent"  # type: ignore[arg-type]
