"""What the prompt hook answers, whoever supplies the facts: the one home of its rules.

The hook pops the layers of trees the shell left, pushes the identity of a
trusted tree it entered, refreshes or follows the sign-in of the identity on
top, says so in a line, and ends with the state, the watches and the shell's
reference file (awsenv.shells.hook's docstring has the protocol). Those rules
are here, once, on plain strings and the state's layers. The facts come from a
*world*: :class:`awsenv.shells.hook.World` (the full one: trust, the profile
index rebuilt when stale, the keyring's detached refresher) or
:class:`awsenv.shells.fasthook.LeanWorld` (the common warm case with
stdlib-only modules, which raises rather than guess, so the full world answers
instead). Stdlib only, with the modules of `awsenv use`'s fast path.
"""

from __future__ import annotations

import os
import time

from awsenv.shells import refs
from awsenv.shells.answer import base_watches
from awsenv.shells.records import Records
from awsenv.shells.state import Layer, State, current, diff, pop, push

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Protocol

    from awsenv.shells.state import Values

    class Asked(Protocol):
        """What a trusted `.awsenv` asks for (awsenv.project.file.ProjectFile's fields)."""

        profile: str
        region: str | None
        mode: str | None

    class Target(Protocol):
        """What a profile sets now (awsenv.shells.identity.Target's fields)."""

        values: Values
        refresh_at: int
        describe: str
        warnings: list[str]
        pending: str

    class World(Protocol):
        environ: Mapping[str, str]
        config_file: str  # the AWS config file, as the shell watches it
        runtime_dir: str

        def now(self) -> float: ...
        def found(self) -> str: ...
        def evaluate(self, found: str, why: list[str]
                     ) -> tuple[str | None, Asked | None, str]: ...
        def default_mode(self) -> str: ...
        def resolve(self, profile: str, mode: str, region: str | None
                    ) -> tuple[Target | None, str]: ...
        def refresh_top(self, state: State, cur: Values, recs: Records) -> None: ...
        def follow_signin(self, state: State, cur: Values, recs: Records) -> None: ...
        def link_dirs(self, found: str) -> list[str]: ...
        def display(self, path: str) -> str: ...
        def parent(self, path: str) -> str: ...


# Why an `.awsenv` the shell had applied no longer applies (evaluate's ``why``), as the
# hook words it when it drops the file's identity although the user did not leave.
NO_LONGER = {
    "refused": "is refused now",
    "denied": "was denied",
    "changed": "changed since you allowed it",
    "moved": "names a profile that now resolves elsewhere",
}


def display(home: str, path: str) -> str:
    """``path`` with the home directory shown as ``~`` (how the hook names places)."""
    home = home.rstrip("/")
    if home and (path == home or path.startswith(home + "/")):
        return "~" + path[len(home):]
    return path


def kept_line(kept: list[str]) -> str:
    return f"awsenv: kept {', '.join(kept)} (changed by hand)"


def answer(world: World) -> Records:
    """Answer one prompt-hook call from ``world``'s facts (see the module docstring)."""
    t0 = time.time_ns()
    recs = Records()
    environ = world.environ
    state = State.decode(environ.get("_AWSENV_STATE"))
    found = world.found()
    refresh_only = environ.get("_AWSENV_REASON") == "refresh"
    # Only switches between profile-mode identities are replayed by the shell
    # without a process (nothing secret, nothing that expires on its own).
    memo = not refresh_only and all(x.mode == "profile" for x in state.layers)
    cur0 = current(environ)
    cur = dict(cur0)

    why: list[str] = []
    tree, project, line = world.evaluate(found, why)
    left: list[str] = []
    dropped: list[str] = []
    kept: list[str] = []
    while state.top is not None and state.top.tree != tree and not (
        state.top.kind == "use" and state.top.tree is None
    ):
        if state.top.tree and state.top.tree not in left:
            left.append(state.top.tree)
        dropped.append(state.top.profile)
        kept += pop(state, cur)
    # The file the shell had applied is still the nearest one but no longer applies
    # (edited, denied, refused): the user did not leave, so don't say so.
    stayed = bool(found) and found in left and bool(why)
    if line and not refresh_only and not stayed:
        recs.msg(line)
    entered = ""
    if tree and project and (state.top is None or state.top.tree != tree):
        mode = project.mode or world.default_mode()
        target, failed = world.resolve(project.profile, mode, project.region)
        if target is None:
            recs.msg(f"awsenv: {world.display(tree)}: {failed}")
        else:
            for w in target.warnings:
                recs.msg(w)
            layer = Layer("dir", tree, project.profile, mode, region=project.region,
                          refresh_at=target.refresh_at, pending=target.pending)
            push(state, cur, layer, target.values)
            entered = f"awsenv: {target.describe} from {world.display(tree)}"
    top = state.top
    if top is not None and not entered and (
        (top.refresh_at and world.now() >= top.refresh_at)
        or (top.pending and os.path.exists(top.pending))
    ):
        memo = False
        world.refresh_top(state, cur, recs)
    elif top is not None and not entered and not refresh_only:
        world.follow_signin(state, cur, recs)
    changes = diff(cur0, cur)
    back = (f"back to {state.top.profile}" if state.top is not None
            else "restored the previous AWS settings")
    if stayed and changes:
        recs.msg(f"awsenv: {world.display(found)} {NO_LONGER[why[0]]}: "
                 f"dropped {dropped[0]}, {back}")
    if stayed and line and not refresh_only:
        recs.msg(line)
    if entered and changes:
        recs.msg(entered)
    elif left and changes and not stayed:
        recs.msg(f"awsenv: left {world.display(world.parent(left[0]))}: {back}")
    if kept:
        recs.msg(kept_line(kept))
    for name, value in changes:
        recs.env(name, value)
    recs.add("state", state.encode())
    refresh_at = state.top.refresh_at if state.top else 0
    recs.add("refresh", str(refresh_at))
    recs.add("tree", found)
    watches = base_watches(environ)  # the trust stamp and where sign-ins show
    if found:
        watches += [found, world.config_file]
        # `-nt` follows links: the date of each directory holding a link on the way
        # (the `.awsenv` itself or a directory above it) shows the link re-pointed,
        # even at a target older than this answer.
        via = world.link_dirs(found) if project is not None else []
        if not via and os.path.islink(found):
            via.append(os.path.dirname(found))
        watches += [d for d in via if d not in watches]
    if state.top is not None and state.top.pending:
        watches.append(state.top.pending)
    pid = environ.get("_AWSENV_PID", "")
    ref = refs.touch(world.runtime_dir, pid, found, watches, t0, environ.get("_AWSENV_FROM"))
    recs.add("ref", ref)
    refs.mark_refresh(ref, refresh_at)
    for w in watches:
        recs.add("watch", w)
    if memo and ref and all(x.mode == "profile" and not x.pending for x in state.layers):
        recs.add("memo", "1")
    return recs
