"""Read the user's AWS config and resolve profiles to IAM Identity Center sessions.

The file is parsed by botocore's own loader (``raw_config_parse`` +
``build_profile_map``, what the AWS CLI v2 runs), so whatever the AWS CLI
accepts awsenv accepts, and both agree on section names, comments and
continuation lines. Resolution mirrors botocore's ``SSOProvider``; errors in
one profile are recorded and raised only when that profile is used (like
botocore), so one broken profile never stops work with the others.
"""

from __future__ import annotations

import difflib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsenv.awsconfig.model import DEFAULT_SCOPES, Profile, SsoSession
from awsenv.environment import Environment
from awsenv.errors import ConfigError

SSO_TRIGGER_KEYS = ("sso_account_id", "sso_role_name")
REQUIRED_SSO_KEYS = ("sso_start_url", "sso_region", "sso_account_id", "sso_role_name")
CONFIGURE_FIX = "run `awsenv configure --start-url URL --sso-region REGION`"

Stamp = tuple[int, int, int]


def display_path(path: Path, home: Path | None = None) -> str:
    """``~/...`` when under HOME: shorter in one-line messages."""
    home = home or Path(os.path.expanduser("~"))
    try:
        return "~/" + str(path.relative_to(home))
    except ValueError:
        return str(path)


def parse_scopes(value: object) -> tuple[str, ...]:
    """``sso_registration_scopes`` as the AWS CLI splits it (comma list).

    awsenv registers with scopes even where the AWS CLI would not (legacy
    profiles, sessions without the key) so every sign-in gets a refresh
    token; an empty or missing value therefore means the default scopes.
    """
    if not isinstance(value, str):
        return DEFAULT_SCOPES
    scopes = tuple(s.strip() for s in value.split(",") if s.strip())
    return scopes or DEFAULT_SCOPES


@dataclass
class AwsConfig:
    """Sessions and profiles of one AWS config file.

    ``sessions`` is keyed by session key (the sso-session name, or the start
    URL for legacy inline profiles); ``profiles`` holds every usable profile
    (any kind); ``problems`` / ``session_problems`` hold the error a broken
    profile / sso-session raises when used. ``names`` lists every profile name
    in botocore's order, broken ones included.
    """

    path: Path
    home: Path
    sessions: dict[str, SsoSession] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    problems: dict[str, ConfigError] = field(default_factory=dict)
    session_problems: dict[str, ConfigError] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    raw_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw_sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    stamp: Stamp | None = None

    @property
    def where(self) -> str:
        return display_path(self.path, self.home)

    def profile(self, name: str) -> Profile:
        if name in self.problems:
            raise self.problems[name]
        try:
            return self.profiles[name]
        except KeyError:
            pass
        close = difflib.get_close_matches(name, self.names, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ConfigError(
            f"unknown profile '{name}' in {self.where}",
            f"{hint}run `awsenv list` to see profiles, or `awsenv sync` to create them",
        )

    def session(self, name: str) -> SsoSession:
        """By sso-session name, or by start URL for a legacy session."""
        if name in self.session_problems:
            raise self.session_problems[name]
        found = self.sessions.get(name)
        if found is not None:
            return found
        known = sorted(self.sessions)
        close = difflib.get_close_matches(name, known, n=1)
        if close:
            fix = f"did you mean '{close[0]}'?"
        elif known:
            fix = f"configured sessions: {', '.join(known)}"
        else:
            fix = CONFIGURE_FIX.replace("configure", f"configure --session {name}", 1)
        raise ConfigError(f"unknown sso-session '{name}' in {self.where}", fix)

    def session_by_key(self, key: str) -> SsoSession:
        """The session a token cache / keyring key belongs to."""
        found = self.sessions.get(key)
        if found is None:
            raise ConfigError(
                f"no sso-session or legacy start URL '{key}' in {self.where}", CONFIGURE_FIX
            )
        return found

    def session_for_profile(self, name: str) -> SsoSession:
        profile = self.profile(name)
        if profile.session is None:
            raise ConfigError(
                f"profile '{name}' does not use IAM Identity Center",
                "pick an SSO profile (`awsenv list`) or pass --session",
            )
        return profile.session

    def default_session(self) -> SsoSession:
        """The only configured session; asks for --session when there are several."""
        if len(self.sessions) == 1:
            return next(iter(self.sessions.values()))
        if len(self.sessions) > 1:
            names = ", ".join(sorted(self.sessions))
            raise ConfigError(
                f"several sessions are configured in {self.where} ({names})",
                "pass --session NAME",
            )
        if self.session_problems:
            raise next(iter(self.session_problems.values()))
        raise ConfigError(f"no IAM Identity Center session in {self.where}", CONFIGURE_FIX)


def file_stamp(path: Path) -> Stamp | None:
    """(mtime_ns, size, inode): cheap change detection without parsing."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


# The last config this process loaded, by (path, HOME, stamp). A chained profile reads
# the config for every hop and several commands read it more than once: each read was a
# full parse (about a second at 15,000 profiles; a 1,500-hop chain spent 146 s in them).
_LOADED: dict[tuple[str, str | None, Stamp], AwsConfig] = {}
# A file modified this recently (ns) may change again within the file system's timestamp
# granularity without its stamp changing (an in-place write of the same size): not kept.
_SETTLED_NS = 50_000_000


def load(env: Environment) -> AwsConfig:
    """Parse and resolve ``env.paths.aws_config_file``; a missing file is empty.

    The result is shared by later calls in this process while the file's stamp is
    unchanged: callers must treat it as read-only (only :func:`resolve` fills it).
    """
    assert env.paths is not None
    path = env.paths.aws_config_file
    stamp = file_stamp(path)
    home = str(env.paths.home) if env.paths.home is not None else None
    key = (str(path), home, stamp) if stamp is not None else None
    if key is not None and key in _LOADED:
        return _LOADED[key]
    started = time.time_ns()
    cfg = AwsConfig(path=path, home=env.paths.home, stamp=stamp)
    parsed = parse_file(path, env.paths.home)
    if parsed is None:
        return cfg
    cfg = resolve(parsed, cfg)
    if key is not None and started - stamp[0] > _SETTLED_NS and file_stamp(path) == stamp:
        _LOADED.clear()
        _LOADED[key] = cfg
    return cfg


def parse_file(path: Path, home: Path | None = None) -> dict[str, Any] | None:
    """botocore's profile map for ``path``, None if it does not exist.

    Raises ConfigError (path + line, never the line's text: it may hold a
    secret) for anything the AWS CLI would also refuse.
    """
    from botocore import configloader, exceptions

    if not path.is_file():
        return None
    where = display_path(path, home)
    try:
        # configparser silently skips unreadable files; say so instead.
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ConfigError(
            f"cannot read {where} ({exc.strerror})", "check its permissions"
        ) from None
    try:
        raw = configloader.raw_config_parse(str(path))
    except exceptions.ConfigParseError as exc:
        raise parse_error(path, where, exc.kwargs.get("error")) from None
    return configloader.build_profile_map(raw)


def parse_error(path: Path, where: str, error: object) -> ConfigError:
    """One line naming the file, the line and the kind of problem."""
    import configparser

    fix = "fix that line (the AWS CLI reads the same file and fails on it too)"
    if isinstance(error, UnicodeDecodeError):
        line = _bad_byte_line(path)
        at = f" line {line}" if line else ""
        return ConfigError(f"{where}{at} is not valid UTF-8 text", fix)
    if isinstance(error, configparser.MissingSectionHeaderError):
        return ConfigError(
            f"{where} line {error.lineno}: setting outside any [section]",
            "add a section header such as [default] above it",
        )
    if isinstance(error, configparser.DuplicateSectionError):
        return ConfigError(
            f"{where} line {error.lineno}: section [{error.section}] appears twice",
            "merge the two sections into one",
        )
    if isinstance(error, configparser.DuplicateOptionError):
        return ConfigError(
            f"{where} line {error.lineno}: '{error.option}' appears twice in [{error.section}]",
            "keep only one of them",
        )
    if isinstance(error, configparser.ParsingError):
        lines = [str(n) for n, _ in error.errors]
        label = "line" if len(lines) == 1 else "lines"
        return ConfigError(
            f"{where} {label} {', '.join(lines[:5])}: not `key = value`, a [section] or a comment",
            fix,
        )
    if isinstance(error, ValueError):
        return ConfigError(f"{where}: an indented nested setting has no '='", fix)
    return ConfigError(f"{where} cannot be parsed ({type(error).__name__})", fix)


def _bad_byte_line(path: Path) -> int | None:
    try:
        data = path.read_bytes()
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    except OSError:
        return None
    return None


def resolve(parsed: Mapping[str, Any], cfg: AwsConfig) -> AwsConfig:
    """Fill ``cfg`` from botocore's profile map (pure: no file access)."""
    raw_sessions: dict[str, dict[str, Any]] = dict(parsed.get("sso_sessions", {}))
    raw_profiles: dict[str, dict[str, Any]] = dict(parsed.get("profiles", {}))
    cfg.raw_sessions, cfg.raw_profiles = raw_sessions, raw_profiles
    cfg.names = list(raw_profiles)
    for name, values in raw_sessions.items():
        _add_session(cfg, name, values)
    # Legacy sessions first: awsenv profiles may point at one by start URL.
    deferred: list[tuple[str, dict[str, Any]]] = []
    for name, values in raw_profiles.items():
        if any(k in values for k in SSO_TRIGGER_KEYS):
            _add_sso_profile(cfg, name, values)
        else:
            deferred.append((name, values))
    for name, values in deferred:
        _add_other_profile(cfg, name, values)
    cfg.profiles = {n: cfg.profiles[n] for n in cfg.names if n in cfg.profiles}
    return cfg


def _text(values: Mapping[str, Any], key: str) -> str | None:
    value = values.get(key)
    return value if isinstance(value, str) and value != "" else None


def _add_session(cfg: AwsConfig, name: str, values: Mapping[str, Any]) -> None:
    missing = [k for k in ("sso_start_url", "sso_region") if _text(values, k) is None]
    if missing:
        cfg.session_problems[name] = ConfigError(
            f"[sso-session {name}] in {cfg.where} lacks {' and '.join(missing)}",
            f"run `awsenv configure --session {name} --start-url URL --sso-region REGION`",
        )
        return
    cfg.sessions[name] = SsoSession(
        key=name,
        name=name,
        start_url=values["sso_start_url"],
        region=values["sso_region"],
        scopes=parse_scopes(values.get("sso_registration_scopes")),
    )


def _add_sso_profile(cfg: AwsConfig, name: str, values: Mapping[str, Any]) -> None:
    """Native (sso_session) or legacy (inline) profile, checked like botocore."""
    merged = dict(values)
    session_name = _text(values, "sso_session")
    if session_name is not None:
        session_values = cfg.raw_sessions.get(session_name)
        if session_values is None:
            cfg.problems[name] = ConfigError(
                f"profile '{name}' uses sso-session '{session_name}', "
                f"which is not in {cfg.where}",
                f"add it: `awsenv configure --session {session_name} "
                "--start-url URL --sso-region REGION`",
            )
            return
        for key, value in session_values.items():
            if merged.get(key, value) != value:
                cfg.problems[name] = ConfigError(
                    f"{key} is inconsistent between profile '{name}' ({merged[key]}) "
                    f"and sso-session '{session_name}' ({value})",
                    f"remove {key} from [profile {name}] or make the two equal",
                )
                return
            merged[key] = value
    missing = [k for k in REQUIRED_SSO_KEYS if _text(merged, k) is None]
    if missing:
        cfg.problems[name] = ConfigError(
            f"profile '{name}' is configured for SSO but lacks {', '.join(missing)}",
            f"add {missing[0]} to its section in {cfg.where}",
        )
        return
    if session_name is not None:
        session = cfg.sessions.get(session_name)
        if session is None:  # the sso-session itself is broken
            cfg.problems[name] = cfg.session_problems[session_name]
            return
        kind = "native"
    else:
        start_url = merged["sso_start_url"]
        session = cfg.sessions.get(start_url)
        if session is None:
            # AWS CLI keys legacy tokens by the start URL exactly as written.
            session = SsoSession(
                key=start_url,
                name=None,
                start_url=start_url,
                region=merged["sso_region"],
                scopes=parse_scopes(merged.get("sso_registration_scopes")),
            )
            cfg.sessions[start_url] = session
        kind = "legacy"
    cfg.profiles[name] = Profile(
        name=name,
        kind=kind,
        session=session,
        account_id=merged["sso_account_id"],
        role_name=merged["sso_role_name"],
        region=_text(merged, "region"),
    )


def _add_other_profile(cfg: AwsConfig, name: str, values: Mapping[str, Any]) -> None:
    """awsenv-managed (``awsenv_*`` keys) or any other profile."""
    region = _text(values, "region")
    session_ref = _text(values, "awsenv_session")
    if session_ref is None:
        # A token-only profile (`sso_session` without a role) still names a session.
        ref = _text(values, "sso_session")
        session = cfg.sessions.get(ref) if ref else None
        cfg.profiles[name] = Profile(name=name, kind="other", session=session, region=region)
        return
    session = cfg.sessions.get(session_ref)
    if session is None:
        problem = cfg.session_problems.get(session_ref)
        cfg.problems[name] = problem or ConfigError(
            f"profile '{name}' uses session '{session_ref}', which is not in {cfg.where}",
            f"run `awsenv configure --session {session_ref} …` or `awsenv sync` again",
        )
        return
    missing = [k for k in ("awsenv_account_id", "awsenv_role_name") if _text(values, k) is None]
    if missing:
        cfg.problems[name] = ConfigError(
            f"profile '{name}' lacks {', '.join(missing)}",
            "run `awsenv sync` to rewrite the generated profiles",
        )
        return
    cfg.profiles[name] = Profile(
        name=name,
        kind="awsenv",
        session=session,
        account_id=values["awsenv_account_id"],
        role_name=values["awsenv_role_name"],
        region=region,
    )
