"""The template environment, and the templates really ship in the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jinja2
import pytest

from awsenv.shells import templates

REPO = Path(__file__).resolve().parents[2]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def test_template_dir_holds_the_checkouts_shell_directory() -> None:
    """From a checkout (editable install) the templates are its ``shell/``; from the
    wheel (tests/pythons) they are the package's ``_shell``, a copy of the same files."""
    import awsenv

    package = Path(awsenv.__file__).resolve().parent
    found = templates.template_dir()
    if package.parent == REPO:
        assert found == REPO / "shell"
    else:
        assert found == package / "_shell"
        assert _tree(found) == _tree(REPO / "shell")
    assert (found / "export" / "env.j2").is_file()


def test_environment_is_strict_and_has_the_quoting_filters(tmp_path: Path) -> None:
    env = templates.environment()
    assert env is templates.environment()  # cached
    for name in ("q_bash", "q_zsh", "q_fish", "q_pwsh", "q_cmd", "q_dotenv", "q_sh", "varname"):
        assert name in env.filters
    assert env.autoescape is False
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    rendered = env.from_string("{% if x %}\n  echo {{ x|q_bash }}\n{% endif %}\n").render(x="<a>")
    assert rendered == "  echo $'<a>'\n"
    with pytest.raises(ValueError):
        env.from_string("{{ n|varname }}=1").render(n="A;B")


def test_render_keeps_lf_and_values_untouched() -> None:
    out = templates.render("export/powershell.j2", variables=[("X", "a\r\nb")])
    assert out == "$Env:X = 'a\r\nb'\n"


def test_render_of_unknown_template() -> None:
    with pytest.raises(jinja2.TemplateNotFound):
        templates.render("export/nope.j2", variables=[])


def test_wheel_ships_the_templates_and_uses_them(tmp_path: Path) -> None:
    """Build the wheel, check every file of shell/ is in it as awsenv/_shell/…, then
    import the unpacked wheel (not the checkout) and render from it."""
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q",
                    "-w", str(out)], check=True, capture_output=True, timeout=300)
    (wheel,) = out.glob("awsenv-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        unpacked = tmp_path / "site"
        zf.extractall(unpacked)
    sources = [p.relative_to(REPO / "shell").as_posix()
               for p in (REPO / "shell").rglob("*") if p.is_file()]
    assert sources
    missing = [s for s in sources if f"awsenv/_shell/{s}" not in names]
    assert missing == []
    code = ("from awsenv.shells import templates as t; print(t.template_dir()); "
            "print(t.render('export/env.j2', variables=[('A', 'b c')]), end='')")
    env = dict(os.environ, PYTHONPATH=str(unpacked))
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    assert res.stdout == f"{unpacked / 'awsenv' / '_shell'}\nexport A=$'b c'\n"


def test_importing_the_shell_modules_loads_no_heavy_library() -> None:
    """quote is on the prompt hook's fast path; templates/exports defer jinja2 to render()."""
    code = ("import sys, awsenv.shells.quote, awsenv.shells.templates, awsenv.shells.exports; "
            "print(sorted(m for m in ('jinja2', 'click', 'boto3', 'botocore', 'keyring') "
            "if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout == "[]\n"
