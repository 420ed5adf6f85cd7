"""`--chain ROLE_ARN` for use/exec/export/console: assume roles on top of a profile, ad hoc.

The option stores its values on the click context instead of a parameter, so a
command takes it with one decorator and one call (:func:`target`) and its
signature stays as it is. ``--chain`` may repeat: each role is assumed with the
previous one's credentials (awsenv.creds.chain names the result
``PROFILE+ARN[+ARN...]``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from awsenv.environment import Environment
from awsenv.errors import AwsenvError

F = TypeVar("F", bound=Callable[..., Any])
_KEY = "awsenv.chain"


def _store(ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> None:
    ctx.meta[_KEY] = tuple(value or ())


def chain_option(func: F) -> F:
    return click.option(
        "--chain", "chain", metavar="ROLE_ARN", multiple=True, expose_value=False,
        callback=_store, is_eager=False,
        help="Assume ROLE_ARN with PROFILE's credentials (repeat to chain further).")(func)


def requested() -> tuple[str, ...]:
    ctx = click.get_current_context(silent=True)
    return tuple(ctx.meta.get(_KEY, ())) if ctx is not None else ()


def looked_up(text: str) -> str:
    """``text`` when it names a profile, else the profile an account id or name,
    ACCOUNT/ROLE or ARN finds in the local config and listings (awsenv.lookup),
    said on stderr so the person sees which identity they got."""
    from awsenv.shells import identity

    env = Environment.from_os()
    try:
        name = identity.target(env, text)
    except AwsenvError as exc:  # several: the picker offers them on a terminal
        from awsenv import lookup

        ctx = click.get_current_context(silent=True)
        picked = lookup.choose(env.environ, exc, f"awsenv {ctx.info_name if ctx else ''} {text}")
        if picked is None:
            raise
        return picked
    if name != text:
        from awsenv.shells import profileinfo
        from awsenv.textsafe import printable

        assert env.paths is not None
        info = profileinfo.load(env.paths.aws_config_file, name)
        ident = "/".join(x for x in (info.account_id, info.role_name) if x) if info else ""
        click.echo(f"awsenv: {printable(text)} is profile {printable(name)}"
                   + (f" ({printable(ident)})" if ident else ""), err=True)
    return name


def target(profile: str) -> str:
    """``profile`` (or the one a lookup finds for it: :func:`looked_up`), or the ad hoc
    chain ``--chain`` asks for on top of it."""
    profile = looked_up(profile)
    arns = requested()
    if not arns:
        return profile
    from awsenv.creds import chain

    return chain.compose(profile, arns)


def say_notes(env: Environment, name: str) -> None:
    """On stderr: each hop whose duration_seconds AWS will not give a chained session."""
    assert env.paths is not None
    from awsenv.shells import profileinfo

    info = profileinfo.load(env.paths.aws_config_file, name)
    if info is None or not info.chain:
        return
    from awsenv.creds import chain

    for line in chain.notes(env, name):
        click.echo(line, err=True)
