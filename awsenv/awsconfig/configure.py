"""The core of ``awsenv configure``: one standard ``[sso-session NAME]`` section.

awsenv writes the AWS CLI's own format (sso-session with
``sso_registration_scopes = sso:account:access``) so the AWS CLI, SDKs and
awsenv share one sign-in and refresh tokens work by default.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from awsenv.awsconfig.model import DEFAULT_SCOPES, SsoSession
from awsenv.environment import Environment
from awsenv.errors import ConfigError, printable

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_SESSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SCOPE = re.compile(r"[^\s,]+")
_LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True)
class ConfigureResult:
    session: str
    path: Path
    created: bool  # the section did not exist before
    changed: bool  # the file changed at all
    diff: str
    region: str | None  # default region stored in awsenv settings, if given
    replaced: tuple[tuple[str, str, str], ...] = ()  # (key, old, new) of values overwritten


def has_control(text: str) -> bool:
    """C0/C1 controls or DEL: they move the cursor or run OSC sequences on a
    terminal, and a newline would end the line in the AWS config."""
    return any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text)


def _refuse_controls(what: str, value: str, fix: str) -> None:
    if has_control(value):
        raise ConfigError(f"{what} '{printable(value)}' holds control characters", fix)


def usable_session(session: SsoSession) -> SsoSession:
    """``session`` unless its name, start URL or region holds control characters.

    Such a value (a hand-edited or planted config) would reach the terminal in
    every message and be written back by ``sync`` (``awsenv_session =``): login
    and sync refuse it, naming what to fix, instead of showing or copying it.
    """
    where = f"[sso-session {printable(session.name)}]" if session.name else "the profile"
    _refuse_controls("the sso-session name", session.name or "",
                     "rename the [sso-session ...] section in the AWS config "
                     "(letters, digits, '.', '_' or '-'), or run `awsenv configure`")
    _refuse_controls("the start URL", session.start_url,
                     f"fix sso_start_url in {where} in the AWS config")
    _refuse_controls("the sso_region", session.region,
                     f"fix sso_region in {where} in the AWS config")
    return session


def validate_start_url(url: str, sso_region: str | None = None) -> str:
    """An https start URL (http only to a loopback host, for the local emulator).

    A known AWS form must have its path (GovCloud and China: ``/directory/ID``)
    and, given ``sso_region``, a region that can be right for it
    (``awsenv.awsconfig.starturl``): a wrong ``sso_region`` otherwise shows up
    only as "Invalid grant provided" in the browser, after the person signed in.
    """
    from awsenv.awsconfig import starturl

    url = url.strip()
    if has_control(url) or any(c.isspace() for c in url):
        # urlsplit silently drops tabs and newlines, and a newline would end
        # the config line: refuse instead of writing something else.
        raise ConfigError(
            f"start URL '{printable(url)}' holds spaces or control characters",
            "pass the AWS access portal URL, e.g. --start-url https://mycorp.awsapps.com/start",
        )
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        bad_path = starturl.path_problem(url)
        if bad_path:
            raise ConfigError(f"start URL {url!r} does not fit its form: {bad_path}",
                              "copy the AWS access portal URL from the IAM Identity Center "
                              "console (Settings) or your administrator")
        wrong = starturl.region_problem(url, sso_region) if sso_region else None
        if wrong:
            raise ConfigError(f"sso_region {sso_region} cannot be right for {url}: {wrong}",
                              starturl.region_fix(url))
        return url
    if parts.scheme == "http" and _is_loopback(host):
        return url
    raise ConfigError(
        f"start URL {url!r} is not an https URL",
        "pass the AWS access portal URL, e.g. --start-url https://mycorp.awsapps.com/start",
    )


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_region(region: str, flag: str = "--sso-region") -> str:
    region = region.strip()
    if not _REGION.fullmatch(region):
        raise ConfigError(
            f"{region!r} does not look like an AWS region", f"pass one like {flag} us-east-1"
        )
    return region


def validate_session_name(name: str) -> str:
    if not _SESSION_NAME.fullmatch(name):
        raise ConfigError(
            f"session name {name!r} is not usable",
            "use letters, digits, '.', '_' or '-' (e.g. --session mycorp)",
        )
    return name


def parse_scopes_arg(values: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """--scopes given once as a comma list or several times; default sso:account:access."""
    scopes: list[str] = []
    for value in values or ():
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not _SCOPE.fullmatch(part) or has_control(part):
                raise ConfigError(
                    f"scope {part!r} is not valid", "pass e.g. --scopes sso:account:access"
                )
            if part not in scopes:
                scopes.append(part)
    return tuple(scopes) or DEFAULT_SCOPES


def derive_session_name(start_url: str) -> str:
    """``https://mycorp.awsapps.com/start`` → ``mycorp`` (the URL's first label)."""
    host = urlsplit(start_url).hostname or ""
    label = host.split(".")[0] if host and not _is_ip(host) else ""
    if not label or not _SESSION_NAME.fullmatch(label) or label in _LOOPBACK_NAMES:
        raise ConfigError(
            f"cannot derive a session name from {start_url!r}", "pass --session NAME"
        )
    return label


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def section_values(start_url: str, sso_region: str, scopes: tuple[str, ...]) -> dict[str, str]:
    return {
        "sso_start_url": start_url,
        "sso_region": sso_region,
        "sso_registration_scopes": ",".join(scopes),
    }


def plan(text: str, name: str, start_url: str, sso_region: str,
         scopes: tuple[str, ...]) -> str:
    """The config text with ``[sso-session name]`` written (pure)."""
    from awsenv.awsconfig.edit import upsert_section

    return upsert_section(
        text, f"sso-session {name}", section_values(start_url, sso_region, scopes)
    )


def configure(env: Environment, *, start_url: str, sso_region: str, session: str | None = None,
              region: str | None = None, scopes: tuple[str, ...] | list[str] | None = None,
              ) -> ConfigureResult:
    """Validate, write the section under the config lock, store --region in settings."""
    from awsenv import settings
    from awsenv.awsconfig import edit
    from awsenv.awsconfig.names import scan, section_identity
    from awsenv.awsconfig.read import display_path

    assert env.paths is not None
    sso_region = validate_region(sso_region)
    start_url = validate_start_url(start_url, sso_region)
    name = validate_session_name(session) if session else derive_session_name(start_url)
    default_region = validate_region(region, "--region") if region else None
    scope_list = parse_scopes_arg(list(scopes) if scopes else None)

    existed = False
    before: dict[str, str] = {}

    def apply(old: str) -> str:
        nonlocal existed, before
        existed = any(
            ln.kind == "header" and section_identity(ln.section or "") == ("sso-session", name)
            for ln in scan(old)
        )
        before = session_section(old, name)
        return plan(old, name, start_url, sso_region, scope_list)

    old, new = edit.update_config(env, apply)
    if default_region:
        settings.update(env, lambda s: s.with_session(name, region=default_region))
    path = env.paths.aws_config_file
    return ConfigureResult(
        session=name,
        path=path,
        created=not existed,
        changed=old != new,
        diff=edit.diff(old, new, display_path(path, env.paths.home)),
        region=default_region,
        replaced=tuple(
            (k, before[k], v)
            for k, v in section_values(start_url, sso_region, scope_list).items()
            if before.get(k) not in (None, v)
        ),
    )


def session_section(text: str, name: str) -> dict[str, str]:
    """Current values of ``[sso-session name]`` as botocore reads them ({} if absent)."""
    import configparser
    import io

    from awsenv.awsconfig.names import section_identity

    cp = configparser.RawConfigParser()
    cp.read_file(io.StringIO(text, newline=None))  # already validated by update_config
    found: dict[str, str] = {}
    for section in cp.sections():
        if section_identity(section) == ("sso-session", name):
            found = dict(cp.items(section))
    return found
