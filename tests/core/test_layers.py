"""Modules import one way (docs/ARCHITECTURE.md, "Layers"): no import circle inside a package.

Every ``import``/``from`` statement counts, also the ones inside functions (a lazy
import is still a dependency, only a later one). The graph is read from the source
with ``ast``, so the test needs no module to load.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "awsenv"


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The awsenv modules ``path`` imports (``from awsenv.x import y`` counts ``awsenv.x.y``
    when that is a module, else ``awsenv.x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in known:
                    found.add(full)
                elif node.module in known:
                    found.add(node.module)
    return found


def graph(subpackage: str) -> dict[str, set[str]]:
    files = sorted((PACKAGE / subpackage).glob("*.py"))
    known = {_module(f) for f in files}
    return {_module(f): _imports(f, known) - {_module(f)} for f in files}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the list of modules around it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_detector_finds_a_circle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("subpackage", ["shells", "auth", "awsconfig", "creds", "sync",
                                        "project", "serve", "emulator", "sandbox", "cli"])
def test_no_import_circle(subpackage: str) -> None:
    assert cycle(graph(subpackage)) is None


def test_no_import_circle_across_the_package() -> None:
    """Across subpackages too, module by module: e.g. creds.get resolves a chained hop
    through creds.chain, which gets the hop's source back through get as an argument,
    never by importing the package."""
    files = sorted(PACKAGE.rglob("*.py"))
    known = {_module(f) for f in files}
    edges = {_module(f): _imports(f, known) - {_module(f)} for f in files}
    assert len(edges) > 100  # the whole package was read
    assert cycle(edges) is None


def test_the_shells_layers_run_one_way() -> None:
    """records/state at the bottom, the answer's parts above them, the full hook and the
    fast entry points on top (the fast answer may fall through to the full one, never
    the reverse)."""
    edges = graph("shells")
    assert "awsenv.shells.fastuse" not in set().union(*(edges[m] for m in edges
                                                         if m != "awsenv.shells.fastuse"))
    for bottom in ("awsenv.shells.records", "awsenv.shells.state", "awsenv.shells.answer"):
        assert not edges[bottom] & {"awsenv.shells.hook", "awsenv.shells.identity",
                                    "awsenv.shells.fastuse", "awsenv.shells.fastprofile"}
