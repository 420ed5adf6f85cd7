"""Role chaining: credentials for a role assumed with another profile's credentials.

What the AWS CLI chains, awsenv chains: a profile with ``role_arn`` and
``source_profile`` (an awsenv profile, a native ``sso_session`` profile, a
``credential_process`` or static-key profile, or another chained profile, up to
MAX_HOPS roles; a loop is refused as botocore refuses it), with ``role_session_name``,
``duration_seconds``, ``external_id`` and ``region``. An ad hoc chain
(``--chain ROLE_ARN`` on use/exec/export/console) is named
``PROFILE+ROLE_ARN[+ROLE_ARN...]`` (:func:`compose`): the name the role cache,
the shell state and ``AWSENV_PROFILE`` carry, so the whole chain is its key.

Every hop is one STS AssumeRole made with the previous hop's credentials,
fetched through :func:`awsenv.creds.get`, so each link is cached (0600) and
fetched once however many processes ask. ``get`` hands itself to :func:`fetch`
as ``source``: this module never imports the package, so the recursion (a hop's
source is got like any profile) runs through an argument, not an import circle.
Identity Center role credentials are role sessions already, so every hop is
role chaining and AWS caps it at one hour: a longer ``duration_seconds`` is
lowered to 3600 and :func:`notes` says so.

Imported on the miss path only (botocore through ``awsenv.auth.clients``).
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from awsenv.creds.model import RoleCredentials
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ConfigError, ExitCode, ServiceError, printable

# AWS's one-hour cap on role-chained sessions (IAM User Guide, "Role chaining").
CHAINED_MAX = 3600
# Roles in one chain, at most. AWS sets no number, but every hop is a role session made
# with the one before it, no real chain comes near this, and a generated config must end
# in one line, not in Python's recursion limit (reached at about 250 hops).
MAX_HOPS = 64
SEPARATOR = "+"
ROLE_ARN = re.compile(
    r"arn:(?P<partition>aws(?:-[a-z]+)*):iam::(?P<account>[0-9]{12}):"
    r"role(?P<path>/(?:[\x21-\x7e]*/)?)(?P<name>[\w+=,.@-]{1,64})", re.ASCII)
_SESSION_BAD = re.compile(r"[^\w+=,.@-]", re.ASCII)
# Settings botocore reads on a chained profile that awsenv cannot honour: refused with
# one line instead of quietly assuming the role some other way.
_UNSUPPORTED = {
    "credential_source": "use source_profile instead (awsenv chains from profiles)",
    "mfa_serial": "awsenv cannot prompt for an MFA code; chain through a role without "
                  "an MFA condition, or use the AWS CLI for this profile",
    "web_identity_token_file": "use the AWS CLI/SDK for web-identity profiles",
}


@dataclass(frozen=True)
class Hop:
    """One AssumeRole: ``source``'s credentials assume ``role_arn`` to give ``name``'s."""

    name: str
    source: str
    role_arn: str
    session_name: str | None = None
    duration: int | None = None  # as asked in the config (before the one-hour cap)
    external_id: str | None = None
    region: str | None = None

    @property
    def account_id(self) -> str:
        return self.role_arn.split(":")[4]

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[1]

    @property
    def seconds(self) -> int | None:
        """What is asked of STS: the configured duration, at most the chained cap."""
        return None if self.duration is None else min(self.duration, CHAINED_MAX)


def compose(profile: str, role_arns: Sequence[str]) -> str:
    """The name of an ad hoc chain: ``PROFILE+ARN[+ARN...]`` (a usage error on a bad ARN)."""
    for arn in role_arns:
        if not ROLE_ARN.fullmatch(arn):
            raise AwsenvError(f"--chain {printable(arn)} is not an IAM role ARN",
                              "pass e.g. --chain arn:aws:iam::222222222222:role/deploy",
                              ExitCode.USAGE)
    return SEPARATOR.join([profile, *role_arns])


def split(name: str) -> tuple[str, list[str]] | None:
    """(profile, role ARNs) of an ad hoc chain name, None when ``name`` is not one."""
    head, sep, _ = name.partition(SEPARATOR + "arn:")
    if not sep or not head:
        return None
    parts = name[len(head) + 1:].split(SEPARATOR + "arn:")
    arns = [parts[0], *("arn:" + p for p in parts[1:])]
    if not all(ROLE_ARN.fullmatch(a) for a in arns):
        return None
    return head, arns


def _int(name: str, key: str, value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise ConfigError(f"{key} = {printable(str(value))} in profile '{printable(name)}' "
                          "is not a number of seconds", f"set {key} to e.g. 3600") from None


def hop(env: Environment, name: str) -> Hop | None:
    """The last hop of ``name``'s chain, or None when ``name`` is no chain at all.

    ConfigError (one line, the fix) for what botocore would refuse too: no
    source_profile, an unknown source, a loop, a malformed role ARN; and for
    the settings awsenv cannot honour (credential_source, mfa_serial) and a chain
    of more than MAX_HOPS roles.
    """
    from awsenv.awsconfig import read

    cfg = read.load(env)
    raw = cfg.raw_profiles.get(name)
    if raw is None:
        adhoc = split(name)
        if adhoc is None:
            return None
        base, arns = adhoc
        cfg.profile(base)  # unknown profile: the usual one line
        if cfg.raw_profiles.get(base, {}).get("role_arn"):
            _check_chain(cfg, base, extra=len(arns))
        else:
            _check_depth(base, len(arns))
        source = compose(base, arns[:-1]) if len(arns) > 1 else base
        region = _region(cfg, base)
        return Hop(name, source, arns[-1], region=region)
    if not raw.get("role_arn"):
        return None
    _check_chain(cfg, name)
    role_arn = str(raw["role_arn"])
    return Hop(name, str(raw["source_profile"]), role_arn,
               session_name=_text(raw, "role_session_name"),
               duration=_int(name, "duration_seconds", raw.get("duration_seconds")),
               external_id=_text(raw, "external_id"),
               region=_text(raw, "region"))


def _text(raw: dict[str, object], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value else None


def _region(cfg: object, name: str) -> str | None:
    """A profile's region, following ``source_profile`` when it has none of its own."""
    seen: set[str] = set()
    raw_profiles = getattr(cfg, "raw_profiles", {})
    while name in raw_profiles and name not in seen:
        seen.add(name)
        raw = raw_profiles[name]
        if _text(raw, "region"):
            return _text(raw, "region")
        name = str(raw.get("source_profile") or "")
    return None


def _check_depth(name: str, hops: int) -> None:
    if hops > MAX_HOPS:
        raise ConfigError(f"the role chain of '{printable(name)}' has more than {MAX_HOPS} roles",
                          "shorten it: point source_profile at a profile with credentials "
                          "of its own nearer the role you want")


def _check_chain(cfg: object, name: str, extra: int = 0) -> None:
    """Walk ``name``'s source_profile links: every one known, no loop, nothing unsupported,
    at most MAX_HOPS roles counting ``extra`` ad hoc ones above it."""
    raw_profiles = getattr(cfg, "raw_profiles", {})
    path: list[str] = []
    seen: set[str] = set()  # path's members: a list alone made a deep chain quadratic
    current = name
    while True:
        raw = raw_profiles[current]
        if not raw.get("role_arn"):
            return
        shown = printable(current)
        for key, fix in _UNSUPPORTED.items():
            if raw.get(key):
                raise ConfigError(f"profile '{shown}' chains with {key}, which awsenv does "
                                  "not support", fix)
        arn = str(raw["role_arn"])
        if not ROLE_ARN.fullmatch(arn):
            raise ConfigError(f"role_arn in profile '{shown}' is not an IAM role ARN "
                              f"({printable(arn)})",
                              "write it as arn:aws:iam::ACCOUNT_ID:role/NAME")
        source = raw.get("source_profile")
        if not isinstance(source, str) or not source:
            raise ConfigError(f"profile '{shown}' has role_arn but no source_profile",
                              "add `source_profile = PROFILE` (the profile whose credentials "
                              "assume the role)")
        path.append(current)
        seen.add(current)
        _check_depth(name, len(path) + extra)
        if source == current and (raw.get("aws_access_key_id") or raw.get("credential_process")):
            return  # botocore's own form: the profile's keys assume its role
        if source in seen:
            loop = " -> ".join(printable(p) for p in [*path, source])
            raise ConfigError(f"the source_profile chain loops: {loop}",
                              "point one of them at a profile without role_arn")
        if source not in raw_profiles:
            raise ConfigError(f"profile '{shown}' names source_profile '{printable(source)}', "
                              "which is not in the AWS config",
                              "fix source_profile, or run `awsenv list` to see profiles")
        current = source


def notes(env: Environment, name: str) -> list[str]:
    """One line per hop whose ``duration_seconds`` asks for more than AWS allows a chain."""
    out: list[str] = []
    seen: set[str] = set()
    current: str | None = name
    while current and current not in seen:
        seen.add(current)
        link = hop(env, current)
        if link is None:
            break
        if link.duration is not None and link.duration > CHAINED_MAX:
            out.append(f"awsenv: {printable(link.name)}: duration_seconds = {link.duration} "
                       f"is more than AWS allows a chained role session; using {CHAINED_MAX} "
                       "(one hour)")
        current = link.source if link.source != current else None
    return out


def default_session_name() -> str:
    """``awsenv-<login>`` in STS's alphabet, 2..64 characters: who it was, in CloudTrail."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = ""
    return ("awsenv-" + _SESSION_BAD.sub("_", user))[:64].rstrip("-") or "awsenv"


# How a hop gets its source profile's credentials: awsenv.creds.get, cached and locked.
SourceGetter = Callable[[Environment, str], RoleCredentials]


def _source_keys(env: Environment, link: Hop, source: SourceGetter
                 ) -> tuple[dict[str, str], str]:
    """The source's credentials (for SigV4) and the Identity Center session they came from."""
    from awsenv.awsconfig import read

    cfg = read.load(env)
    raw = cfg.raw_profiles.get(link.source, {})
    source_profile = cfg.profiles.get(link.source)
    is_sso = source_profile is not None and source_profile.session is not None and bool(
        source_profile.account_id and source_profile.role_name)
    if link.source != link.name and (raw.get("role_arn") or is_sso
                                     or link.source not in cfg.raw_profiles):
        got = source(env, link.source)
        return ({"AccessKeyId": got.access_key_id, "SecretAccessKey": got.secret_access_key,
                 "SessionToken": got.session_token}, got.session_key)
    return _botocore_keys(link), ""


def _botocore_keys(link: Hop) -> dict[str, str]:
    """A non-SSO source (credential_process, static keys) resolved as botocore resolves it."""
    import botocore.session
    from botocore.exceptions import BotoCoreError

    try:
        if link.source == link.name:  # the profile's own keys assume its own role_arn
            session = botocore.session.Session(profile=link.name)
            config = session.get_scoped_config()
            keys = {"AccessKeyId": config.get("aws_access_key_id"),
                    "SecretAccessKey": config.get("aws_secret_access_key"),
                    "SessionToken": config.get("aws_session_token")}
        else:
            found = botocore.session.Session(profile=link.source).get_credentials()
            frozen = found.get_frozen_credentials() if found is not None else None
            keys = {"AccessKeyId": frozen.access_key if frozen else None,
                    "SecretAccessKey": frozen.secret_key if frozen else None,
                    "SessionToken": frozen.token if frozen else None}
    except BotoCoreError as exc:
        raise ConfigError(f"cannot get credentials of source_profile "
                          f"'{printable(link.source)}' ({type(exc).__name__})",
                          "check that profile with `aws sts get-caller-identity --profile "
                          f"{printable(link.source)}`") from None
    if not keys["AccessKeyId"] or not keys["SecretAccessKey"]:
        raise ConfigError(f"source_profile '{printable(link.source)}' has no credentials",
                          "point source_profile at an awsenv, SSO, credential_process or "
                          "key profile")
    return {k: v for k, v in keys.items() if v}


def fetch(env: Environment, link: Hop, source: SourceGetter) -> RoleCredentials:
    """AssumeRole for ``link`` with its source's credentials, got through ``source``
    (awsenv.creds.get, so the source is cached and fetched once)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from awsenv.auth import clients

    keys, session_key = _source_keys(env, link, source)
    region = link.region or "us-east-1"
    args: dict[str, object] = {"RoleArn": link.role_arn,
                               "RoleSessionName": link.session_name or default_session_name()}
    if link.seconds is not None:
        args["DurationSeconds"] = link.seconds
    if link.external_id is not None:
        args["ExternalId"] = link.external_id
    client = clients.sts(env, region, keys)
    try:
        answer = client.assume_role(**args)
    except (ClientError, BotoCoreError) as exc:
        if isinstance(exc, ClientError):
            code = clients.error_code(exc) or ""
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            message = str(exc.response.get("Error", {}).get("Message") or "")
            if code in ("AccessDenied", "ValidationError", "RegionDisabledException") \
                    or status in (400, 403):
                raise ConfigError(
                    f"STS refused to assume {printable(link.role_arn)} for "
                    f"'{printable(link.name)}': {code} {printable(message)}".rstrip(),
                    "check the role's trust policy names the source role (and external_id, "
                    "duration_seconds, role_session_name)") from None
        raise clients.service_error(exc, "AssumeRole", region,
                                    service=clients.label(client)) from None
    try:
        c = answer["Credentials"]
        expiration = c["Expiration"].timestamp()
        values = (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    except (KeyError, TypeError, AttributeError):
        raise ServiceError("STS answered AssumeRole without credentials", "retry") from None
    if not all(isinstance(v, str) and v for v in values):
        raise ServiceError("STS answered AssumeRole with empty credentials", "retry")
    return RoleCredentials(
        access_key_id=values[0], secret_access_key=values[1], session_token=values[2],
        expiration=float(expiration), fetched_at=env.now(), profile=link.name,
        session_key=session_key, account_id=link.account_id, role_name=link.role_name,
        region=link.region, role_arn=link.role_arn)
