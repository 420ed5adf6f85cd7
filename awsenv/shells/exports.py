"""``awsenv export --format …``: variables rendered as statements for one shell or file.

Shapes mirror ``aws configure export-credentials`` (sso-protocol.md §9), but
every value goes through its shell's quoter instead of relying on the token
alphabet, and a ``None`` value renders that format's unset statement. The
statements themselves live in ``shell/export/<format>.j2``; only ``json`` is
built here (``json.dumps`` is the right tool for it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone

from awsenv.errors import AwsenvError
from awsenv.shells import quote as _quote

FORMATS = ("env", "env-no-export", "fish", "powershell", "windows-cmd", "dotenv", "json")

# Which quoter each template uses, to check values before rendering.
_SHELL_OF = {
    "env": "bash",
    "env-no-export": "sh",
    "fish": "fish",
    "powershell": "pwsh",
    "windows-cmd": "cmd",
    "dotenv": "dotenv",
}

Variables = Sequence[tuple[str, "str | None"]]


def iso_utc(expiration: datetime | float) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``: the one expiry format prompts parse (shells.md §7)."""
    if isinstance(expiration, datetime):
        if expiration.tzinfo is None:
            raise ValueError("expiration must be timezone-aware")
        moment = expiration.astimezone(timezone.utc)
    else:
        moment = datetime.fromtimestamp(expiration, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def credential_variables(
    access_key_id: str,
    secret_access_key: str,
    session_token: str | None = None,
    expiration: datetime | float | None = None,
    region: str | None = None,
) -> list[tuple[str, str | None]]:
    """The variables in the AWS CLI's order, plus both region variables when known.

    Both region names are set because the CLI reads ``AWS_REGION`` and boto3
    still reads ``AWS_DEFAULT_REGION`` (aws-vault re-added it for that reason).
    """
    out: list[tuple[str, str | None]] = [
        ("AWS_ACCESS_KEY_ID", access_key_id),
        ("AWS_SECRET_ACCESS_KEY", secret_access_key),
    ]
    if session_token:
        out.append(("AWS_SESSION_TOKEN", session_token))
    if expiration is not None:
        out.append(("AWS_CREDENTIAL_EXPIRATION", iso_utc(expiration)))
    if region:
        out += [("AWS_REGION", region), ("AWS_DEFAULT_REGION", region)]
    return out


def render_export(fmt: str, variables: Variables) -> str:
    """Render ``variables`` (``None`` = unset) as ``fmt``; output ends each line with ``\\n``.

    Raises AwsenvError when the format is unknown, a name is not a portable
    variable name, or a value cannot be carried by that format (cmd, dotenv).
    """
    if fmt not in FORMATS:
        raise AwsenvError(f"unknown export format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
    shell = _SHELL_OF.get(fmt)
    for name, value in variables:
        if not _quote.valid_name(name):
            raise AwsenvError(f"invalid environment variable name {name!r}",
                              "use letters, digits and underscores only")
        if value is None or shell is None:
            continue
        try:
            _quote.quote(shell, value)
        except ValueError as exc:
            raise AwsenvError(f"cannot write {name} in the {fmt} format: {exc}",
                              "use another --format (json carries any value)") from None
    if fmt == "json":
        return json.dumps(dict(variables), indent=2) + "\n"
    from awsenv.shells.templates import render

    return render(f"export/{fmt}.j2", variables=list(variables))
