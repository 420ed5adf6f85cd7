"""The Python side of the shell hook and of `awsenv use`: decide, answer with records.

The rendered init script calls ``awsenv hook --protocol N SHELL`` only when
something may have changed (another `.awsenv` tree, a watched file newer than
the shell's reference file, a refresh time reached) and
``awsenv use --emit --protocol N …`` for explicit switches. It passes its
unexported state as an environment prefix on that one command:

    _AWSENV_STATE   identity stack (awsenv.shells.state)
    _AWSENV_FOUND   the `.awsenv` the shell's own walk found ("" = none)
    _AWSENV_PID     the shell's pid (names its reference file)
    _AWSENV_FROM    the tree of the shell's last answer (names the reference file)
    _AWSENV_REF     the shell's current reference file (for `use`)
    _AWSENV_REASON  "refresh" when only a refresh time was reached

The answer is records (awsenv.shells.records), never code. Layers are scoped
to the `.awsenv` tree they were pushed in: leaving a tree pops them, entering
a tree pushes its identity on top, and an explicit `use` inside a tree wins
until the user enters another tree. stdlib only on every path that finds its
data locally (dispatched from awsenv.cli.fastpath before click loads).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from awsenv import locations
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ExitCode, NotSignedIn
from awsenv.project import trust
from awsenv.project.file import ProjectFile, find, logical_cwd
from awsenv.shells import hookanswer, identity, profileindex
from awsenv.shells.answer import back, conclude, switch
from awsenv.shells.hookanswer import kept_line
from awsenv.shells.records import PROTOCOL, Records, send
from awsenv.shells.records import SHELLS as SHELLS  # where the click command finds them
from awsenv.shells.state import Layer, State, Values, current, pop, update

RETRY_AFTER = 60


def _display(env: Environment, path: str | os.PathLike[str]) -> str:
    assert env.paths is not None
    return hookanswer.display(os.fspath(env.paths.home), os.fspath(path))


def evaluate(env: Environment, found: str | None,
             why: list[str] | None = None) -> tuple[str | None, ProjectFile | None, str]:
    """(tree if trusted and valid else None, the parsed file if any, a line for the user).

    Trusted means an allow record for this found path, target and content, made
    while the profile resolved to what it resolves to now (awsenv.project.trust).
    ``why`` (when given) receives the reason it is not: a key of hookanswer.NO_LONGER.
    """
    assert env.paths is not None
    why = [] if why is None else why
    if not found:
        return None, None, ""
    unsafe = locations.unsafe_dir(os.fspath(env.paths.trust_dir))
    if unsafe is not None:  # whoever controls the directory controls what is allowed
        from awsenv.fsutil import unsafe_dir_error

        why.append("refused")
        line = unsafe_dir_error(unsafe).line()
        return None, None, f"awsenv: {_display(env, found)} is not trusted: {line}"
    path = Path(found)
    try:
        project = trust.load(path, profileindex.current(*profileindex.of_paths(env.paths))[0])
        if project.identity:  # a team's file: the local profile for its account and role
            from awsenv.project import resolve

            project = resolve.resolve(project, env.paths.aws_config_file)
    except AwsenvError as exc:
        why.append("refused")
        return None, None, f"awsenv: {exc.line()}"
    status, record = trust.lookup(env.paths.trust_dir, project)
    moved = ""
    if status is trust.Trust.MOVED and record is not None:
        moved = f"profile {record.get('profile')} ({_was(record)})"
    elif status is trust.Trust.ALLOWED and record is not None:
        try:
            pinfo = identity.info(env, project.profile)
        except AwsenvError as exc:
            why.append("refused")
            return None, project, f"awsenv: {exc.line()}"
        if trust.bound_to(record, pinfo.resolves()):
            return found, project, ""
        moved = _was(record)
    why.append("moved" if moved else "denied" if status is trust.Trust.DENIED else "changed")
    where = _display(env, found)
    folder = _display(env, path.parent)
    if status is trust.Trust.DENIED:
        return None, project, f"awsenv: {where} is denied; run `awsenv allow {folder}` to trust it"
    asks = project.profile
    with contextlib.suppress(AwsenvError):
        pinfo = identity.info(env, project.profile)
        asks = identity.describe(pinfo, project.region or pinfo.region)
    if project.mode:
        asks += f", {project.mode} mode"
    if moved and project.identity:
        asks += f", but it resolved to {moved} when you allowed it"
    elif moved:
        asks += f", but {project.profile} resolved to {moved} when you allowed it"
    return None, project, (f"awsenv: {where} asks for {asks}; "
                           f"run `awsenv allow {folder}` to trust it")


def _was(record: dict[str, object]) -> str:
    """What an allow record's profile resolved to, for the "asks again" line."""
    was = trust.resolves_of(record.get("resolves") or {})  # type: ignore[arg-type]
    parts = [x for x in (was["account"], was["role"]) if x]
    if parts:
        text = "/".join(parts)
        return text + (f" in session {was['session']}" if was["session"] else "")
    if was["session"]:
        return f"session {was['session']}"
    return "other credential settings"


def _refresh_top(env: Environment, state: State, cur: dict[str, str | None],
                 recs: Records) -> None:
    """Bring the active identity up to date (refresh time reached or a refresh reported)."""
    from awsenv import fsutil

    layer = state.top
    assert layer is not None
    now = int(env.now())
    if layer.pending:
        result = fsutil.read_json(Path(layer.pending))
        if result is None:
            if now < layer.refresh_at:
                return  # still running
            layer.pending = ""  # never reported: try again below
        else:
            layer.pending = ""
            if not result.get("ok"):
                message = str(result.get("message") or "refresh failed")
                recs.msg(f"awsenv: cannot refresh {layer.profile}: {message}")
                layer.refresh_at = 0 if result.get("signed_out") else now + RETRY_AFTER
                return
    try:
        target = identity.resolve(env, layer.profile, layer.mode, layer.region, keyring=False)
    except AwsenvError as exc:
        signed_out = isinstance(exc, NotSignedIn)
        layer.refresh_at = 0 if signed_out else now + RETRY_AFTER
        recs.msg(f"awsenv: cannot refresh {layer.profile}: {exc.line()}")
        return
    for line in target.warnings:
        recs.msg(line)
    layer.pending = target.pending
    layer.refresh_at = target.refresh_at
    if not target.pending:
        kept = update(layer, cur, target.values)
        if kept:
            recs.msg(kept_line(kept))


def _follow_signin(env: Environment, state: State, cur: dict[str, str | None],
                   recs: Records) -> None:
    """Make the active identity follow its session's sign-in (logout, login elsewhere).

    Signed out (the AWS CLI token file is gone: `awsenv logout`, `aws sso logout`):
    env-mode credentials are dropped and the prompt segment marks the profile ✗
    (AWSENV_EXPIRES=0). Signed in again while the shell shows no time or that
    mark: resolve it afresh, so the prompt shows the time again. Runs only when
    the hook process runs (a watched file changed), never on an idle prompt.
    """
    from awsenv.shells import profileinfo

    assert env.paths is not None
    layer = state.top
    if layer is None:
        return
    try:
        pinfo = identity.info(env, layer.profile)
    except AwsenvError:
        return
    if not pinfo.session_key:
        return  # a profile that needs no sign-in
    expires = profileinfo.token_expiry(env.paths.aws_sso_cache, pinfo.session_key)
    shown = cur.get("AWSENV_EXPIRES")
    if expires is None:
        if shown == "0":
            return  # already marked
        values: dict[str, str | None] = {"AWSENV_EXPIRES": "0"}
        if layer.mode == "env":
            values.update(dict.fromkeys(identity.CREDENTIAL_VARS))
        layer.refresh_at = 0
        layer.pending = ""
        kept = update(layer, cur, values)
        held = "dropped its credentials" if layer.mode == "env" else "kept AWS_PROFILE"
        recs.msg(f"awsenv: signed out of {layer.profile}'s session ({held}); "
                 f"run `awsenv login --profile {layer.profile}`")
        if kept:
            recs.msg(kept_line(kept))
    elif shown in (None, "0"):
        _refresh_top(env, state, cur, recs)


class World:
    """The full facts of the hook's answer (awsenv.shells.hookanswer): trust decides, the
    profile index is rebuilt when stale, a refresh runs (detached when it needs the
    keyring). Whatever the lean answer (awsenv.shells.fasthook) cannot be sure of."""

    def __init__(self, env: Environment) -> None:
        assert env.paths is not None
        self.env = env
        self.environ = env.environ
        self.config_file = os.fspath(env.paths.aws_config_file)
        self.runtime_dir = os.fspath(env.paths.runtime_dir)

    def now(self) -> float:
        return self.env.now()

    def found(self) -> str:
        """The `.awsenv` the shell's walk found ("" = none); the same walk here without one."""
        found = self.environ.get("_AWSENV_FOUND")
        if found is None:
            hit = find(logical_cwd(self.environ), self.environ)
            found = os.fspath(hit) if hit else ""
        return found

    def evaluate(self, found: str, why: list[str]
                 ) -> tuple[str | None, ProjectFile | None, str]:
        return evaluate(self.env, found, why)

    def default_mode(self) -> str:
        return identity.default_mode(self.env)

    def resolve(self, profile: str, mode: str, region: str | None
                ) -> tuple[identity.Target | None, str]:
        try:
            return identity.resolve(self.env, profile, mode, region, keyring=False), ""
        except AwsenvError as exc:
            return None, exc.line()

    def refresh_top(self, state: State, cur: Values, recs: Records) -> None:
        _refresh_top(self.env, state, cur, recs)

    def follow_signin(self, state: State, cur: Values, recs: Records) -> None:
        _follow_signin(self.env, state, cur, recs)

    def link_dirs(self, found: str) -> list[str]:
        return trust.link_dirs(found)

    def display(self, path: str) -> str:
        return _display(self.env, path)

    def parent(self, path: str) -> str:
        return os.fspath(Path(path).parent)


def hook(env: Environment) -> Records:
    """Answer one prompt-hook call (see the module docstring and awsenv.shells.hookanswer)."""
    return hookanswer.answer(World(env))


def use(env: Environment, profile: str | None, *, unset: bool = False,
        mode: str | None = None, region: str | None = None) -> Records:
    """Answer `awsenv use` from the shell function: push (or pop) a `use` layer.

    ``profile`` "-" goes back to the identity shown before the last `use` (or
    `--unset`), as `cd -` does: this shell's state remembers it.
    """
    recs = Records()
    environ = env.environ
    state = State.decode(environ.get("_AWSENV_STATE"))
    cur0 = current(environ)
    cur = dict(cur0)
    if profile == "-" and not unset:
        if state.previous is None:
            raise AwsenvError("no previous profile in this shell",
                              "`awsenv use -` goes back after an `awsenv use PROFILE`",
                              ExitCode.USAGE)
        opts = back({"profile": profile, "unset": False, "mode": mode, "region": region},
                    state.previous)
        profile, unset, mode, region = (opts["profile"], opts["unset"], opts["mode"],
                                        opts["region"])
    if unset:
        if profile:
            raise AwsenvError(f"`awsenv use --unset` takes no profile (got {profile!r})",
                              f"run `awsenv use --unset`, or `awsenv use {profile}` to switch",
                              ExitCode.USAGE)
        if state.top is None or state.top.kind != "use":
            # Idempotent, like `unset VAR`: the state asked for is the state there is.
            recs.msg("awsenv: no `awsenv use` is active in this shell; nothing to undo")
        else:
            was = state.top.profile
            state.previous = state.identity()  # `awsenv use -` brings it back
            kept = pop(state, cur)
            now = state.top.profile if state.top is not None else ""
            recs.msg(f"awsenv: dropped {was}; " + (f"back to {now}" if now else
                                                   "restored the previous AWS settings"))
            if kept:
                recs.msg(kept_line(kept))
    else:
        if not profile:
            raise identity.which_profile(env)
        if mode is not None and mode not in identity.MODES:
            raise AwsenvError(f"unknown mode {mode!r}", "use --mode profile or --mode env",
                              ExitCode.USAGE)
        tree, _project, _line = evaluate(env, World(env).found())
        mode = mode or identity.default_mode(env)
        profile = _target(env, profile)
        target = identity.resolve(env, profile, mode, region, keyring=True)
        switch(recs, state, cur, Layer("use", tree, profile, mode, region=region,
                                       refresh_at=target.refresh_at),
               target.values, target.describe, target.warnings)
    assert env.paths is not None
    conclude(recs, environ, state, cur0, cur, os.fspath(env.paths.runtime_dir))
    return recs


def _target(env: Environment, text: str) -> str:
    """The profile `awsenv use TEXT` switches to: TEXT itself when it is a profile name,
    else what an account id/name, ACCOUNT/ROLE or ARN finds (identity.target).

    Several matches: on a terminal the picker offers them (drawn on /dev/tty
    while stdout carries these records to the shell), else the line naming
    them is the answer (exit 2). awsenv.lookup is imported only then: a
    profile name costs nothing more.
    """
    try:
        return identity.target(env, text)
    except AwsenvError as exc:
        if getattr(exc, "candidates", None) is None:
            raise
        from awsenv import lookup

        chosen = lookup.choose(env.environ, exc, f"awsenv use {text}")
        if chosen is None:
            raise
        return chosen


# ---- command line (fast path; the click commands call the same functions) ----

def _protocol_error(got: str) -> AwsenvError:
    return AwsenvError(
        f"this shell's awsenv hook speaks protocol {got}, this awsenv speaks {PROTOCOL}",
        "open a new shell (the hook is re-rendered by `awsenv init` at start-up)",
    )


def _raise(err: AwsenvError) -> Records:
    raise err


def _debugging() -> bool:
    """True under `awsenv --debug` (the click path set up logging; the fast path never)."""
    logging = sys.modules.get("logging")
    return logging is not None and logging.getLogger("awsenv").isEnabledFor(logging.DEBUG)


def _answer(make: Callable[[], Records], what: str = "the prompt hook") -> int:
    """Run ``make()`` and write its records; errors become stderr + an `end` with the code.

    A bug (any other exception) must not print a traceback into the user's
    prompt at every command: it becomes one line naming only the exception
    type (its text could hold a path or a token) and a complete, empty answer,
    so the shell applies nothing and keeps working.
    """
    try:
        recs = make()
        data = recs.finish(0)
        rc = 0
    except AwsenvError as exc:
        print(f"awsenv: {exc.line()}", file=sys.stderr)
        rc = int(exc.code)
        data = Records().finish(rc)
    except KeyboardInterrupt:
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:  # last-resort guard, see above
        if _debugging():
            raise  # `awsenv --debug hook …` (click path): the traceback is wanted
        print(f"awsenv: internal error in {what} ({type(exc).__name__}); run `awsenv "
              "doctor`, and report it (rerun with --debug for details)", file=sys.stderr)
        rc = int(ExitCode.ERROR)
        data = Records().finish(rc)
    if not send(data):  # the shell went away (Ctrl-C): nothing to answer
        return rc or int(ExitCode.ERROR)
    return rc


def _prompt_bound() -> None:
    """What a prompt waits on gets its own short budget (AWSENV_PROMPT_DEADLINE), and a
    person at the terminal hears when Identity Center is slow (awsenv.deadline)."""
    from awsenv import deadline
    from awsenv.cli import waiting

    deadline.begin(prompt=True)
    waiting.install()


def run_hook(protocol: str) -> int:
    if protocol != str(PROTOCOL):
        return _answer(lambda: _raise(_protocol_error(protocol)))
    _prompt_bound()
    return _answer(lambda: hook(Environment.from_os()))


def run_use(opts: dict[str, object]) -> int:
    protocol = str(opts["protocol"])
    if protocol != str(PROTOCOL):
        return _answer(lambda: _raise(_protocol_error(protocol)))
    _prompt_bound()
    return _answer(lambda: use(
        Environment.from_os(),
        opts["profile"],  # type: ignore[arg-type]
        unset=bool(opts["unset"]),
        mode=opts["mode"],  # type: ignore[arg-type]
        region=opts["region"],  # type: ignore[arg-type]
    ), "`awsenv use`")


def signin_lines(env: Environment, project: ProjectFile) -> list[str]:
    """What a `.awsenv` asks for, for `awsenv allow` (profile, account, role, region, prod)."""
    pinfo = identity.info(env, project.profile)
    region = project.region or pinfo.region
    lines = [f"profile: {pinfo.name}" + ("   [PROD]" if pinfo.prod else "")]
    if project.identity:  # a team's file: what it asks for, then the local profile found
        from awsenv.project import resolve

        lines.insert(0, f"asks:    {resolve.asked(project)}")
        lines[1] += "   (your profile for it)"
    if pinfo.account_id:
        lines.append(f"account: {pinfo.account_id}")
    if pinfo.role_name:
        lines.append(f"role:    {pinfo.role_name}")
    for n, link in enumerate(pinfo.chain):  # a chained profile: every identity, source first
        text = identity.profileinfo.link_text(link)
        lines.append(("chain:   " if n == 0 else "      -> ") + text)
    lines.append(f"region:  {region or '(from your environment)'}")
    lines.append(f"mode:    {project.mode or identity.default_mode(env)}")
    return lines


