"""Load and render the shell templates under the top-level ``shell/`` directory.

Every line of shell code awsenv emits lives in a Jinja template there; Python
only supplies data and quotes values through the ``q_<shell>`` filters. jinja2
costs ≈100 ms to import, so it is imported only when something is rendered
(never on the prompt hook's fast path).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from awsenv.shells import quote as _quote

if TYPE_CHECKING:
    import jinja2

FILTERS = {
    "q_bash": _quote.quote_bash,
    "q_zsh": _quote.quote_bash,
    "q_fish": _quote.quote_fish,
    "q_pwsh": _quote.quote_pwsh,
    "q_cmd": _quote.quote_cmd,
    "q_dotenv": _quote.quote_dotenv,
    "q_sh": _quote.quote_sh,
    # Names are interpolated into statements too: refuse anything but [A-Za-z_][A-Za-z0-9_]*.
    "varname": _quote.check_name,
}


def template_dir() -> Path:
    """Where the templates are (:func:`awsenv.locations.template_dir`)."""
    from awsenv import locations

    return Path(locations.template_dir())


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment: strict (a missing variable is a bug), no HTML escaping.

    ``trim_blocks``/``lstrip_blocks`` let ``{% … %}`` lines sit indented in the
    template without leaving blank lines or spaces in the shell code.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        newline_sequence="\n",
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


def render(name: str, **ctx: Any) -> str:
    """Render template ``name`` (e.g. ``"export/env.j2"``) with ``\\n`` line endings.

    A value a quoter refuses raises ValueError; callers turn it into an AwsenvError.
    """
    # newline_sequence makes template text LF even from a CRLF checkout; values
    # are left alone (a PowerShell verbatim string may hold a CR LF on purpose).
    return environment().get_template(name).render(**ctx)
