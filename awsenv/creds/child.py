"""The environment and program for `awsenv exec`.

The child gets raw keys, so anything that would make an SDK pick another
identity is removed: exported keys already beat ``AWS_PROFILE`` in every SDK
chain, but tools that read ``AWS_PROFILE`` themselves (prompts, wrappers) would
show the wrong profile, and ``AWS_SECURITY_TOKEN`` is the old name some SDKs
still prefer over ``AWS_SESSION_TOKEN``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

from awsenv.creds.model import RoleCredentials, variables
from awsenv.errors import AwsenvError

REMOVED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN",
           "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION")


class CommandNotFound(AwsenvError):
    """Exit 127 like a shell, so scripts tell a typo from the command's own failure."""

    code = 127  # type: ignore[assignment]


class CommandNotExecutable(AwsenvError):
    code = 126  # type: ignore[assignment]


def child_environ(environ: Mapping[str, str], creds: RoleCredentials) -> dict[str, str]:
    """``environ`` with the role's credentials, region and ``AWSENV_PROFILE`` set."""
    env = {k: v for k, v in environ.items() if k not in REMOVED}
    for name, value in variables(creds):
        if value is not None:
            env[name] = value
    env["AWSENV_PROFILE"] = creds.profile
    return env


def find_program(name: str, environ: Mapping[str, str]) -> str:
    """The path that would run ``name`` with the child's PATH; one-line error if none."""
    if os.sep in name or (os.altsep and os.altsep in name):
        if not os.path.exists(name):
            raise CommandNotFound(f"{name}: no such file", "check the command path")
        if os.path.isdir(name) or not os.access(name, os.X_OK):
            raise CommandNotExecutable(f"{name}: not an executable file",
                                       f"run `chmod +x {name}` or call it through its interpreter")
        return name
    found = shutil.which(name, path=environ.get("PATH", os.defpath))
    if found is None:
        raise CommandNotFound(f"command not found: {name}",
                              "check the spelling or your PATH (`awsenv exec PROFILE -- CMD ...`)")
    return found
