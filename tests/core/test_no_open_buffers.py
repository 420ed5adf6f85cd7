"""No buffered file is left open when a command ends.

Every command ends through ``fastpath.end``, which flushes stdout and stderr and then
leaves with ``os._exit``: a file object still open then would lose whatever its buffer
held, silently. So every buffered file awsenv opens is the subject of a ``with`` (or is
written by ``fsutil.atomic_write``, which is one): this reads the package's source and
refuses any other. Raw descriptors (``os.open``) have no buffer and are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import awsenv

PACKAGE = Path(awsenv.__file__).resolve().parent

# Calls that return a buffered file object, by the name called.
OPENERS = frozenset({"open", "fdopen", "makefile", "NamedTemporaryFile", "TemporaryFile",
                     "SpooledTemporaryFile"})
# Callees of those names that return no buffered file: a raw descriptor, a browser.
NOT_FILES = frozenset({"os.open", "webbrowser.get().open"})


def unmanaged_opens(source: str, name: str = "<source>") -> list[str]:
    """Each call in ``source`` that opens a buffered file outside a ``with`` item."""
    tree = ast.parse(source, name)
    managed = {id(item.context_expr) for node in ast.walk(tree)
               if isinstance(node, (ast.With, ast.AsyncWith)) for item in node.items}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in managed:
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if called in OPENERS and ast.unparse(func) not in NOT_FILES:
            found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_check_finds_an_open_file_left_to_the_exit() -> None:
    source = ("import os\n"
              "f = open('x', 'w')\n"
              "g = os.fdopen(3, 'w')\n"
              "with open('y') as h, Path('z').open() as i:\n    pass\n"
              "fd = os.open('w', os.O_RDONLY)\n")
    found = unmanaged_opens(source)
    assert [line.split(":")[1] for line in found] == ["2", "3"], found


def test_every_buffered_file_awsenv_opens_is_closed_by_a_with() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50  # the installed package, whole
    found = [hit for path in files
             for hit in unmanaged_opens(path.read_text(encoding="utf-8"),
                                        str(path.relative_to(PACKAGE)))]
    assert found == [], "open these in a with block (fastpath.end skips finalisation):\n" \
        + "\n".join(found)
