"""The picker's rows and order (awsenv.picker.rank, awsenv.choices), without a terminal.

The terminal side is driven for real in tests/shell/test_picker*.py; here the
rules those rely on: which rows a filter keeps and in what order, where
account names and PROD marks come from, how recent choices are kept (0600,
a planted or others-writable file counts as none), and that a hostile
profile name cannot reach the terminal as control characters.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from support.world import write_config

from awsenv import choices, pickfzf
from awsenv.paths import Paths
from awsenv.picker import Candidate, rank, row_fragments
from awsenv.textsafe import printable

ROWS = [Candidate("dev", "Sandbox", "111111111111", "Developer", "eu-west-1"),
        Candidate("payments-admin", "Payments", "222222222222", "Admin", "eu-central-1"),
        Candidate("shop-prod", "Storefront", "333333333333", "ReadOnly", "us-west-2", prod=True),
        Candidate("ops-payments", None, "444444444444", "Ops", "us-east-2")]


def names(rows: list[Candidate]) -> list[str]:
    return [c.name for c in rows]


def test_filter_terms_fields_and_order() -> None:
    assert names(rank(ROWS, "")) == names(ROWS)  # nothing typed: the given order
    # The name's start first, then a substring of the name, then other fields.
    assert names(rank(ROWS, "pay")) == ["payments-admin", "ops-payments"]
    assert names(rank(ROWS, "store")) == ["shop-prod"]  # account name
    assert names(rank(ROWS, "4444")) == ["ops-payments"]  # account id
    assert names(rank(ROWS, "readonly")) == ["shop-prod"]  # role, any case
    # Region; substrings (ties in order) before letters in order (dev: eu-west-1).
    assert names(rank(ROWS, "us-")) == ["shop-prod", "ops-payments", "dev"]
    assert names(rank(ROWS, "pay adm")) == ["payments-admin"]  # every term must match
    assert names(rank(ROWS, "pyad")) == ["payments-admin"]  # letters in order
    assert rank(ROWS, "zzz") == []


def test_rows_show_prod_and_never_control_characters() -> None:
    hostile = Candidate("evil\x1b]0;owned\x07", "Acct\x1b[2J", "555555555555", "Admin")
    widths = (20, 10, 20)
    text = "".join(t for _, t in row_fragments(hostile, widths, selected=False))
    assert "\x1b" not in text and "\x07" not in text and "\\x1b" in text
    prod = "".join(t for _, t in row_fragments(ROWS[2], widths, selected=True))
    assert "[PROD]" in prod and prod.startswith("> shop-prod")


def test_candidates_from_config_listings_and_recents(isolated_home: Path) -> None:
    write_config("[profile dev]\nregion = eu-west-1\n\n"
                 "[profile prod-admin]\nsso_account_id = 222222222222\n"
                 "sso_role_name = Admin\n\n"
                 "[profile ops]\nsso_account_id = 333333333333\nsso_role_name = Ops\n")
    env = os.environ
    listings = Paths.from_environ(env).cache_dir / "listings"
    listings.mkdir(parents=True, mode=0o700)
    (listings / "a.json").write_text(json.dumps(
        {"v": 1, "accounts": [{"id": "222222222222", "name": "Payments"}]}))
    (listings / "a.json").chmod(0o600)
    rows = choices.candidates(env)
    assert names(rows) == ["dev", "prod-admin", "ops"]
    assert rows[1].account_name == "Payments" and rows[1].prod and not rows[0].prod
    assert rows[2].account_name is None and rows[2].role == "Ops"

    choices.remember(env, "dev")
    choices.remember(env, "ops")
    mode = stat.S_IMODE(os.stat(choices.recent_path(env)).st_mode)
    assert mode == 0o600
    rows = choices.candidates(env)
    assert names(rows) == ["ops", "dev", "prod-admin"] and rows[0].recent and not rows[2].recent
    for n in ("a", "b", "c", "d", "e", "f"):
        choices.remember(env, n)
    assert choices.recent(env) == ["f", "e", "d", "c", "b"]  # the last KEEP only

    # A recents file others can write is not believed (nor a link planted in its place).
    recents = Path(choices.recent_path(env))
    recents.chmod(0o666)
    assert choices.recent(env) == []
    recents.unlink()
    (isolated_home / "planted.json").write_text('{"recent": ["prod-admin"]}')
    recents.symlink_to(isolated_home / "planted.json")
    assert choices.recent(env) == []


def test_fzf_gets_the_same_rows_as_printable_indexed_lines() -> None:
    """pickfzf's feed: one line per row in the given order, ``INDEX<TAB>row``; a name
    with a tab, a newline or an escape cannot split a row or reach the terminal."""
    hostile = Candidate("evil\tname\nrow", "Acct\x1b[2J", "555555555555", "Admin")
    rows = [*ROWS, hostile]
    lines = pickfzf.feed(rows).decode().split("\n")
    assert lines.pop() == "" and len(lines) == len(rows)
    for i, (line, row) in enumerate(zip(lines, rows, strict=True)):
        index, _, text = line.partition("\t")
        assert index == str(i) and "\t" not in text
        plain = text.replace("\x1b[1;31m", "").replace("\x1b[90m", "").replace("\x1b[0m", "")
        assert "\x1b" not in plain and plain.startswith(printable(row.name)[:8]), plain
    assert "\x1b[1;31m [PROD] \x1b[0m" in lines[2] and "[PROD]" not in lines[0]
