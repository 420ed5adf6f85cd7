"""The detached refresher itself: ``awsenv _refresh PROFILE MODE``.

:mod:`awsenv.shells.refresh` is the hook's side (start it, watch its result
file) and sits below :mod:`awsenv.shells.identity`, which starts it; this is the
process's side, above identity, whose renewal it runs. Split so the modules
import one way.
"""

from __future__ import annotations

from awsenv import fsutil
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, NotSignedIn
from awsenv.shells.refresh import result_path


def refresh_now(env: Environment, profile: str, mode: str) -> None:
    """Do the refresh (keyring allowed here): the access token, or role credentials."""
    if mode == "env":
        from awsenv import creds

        creds.get(env, profile)
        return
    from awsenv.shells import identity

    identity.refresh_token(env, identity.info(env, profile))


def main(argv: list[str]) -> int:
    """``awsenv _refresh PROFILE MODE``: what :func:`awsenv.shells.refresh.spawn` starts."""
    """``awsenv _refresh PROFILE MODE``: what :func:`spawn` starts."""
    if len(argv) != 2 or argv[1] not in ("env", "profile"):
        return 2
    profile, mode = argv
    from awsenv import deadline

    deadline.begin()  # detached: nobody waits, but it must end (AWSENV_DEADLINE)
    env = Environment.from_os()
    assert env.paths is not None
    result: dict[str, object]
    try:
        refresh_now(env, profile, mode)
        result = {"ok": True}
    except NotSignedIn as exc:
        result = {"ok": False, "signed_out": True, "message": exc.line()}
    except AwsenvError as exc:
        result = {"ok": False, "signed_out": False, "message": exc.line()}
    except Exception as exc:
        result = {"ok": False, "signed_out": False,
                  "message": f"internal error ({type(exc).__name__})"}
    fsutil.write_json(result_path(env.paths, profile, mode), result)
    return 0

