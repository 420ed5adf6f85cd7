"""`awsenv list`: the accounts and roles you can reach, and your profile for each."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import click

HEADERS = ("ACCOUNT ID", "ACCOUNT", "ROLE", "PROFILE")


def clean(text: str) -> str:
    """Terminal-safe text: control, format and separator characters shown escaped.

    Account names come from the service; an escape sequence or a bidi override
    in one must not repaint or reorder the user's terminal.
    """
    if text.isascii() and text.isprintable():  # nothing to escape (15,000 rows: most)
        return text
    out: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") or (cat == "Zs" and ch != " "):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def width(text: str) -> int:
    """Columns ``text`` takes (wide East Asian characters and emoji take two)."""
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def table(rows: list[tuple[str, ...]]) -> str:
    cells = [[clean(c) for c in row] for row in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = []
    for row in cells:
        padded = [c + " " * (widths[i] - width(c)) for i, c in enumerate(row[:-1])]
        lines.append("  ".join([*padded, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


@click.command("list")
@click.option("--session", "session_name", metavar="NAME",
              help="sso-session to list (default: the only one configured).")
@click.option("--refresh", is_flag=True,
              help="Ask the portal again even if a listing from the last few minutes "
                   "(AWSENV_LIST_CACHE seconds, default 300) is at hand.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON array of {account_id, account_name, email, role_name, "
                   "profiles, error} on stdout.")
@click.option("--include", "include", metavar="PATTERN", multiple=True,
              help="Show only roles matching this glob (repeatable; as `awsenv sync "
                   "--include`: ACCOUNT_NAME/ROLE or ACCOUNT_ID/ROLE).")
@click.option("--exclude", "exclude", metavar="PATTERN", multiple=True,
              help="Leave out roles matching this glob (repeatable).")
def list_(session_name: str | None, refresh: bool, as_json: bool,
          include: tuple[str, ...], exclude: tuple[str, ...]) -> None:
    """List the accounts and roles you can reach, with the local profile for each.

    A PROFILE of '-' means no profile in the AWS config reaches that role yet
    (`awsenv sync` creates them). Profiles that chain from one of these roles
    (role_arn + source_profile) follow, each with its whole chain. A listing from
    the last few minutes is reused (noted on stderr); --refresh asks the portal again.
    """
    from awsenv.cli.commands.sync import ProgressBar
    from awsenv.environment import Environment
    from awsenv.sync import filters, reach

    chosen = filters.Filter(filters.check(include, "--include"),
                            filters.check(exclude, "--exclude"))
    env = Environment.from_os()
    bar = ProgressBar("Listing roles")
    try:
        result = reach.reachable(env, session_name, progress=bar, refresh=refresh,
                                 filter=chosen)
    finally:
        bar.close()
    session, found = result.session, result.rows
    if result.cached_age is not None:
        click.echo(f"awsenv: listed {result.cached_age / 60:.0f} min ago; "
                   "`awsenv list --refresh` asks the portal again", err=True)
    chained = _chained(env, session.key)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in found] + [_chain_json(c) for c in chained],
                              indent=2))
        return
    if not found:
        what = f"no role matches {chosen.describe()}" if chosen else "can reach no accounts"
        click.echo(f"awsenv: session {clean(session.key)} {what}", err=True)
        return
    body: list[tuple[str, ...]] = [HEADERS]
    for r in found:
        role = r.role_name if r.role_name is not None else (
            f"({r.error})" if r.error else "(no roles)")
        body.append((r.account_id, r.account_name, role, ", ".join(r.profiles) or "-"))
    click.echo(table(body), nl=False)
    if chained:
        from awsenv.shells.profileinfo import chain_text

        click.echo("")
        click.echo(table([("CHAINED PROFILE", "CHAIN (source first)"),
                          *((c.name, chain_text(c)) for c in chained)]), nl=False)


def _chained(env: Any, session_key: str) -> list[Any]:
    """Profiles that chain (role_arn + source_profile) from a role of this session."""
    from awsenv.shells import profileindex

    # One scan for all profiles (or none: the index), not one per profile.
    index = profileindex.load(*profileindex.of_paths(env.paths))
    return [info for info in index.infos.values()
            if info.chain and info.session_key == session_key]


def _chain_json(info: Any) -> dict[str, object]:
    return {"account_id": info.account_id, "account_name": None, "email": None,
            "role_name": info.role_name, "profiles": [info.name], "error": None,
            "chain": [{"profile": link.profile or None, "account_id": link.account_id,
                       "role_name": link.role_name, "prod": link.prod} for link in info.chain]}
