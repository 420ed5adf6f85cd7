"""The variables one profile puts in a shell, per mode, and their refresh time.

profile mode: `AWS_PROFILE` (+ region), clearing exported keys that would
override it; the SDKs fetch credentials themselves. For profiles that sign in
through a session, awsenv keeps the AWS CLI access token fresh: the prompt
hook calls back a few minutes before it expires (never a browser).

env mode: the role credentials themselves (`aws configure export-credentials`
names, expiry in ``…Z``), refreshed by the prompt hook before they expire.

Stdlib only while the credential cache is warm and the token is fresh; the
fetch/refresh paths import the heavy modules inside functions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ConfigError, ExitCode, NotSignedIn
from awsenv.shells import profileinfo
from awsenv.shells.answer import (
    CREDENTIAL_VARS,
    TOKEN_LEAD,
    env_values,
    label,
    profile_values,
)
from awsenv.shells.state import Values

MODES = ("profile", "env")
# awsenv.auth.tokens refreshes when less than this is left (botocore's window).
REFRESH_WINDOW = 15 * 60
# While a detached refresh runs, look again after this long even if it never reports.
PENDING_RECHECK = 120
# How long the prompt hook waits for a detached credential fetch before answering
# without it (a hanging service must not hold the prompt; docs: HOOK_BOUND).
INLINE_WAIT = 3.0


@dataclass
class Target:
    values: Values
    refresh_at: int
    describe: str
    warnings: list[str]
    pending: str = ""  # result file of a detached refresh (awsenv.shells.refresh)


def default_mode(env: Environment) -> str:
    """`shell_mode` from the user's settings (user-global only, never a project file)."""
    from awsenv import settings

    return settings.load(env).shell_mode


# profileinfo.load answers per (config file, its stamp, profile): the hook asks
# once to check an allowed `.awsenv`'s binding and again to switch, and must not
# read the config twice for it.
_INFO: dict[tuple[str, str, int, int, int], profileinfo.ProfileInfo] = {}


def info(env: Environment, profile: str) -> profileinfo.ProfileInfo:
    assert env.paths is not None
    path = env.paths.aws_config_file
    key: tuple[str, str, int, int, int] | None
    try:
        st = os.stat(path)
        key = (os.fspath(path), profile, st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        key = None
    found = _INFO.get(key) if key is not None else None
    if found is None:
        from awsenv.shells import profileindex  # one scan per config state, not per call

        found = profileindex.info(*profileindex.of_paths(env.paths), profile)
        if found is not None and key is not None:
            if len(_INFO) > 32:
                _INFO.clear()
            _INFO[key] = found
    if found is None:
        import difflib

        from awsenv.shells import profileindex

        known = profileindex.current(*profileindex.of_paths(env.paths))[0]
        close = difflib.get_close_matches(profile, known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ConfigError(
            f"unknown profile '{profile}' in {env.paths.aws_config_file}",
            f"{hint}run `awsenv list` to see profiles, or `awsenv sync` to create them",
        )
    return found


def target(env: Environment, text: str) -> str:
    """``text`` when it names a profile (the usual case: no more than ``info`` costs),
    else the profile an account id/name, ACCOUNT/ROLE or ARN finds (awsenv.lookup,
    imported only then; local data only). Several or none raise, saying which or
    where it looked; awsenv.lookup.Ambiguous carries the candidates for a picker."""
    try:
        info(env, text)
        return text
    except ConfigError:
        pass
    head, sep, rest = text.partition("+arn:")
    if sep and head:  # an ad hoc chain (`--chain`) on top of a looked-up profile
        return target(env, head) + sep + rest
    from awsenv import lookup

    assert env.paths is not None
    src = lookup.sources(env.paths.aws_config_file, env.paths.cache_dir, env.environ)
    return lookup.find(src, text, env.environ).name


# `awsenv use` without a profile names this many of them (the rest: `awsenv list`).
LISTED = 12


def which_profile(env: Environment) -> AwsenvError:
    """`awsenv use` without PROFILE: the profiles it could switch to, in one line.

    Until there is a picker, the answer is the choice itself rather than
    "which profile?" alone. Names come from the AWS config (stdlib scan).
    """
    from awsenv.shells import profileindex

    assert env.paths is not None
    found = profileindex.current(*profileindex.of_paths(env.paths))[0]
    if not found:
        return AwsenvError("which profile? The AWS config has none yet",
                           "run `awsenv sync` to write one per account/role", ExitCode.USAGE)
    shown = ", ".join(found[:LISTED])
    more = f" (+{len(found) - LISTED} more: `awsenv list`)" if len(found) > LISTED else ""
    return AwsenvError("which profile?",
                       f"run `awsenv use PROFILE` with one of: {shown}{more}", ExitCode.USAGE)


def describe(pinfo: profileinfo.ProfileInfo, region: str | None) -> str:
    return label(pinfo.name, pinfo.prod, pinfo.account_id, pinfo.role_name, region)


def refresh_token(env: Environment, pinfo: profileinfo.ProfileInfo) -> int:
    """Refresh the session's access token (no browser); its new expiry."""
    from awsenv.auth import tokens
    from awsenv.awsconfig import read

    cfg = read.load(env)
    # A chained profile signs in through its source's session (profileinfo followed it).
    session = (cfg.session_by_key(pinfo.session_key) if pinfo.chain and pinfo.session_key
               else cfg.session_for_profile(pinfo.name))
    return int(tokens.access_token(env, session).expires_at)


def _login_fix(pinfo: profileinfo.ProfileInfo) -> str:
    return f"run `awsenv login --profile {pinfo.name}`"


def resolve(env: Environment, profile: str, mode: str, region: str | None = None,
            *, keyring: bool) -> Target:
    """What ``profile`` in ``mode`` sets now.

    ``keyring`` allows refreshing in this process (commands the user typed);
    the prompt hook passes False and a refresh that needs the keyring runs
    detached instead (``Target.pending``).
    """
    pinfo = info(env, profile)
    if pinfo.adhoc and mode != "env":
        raise AwsenvError(f"{profile} is a chain no profile in the AWS config names, "
                          "which only env mode can carry",
                          "add --mode env (or write a profile with role_arn and source_profile)",
                          ExitCode.USAGE)
    target = (_env_mode(env, pinfo, region, keyring) if mode == "env"
              else _profile_mode(env, pinfo, region, keyring))
    if pinfo.chain and keyring:
        from awsenv.creds import chain

        # Typed by hand: say it when the config asks a chain for more than AWS gives.
        target.warnings[:0] = chain.notes(env, profile)
    return target


def _profile_mode(env: Environment, pinfo: profileinfo.ProfileInfo, region: str | None,
                  keyring: bool) -> Target:
    assert env.paths is not None
    region = region or pinfo.region
    now = env.now()
    warnings: list[str] = []
    expires: int | None = None
    refresh_at = 0
    pending = ""
    if pinfo.session_key:
        expires = profileinfo.token_expiry(env.paths.aws_sso_cache, pinfo.session_key)
        if expires is None and keyring:
            # `awsenv use` while signed out: switching to a profile that cannot get
            # credentials helps nobody (a refresh token left in the keyring still can).
            try:
                expires = refresh_token(env, pinfo)
            except NotSignedIn:
                raise NotSignedIn(f"not signed in for {pinfo.name}", _login_fix(pinfo)) from None
            except AwsenvError as exc:
                warnings.append(f"awsenv: {pinfo.name}: {exc.line()}")
        elif expires is None:
            warnings.append(f"awsenv: not signed in for {pinfo.name}; {_login_fix(pinfo)}")
        elif expires - now <= TOKEN_LEAD and not keyring:
            # The refresh needs the keyring: detached, waited for briefly.
            from awsenv.shells import refresh

            pending = refresh.spawn(env, pinfo.name, "profile")
            result = refresh.wait(pending, INLINE_WAIT)
            if result is None:
                refresh_at = int(now) + PENDING_RECHECK
            else:
                pending = ""
                if not result.get("ok"):
                    warnings.append(f"awsenv: cannot refresh {pinfo.name}: "
                                    f"{result.get('message') or 'refresh failed'}")
                expires = profileinfo.token_expiry(env.paths.aws_sso_cache,
                                                   pinfo.session_key) or expires
                now = env.now()
        elif keyring and expires - now < REFRESH_WINDOW:
            try:
                expires = refresh_token(env, pinfo)
            except AwsenvError as exc:
                warnings.append(f"awsenv: {pinfo.name}: {exc.line()}")
        if not pending and expires and expires - TOKEN_LEAD > now:
            refresh_at = expires - TOKEN_LEAD
    return Target(profile_values(pinfo.name, expires, region), refresh_at,
                  describe(pinfo, region), warnings, pending)


def _env_mode(env: Environment, pinfo: profileinfo.ProfileInfo, region: str | None,
              keyring: bool) -> Target:
    assert env.paths is not None
    from awsenv.creds import cache

    now = env.now()
    values: Values = {"AWS_PROFILE": None}
    hit = cache.lookup(env.paths, pinfo.name, now)
    if hit is not None:
        from awsenv.creds import record

        if record.token_due(os.fspath(env.paths.aws_sso_cache), hit.get("session_key"), now):
            # Its session's sign-in is gone (`aws sso logout`) or nearly over: as the
            # credential-process hit does, nothing is handed out until creds.get (here,
            # or in the prompt's detached fetch below) renews it or finds it ended.
            hit = None
    if hit is None and not keyring:
        # A fetch may need the keyring (token refresh) or wait on a slow
        # service: run it detached and wait briefly; if it is not done by
        # then, set nothing but the names and let a later prompt apply it.
        from awsenv.shells import refresh

        pending = refresh.spawn(env, pinfo.name, "env")
        result = refresh.wait(pending, INLINE_WAIT)
        if result is not None:
            if not result.get("ok"):
                message = str(result.get("message") or "the credentials could not be fetched")
                if result.get("signed_out"):
                    raise NotSignedIn(message)
                raise AwsenvError(message)
            hit = cache.lookup(env.paths, pinfo.name, env.now())
        if hit is None:
            values.update(dict.fromkeys(CREDENTIAL_VARS))
            region = region or pinfo.region
            if region:
                values["AWS_REGION"] = values["AWS_DEFAULT_REGION"] = region
            values["AWSENV_PROFILE"] = pinfo.name
            values["AWSENV_EXPIRES"] = None
            return Target(values, int(now) + PENDING_RECHECK, describe(pinfo, region), [],
                          pending)
    if hit is None:
        from awsenv import creds as creds_api

        hit = creds_api.get(env, pinfo.name).to_dict()
    values, refresh_at, region = env_values(hit, pinfo.name, region, pinfo.region, now)
    return Target(values, refresh_at, describe(pinfo, region), [])
