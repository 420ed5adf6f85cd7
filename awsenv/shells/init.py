"""Render `awsenv init SHELL`: the hook script with this awsenv's absolute path baked in."""

from __future__ import annotations

from awsenv.paths import awsenv_command
from awsenv.shells.records import PROTOCOL
from awsenv.shells.state import MANAGED

# What a replayed answer (the shells' memo) depends on besides files: the
# variables awsenv manages, and the AWS config file its profile names are
# resolved in. Another AWS_CONFIG_FILE may make the same profile another
# account, which an allowed `.awsenv` must ask again for (awsenv.project.trust).
KEYED = (*MANAGED, "AWS_CONFIG_FILE")


def render_init(shell: str, command: list[str] | None = None) -> str:
    """The init script for ``shell``; ``command`` overrides the baked command (tests)."""
    from awsenv.shells import templates

    return templates.render(f"init/{shell}.j2", command=command or awsenv_command(),
                            protocol=PROTOCOL, keyed=KEYED)
