"""`awsenv doctor`: check the whole set-up and say what to fix, one line per check.

Every check is bounded and changes nothing of the set-up: the keyring gets one
throwaway entry (written, read back, deleted) within a timeout, the network one
HEAD request with a short timeout, and sign-in state is read from the token
cache and the keyring. One write is allowed, the one every awsenv command does:
a session's access token that is missing, expired or has less than 15 minutes
left is renewed with the keyring's refresh token (never a browser), so doctor
never calls a session signed in that cannot hand out a token, and never leaves a
token in the last minutes in which SDKs without the refresh token give up.
Nothing secret reaches a ``Check``: only names, paths, times and the keyring's
own (scrubbed) messages.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from awsenv.errors import AwsenvError, ConfigError, KeyringError, NotSignedIn, printable

if TYPE_CHECKING:
    from awsenv.auth.registration import Registration
    from awsenv.awsconfig.model import SsoSession
    from awsenv.awsconfig.read import AwsConfig
    from awsenv.environment import Environment

Status = Literal["ok", "warn", "fail"]
OK: Status = "ok"
WARN: Status = "warn"
FAIL: Status = "fail"

NETWORK_TIMEOUT = 3.0
# SigV4 requests more than 5 minutes off are refused; a minute is worth a warning.
SKEW_FAIL = 300.0
SKEW_WARN = 60.0

INIT_LINES = {
    "bash": 'add  eval "$(awsenv init bash)"  at the end of ~/.bashrc, then open a new shell',
    "zsh": 'add  eval "$(awsenv init zsh)"  at the end of ~/.zshrc, then open a new shell',
    "fish": "add  awsenv init fish | source  to ~/.config/fish/config.fish, then open a new shell",
    "pwsh": "add  awsenv init pwsh | Out-String | Invoke-Expression  to $PROFILE, "
            "then open a new shell",
}


@dataclass(frozen=True)
class Check:
    """One finding: ``fix`` says what to do when ``status`` is not ok."""

    name: str
    status: Status
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "status": self.status, "detail": self.detail,
                "fix": self.fix}


def run(env: Environment, *, keyring_timeout: float | None = None,
        network_timeout: float = NETWORK_TIMEOUT) -> list[Check]:
    """Every check, in the order a user would fix things.

    The keyring gets AWSENV_KEYRING_TIMEOUT seconds, like every command (a doctor
    that hangs on a locked keyring would diagnose nothing).
    """
    if keyring_timeout is None:
        keyring_timeout = keyring_limit()
    config_check, cfg = check_config(env)
    checks = [config_check]
    keyring_check = check_keyring(keyring_timeout)
    checks.append(keyring_check)
    sessions = list(cfg.sessions.values()) if cfg is not None else []
    # The cache files as found: a session check may renew (rewrite) them next.
    cache_checks = check_token_cache(env, sessions)
    for session in sessions:
        checks.append(check_session(env, session, keyring_usable=keyring_check.status == OK))
    checks.extend(cache_checks)
    checks.append(check_hook(env.environ))
    checks.append(check_path(env.environ))
    checks.append(check_clock(env.environ, sessions, network_timeout))
    return checks


def failed(checks: list[Check]) -> bool:
    return any(c.status == FAIL for c in checks)


# -- config -------------------------------------------------------------------------------

def check_config(env: Environment) -> tuple[Check, AwsConfig | None]:
    from awsenv.awsconfig import read

    try:
        cfg = read.load(env)
    except ConfigError as exc:
        return Check("config", FAIL, exc.message, exc.fix), None
    if cfg.stamp is None:
        return Check("config", FAIL, f"no AWS config file at {cfg.where}",
                     read.CONFIGURE_FIX), cfg
    if not cfg.sessions:
        if cfg.session_problems:
            problem = next(iter(cfg.session_problems.values()))
            return Check("config", FAIL, problem.message, problem.fix), cfg
        return Check("config", FAIL, f"no IAM Identity Center session in {cfg.where}",
                     read.CONFIGURE_FIX), cfg
    summary = (f"{cfg.where}: {_count(len(cfg.sessions), 'session')}, "
               f"{_count(len(cfg.profiles), 'usable profile')}")
    problems = {**cfg.session_problems, **cfg.problems}
    if problems:
        first = next(iter(problems.values()))
        return Check("config", WARN,
                     f"{summary}; {_count(len(problems), 'entry', 'entries')} cannot be used, "
                     f"e.g. {first.message}", first.fix), cfg
    return Check("config", OK, summary), cfg


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


# -- keyring ------------------------------------------------------------------------------

def keyring_limit() -> float:
    """The wait every command gives the keyring (AWSENV_KEYRING_TIMEOUT, default 10 s).

    A doctor that gave up sooner would call a slow keyring broken that login and
    credential_process use fine, and its fix ("raise AWSENV_KEYRING_TIMEOUT")
    would change nothing here.
    """
    from awsenv.auth import keyring_runner

    try:
        return keyring_runner.timeout_seconds()
    except ConfigError:  # a bad setting: the keyring check still runs, with the default
        return keyring_runner.DEFAULT_TIMEOUT


def check_keyring(timeout: float) -> Check:
    from awsenv.auth import secrets

    info = secrets.probe(timeout)
    if info.usable:
        return Check("keyring", OK, f"{info.name} ({info.detail})")
    message, fix = split_fix(info.detail)
    return Check("keyring", FAIL, f"{info.name}: {message}",
                 fix or "make a keyring backend available to Python's keyring "
                        "(see `keyring diagnose`)")


def split_fix(line: str) -> tuple[str, str | None]:
    """An AwsenvError line ("message; fix") back into its two parts.

    The message may quote a backend's own words in parentheses, which may hold
    "; " too: the split is at the first one outside parentheses.
    """
    line = line.removesuffix("; see `awsenv doctor`")
    depth = 0
    for i, ch in enumerate(line):
        depth += ch in "(["
        depth -= ch in ")]"
        if depth <= 0 and line.startswith("; ", i):
            return line[:i], line[i + 2:]
    return line, None


# -- sessions -----------------------------------------------------------------------------

def check_session(env: Environment, session: SsoSession, *, keyring_usable: bool) -> Check:
    """Signed in? From the cache file and the keyring; a token with < 15 min left (or
    none) is renewed first, as any awsenv command would. Never a browser."""
    from awsenv.auth import registration, secrets, tokens

    assert env.paths is not None
    name = f"session {session.key}"
    login = f"run `awsenv login --session {session.key}`"
    now = env.now()
    cached = tokens.read_cached(env.paths, session)
    left = cached.expires_at - now if cached is not None else 0.0
    refresh: bool | None = None
    if keyring_usable:
        try:
            stored = secrets.load(session.key)
            refresh = bool(stored and stored.refresh_token)
        except KeyringError:
            refresh = None
    reg = registration.load(env, session)
    renews = bool(refresh) and _registration_ok(reg, session, now)
    renewed = ""
    if renews and left < tokens.REFRESH_WINDOW:
        before = cached
        try:
            cached = tokens.access_token(env, session)
            now = env.now()
            left = cached.expires_at - now
            renewed = " (renewed just now)" if cached != before else ""
        except NotSignedIn as exc:
            return Check(name, FAIL, "not signed in: Identity Center refused to renew the "
                                     f"access token ({printable(exc.message)})", login)
        except AwsenvError as exc:  # offline, 5xx, the keyring: say so, judge what is left
            what, _ = split_fix(exc.line())
            if left <= 0:
                return Check(name, FAIL, "not signed in: the access token has expired and "
                                         f"renewing it failed ({what})",
                             "check the network and the keyring checks, then run "
                             f"`awsenv doctor` again; else {login}")
            return Check(name, WARN, f"signed in; access token valid for {duration(left)}, "
                                     f"but renewing it failed ({what})",
                         f"check the network and the keyring checks; else {login} "
                         "before it expires")
    if left > 0:
        valid = f"access token valid for {duration(left)}"
        if renews:
            return Check(name, OK, f"signed in; {valid}{renewed}, renewed silently")
        if refresh is None:
            return Check(name, WARN, f"signed in; {valid}; whether it renews is unknown "
                                     "(the keyring cannot be read)",
                         "fix the keyring (see the keyring check)")
        return Check(name, WARN, f"signed in; {valid}, but awsenv cannot renew it "
                                 "(no refresh token or client registration)",
                     f"{login} before it expires")
    # (A renewable session got a fresh token above, or its check returned.)
    state = "the access token has expired" if cached is not None else "no access token"
    if refresh is None:
        return Check(name, FAIL, f"not signed in ({state}; the keyring cannot be read)",
                     f"fix the keyring, then {login}")
    return Check(name, FAIL, f"not signed in ({state})", login)


def _registration_ok(reg: Registration | None, session: SsoSession, now: float) -> bool:
    return reg is not None and reg.expires_at > now \
        and (reg.start_url, reg.region) == (session.start_url, session.region)


def duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes >= 60:
        return f"{minutes // 60}h{minutes % 60:02d}m"
    return f"{minutes}m" if minutes else f"{int(seconds)}s"


# -- AWS CLI token cache ------------------------------------------------------------------

def check_token_cache(env: Environment, sessions: list[SsoSession]) -> list[Check]:
    """The shared cache files of configured sessions: parseable, right portal, private."""
    from awsenv.auth import tokens
    from awsenv.awsconfig.read import display_path

    assert env.paths is not None
    problems: list[Check] = []
    seen = 0
    for session in sessions:
        path = tokens.cache_file(env.paths, session)
        if not path.exists():
            continue
        seen += 1
        shown = display_path(path, env.paths.home)
        problems.extend(_cache_file_problems(path, shown, session))
    if problems:
        return problems
    where = display_path(env.paths.aws_sso_cache, env.paths.home)
    return [Check("token cache", OK,
                  f"{where}: {_count(seen, 'file')} for {_count(len(sessions), 'session')}, "
                  "consistent")]


def _cache_file_problems(path: Path, shown: str, session: SsoSession) -> list[Check]:
    import json

    name = f"token cache {session.key}"
    login = f"run `awsenv login --session {session.key}`"
    from awsenv import locations

    # Never a FIFO (doctor must not hang) nor another user's planted file.
    raw = locations.read_private(os.fspath(path))
    try:
        data = json.loads(raw) if raw is not None else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        what = "is not a JSON object" if raw is not None else (
            "is not a plain file of yours that only you can write")
        return [Check(name, WARN, f"{shown} {what}", f"delete it and {login}")]
    found: list[Check] = []
    start_url = data.get("startUrl")
    if isinstance(start_url, str) and start_url.rstrip("/") != session.start_url.rstrip("/"):
        found.append(Check(name, WARN, f"{shown} holds a token for another start URL "
                                       f"({start_url}, the config says {session.start_url})",
                           login))
    elif not isinstance(data.get("accessToken"), str) or not isinstance(data.get("expiresAt"),
                                                                          str):
        found.append(Check(name, WARN, f"{shown} has no accessToken/expiresAt",
                           f"delete it and {login}"))
    secrets = [label for key, label in (("refreshToken", "refresh token"),
                                        ("clientSecret", "client secret")) if data.get(key)]
    if secrets:
        found.append(Check(
            name, WARN,
            f"{shown} holds a plaintext {' and '.join(secrets)} (written by `aws sso login`; "
            "awsenv keeps these in the OS keyring)",
            f"{login}: awsenv rewrites the file without them"))
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0
    if mode & 0o077:
        found.append(Check(name, WARN, f"{shown} can be read by other users (mode {mode:04o})",
                           f"chmod 600 {shown}"))
    return found


# -- shell hook ---------------------------------------------------------------------------

def check_hook(environ: Mapping[str, str]) -> Check:
    """The wrapper from `awsenv init` passes AWSENV_HOOK_SHELL/_PROTOCOL to `doctor` only."""
    from awsenv.shells.records import PROTOCOL

    shell = environ.get("AWSENV_HOOK_SHELL", "")
    protocol = environ.get("AWSENV_HOOK_PROTOCOL", "")
    if not shell:
        user_shell = os.path.basename(environ.get("SHELL", "")) or "bash"
        fix = INIT_LINES.get(user_shell, INIT_LINES["bash"])
        return Check("hook", WARN, "the awsenv shell hook is not active in this shell "
                                   "(`awsenv use` and .awsenv files need it)", fix)
    if protocol != str(PROTOCOL):
        return Check("hook", FAIL,
                     f"this {shell} hook speaks protocol {protocol or '?'} but this awsenv "
                     f"speaks {PROTOCOL} (installed by another awsenv version)",
                     "open a new shell so the hook is loaded from this awsenv")
    return Check("hook", OK, f"installed in {shell} (protocol {PROTOCOL})")


# -- PATH ---------------------------------------------------------------------------------

def check_path(environ: Mapping[str, str]) -> Check:
    """`awsenv` on PATH should be the installation hooks and credential_process lines bake in."""
    from awsenv import locations

    script = locations.entry_script()
    ours_dir = os.path.dirname(script) if script else os.path.dirname(sys.executable)
    found = shutil.which("awsenv", path=environ.get("PATH", os.defpath))
    if found is None:
        return Check("path", WARN, "awsenv is not on PATH", f"add {ours_dir} to PATH")
    if _same_file(found, script) if script else _same_file(os.path.dirname(found), ours_dir):
        return Check("path", OK, f"awsenv on PATH is this installation ({found})")
    shown = script or " ".join(locations.awsenv_command())
    return Check("path", WARN, f"awsenv on PATH is {found}, but this is {shown}",
                 f"put {ours_dir} first on PATH or remove the other installation, "
                 "then open a new shell")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# -- clock --------------------------------------------------------------------------------

def oidc_endpoint(environ: Mapping[str, str], region: str) -> str:
    """Where sign-in goes, as botocore resolves it (service variable, then the global one)."""
    return (environ.get("AWS_ENDPOINT_URL_SSO_OIDC") or environ.get("AWS_ENDPOINT_URL")
            or f"https://oidc.{region}.amazonaws.com")


def measure_skew(url: str, timeout: float, clock: Callable[[], float] = time.time) -> float:
    """Server time minus local time, from the ``Date`` header of one HEAD request.

    Any HTTP answer carries a Date, errors included. Raises OSError when the
    server cannot be reached, ValueError when it sends no usable Date.
    """
    import urllib.error
    import urllib.request
    from email.utils import parsedate_to_datetime

    from awsenv import __version__

    request = urllib.request.Request(url, method="HEAD",
                                     headers={"User-Agent": f"awsenv/{__version__} doctor"})
    before = clock()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            date = response.headers.get("Date")
    except urllib.error.HTTPError as exc:
        date = exc.headers.get("Date") if exc.headers else None
    after = clock()
    if not date:
        raise ValueError("no Date header in the answer")
    try:
        server = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        raise ValueError("an unreadable Date header") from None
    # Date has whole seconds, truncated: its middle is half a second later.
    return server + 0.5 - (before + after) / 2


def about(seconds: float) -> str:
    """A skew for people: whole seconds, minutes from 90 s on (Date has 1 s resolution)."""
    if seconds < 90:
        return f"{round(seconds)}s"
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def check_clock(environ: Mapping[str, str], sessions: list[SsoSession], timeout: float) -> Check:
    if not sessions:
        return Check("clock", WARN, "not checked: no sso-session configured",
                     "configure a session first (see the config check)")
    url = oidc_endpoint(environ, sessions[0].region)
    try:
        skew = measure_skew(url, timeout)
    except (OSError, ValueError) as exc:
        from awsenv import errors

        cause = errors.os_cause(exc)
        return Check("clock", WARN, f"not checked: {url}: {cause}",
                     f"{errors.CAUSE_FIXES[cause]}; sign-in needs that endpoint")
    ahead = f"{about(abs(skew))} {'behind' if skew > 0 else 'ahead of'}"
    if abs(skew) >= SKEW_FAIL:
        return Check("clock", FAIL, f"this machine's clock is {ahead} {url}: AWS refuses "
                                    "requests signed more than 5 minutes off",
                     "synchronise the clock (e.g. enable NTP: `timedatectl set-ntp true`)")
    if abs(skew) >= SKEW_WARN:
        return Check("clock", WARN, f"this machine's clock is {ahead} {url}",
                     "synchronise the clock (enable NTP)")
    return Check("clock", OK, f"in step with {url} (within {max(1, round(abs(skew)))}s)")
