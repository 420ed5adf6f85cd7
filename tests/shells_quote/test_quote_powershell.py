"""PowerShell output checked with the tree-sitter PowerShell grammar (no pwsh here).

The grammar does not know that U+2018..U+201B also end a verbatim string, so
the decoder below applies PowerShell's own tokenizer rule (a quote character
followed by another quote character is one literal quote; any other quote
character ends the string) and demands the string end exactly at its last
character. Together: one verbatim literal, nothing else, decoding to the value.
"""

from __future__ import annotations

import pytest
import tree_sitter
import tree_sitter_powershell
from _quote_values import text_batches, text_values
from hypothesis import given, settings
from hypothesis import strategies as st

from awsenv.shells.exports import render_export
from awsenv.shells.quote import quote

QUOTES = "'\u2018\u2019\u201a\u201b"
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def decode_verbatim(text: str) -> str:
    """PowerShell's reading of a single-quoted string token that must span all of ``text``."""
    assert len(text) >= 2 and text[0] in QUOTES, text
    out: list[str] = []
    i = 1
    while True:
        assert i < len(text), "unterminated verbatim string"
        c = text[i]
        if c in QUOTES:
            if i + 1 < len(text) and text[i + 1] in QUOTES:
                out.append(text[i + 1])
                i += 2
                continue
            assert i == len(text) - 1, f"string ends early at {i}: {text!r}"
            return "".join(out)
        out.append(c)
        i += 1


def _errors(node: tree_sitter.Node) -> list[str]:
    found = []
    if node.type == "ERROR" or node.is_missing:
        found.append(f"{node.type} {node.text!r}")
    for child in node.children:
        found += _errors(child)
    return found


def _single_string(node: tree_sitter.Node) -> tree_sitter.Node:
    """Descend a chain of single-child wrapper nodes down to exactly one verbatim literal."""
    while node.type != "string_literal":
        assert node.named_child_count == 1 and node.child_count == 1, node
        node = node.children[0]
    assert [c.type for c in node.children] == ["verbatim_string_characters"], node
    return node


def parse_script(src: str) -> list[tree_sitter.Node]:
    tree = PARSER.parse(src.encode("utf-8"))
    assert not tree.root_node.has_error, _errors(tree.root_node)
    assert _errors(tree.root_node) == []
    (stmts,) = [c for c in tree.root_node.children if c.type == "statement_list"] or [None]
    assert stmts is not None
    return [c for c in stmts.children if c.is_named]


def assignment(stmt: tree_sitter.Node) -> tuple[str, str]:
    """(left side text, decoded right side) of ``$Env:NAME = '…'``."""
    (expr,) = stmt.children
    assert expr.type == "assignment_expression"
    assert [c.type for c in expr.children[:2]] == ["left_assignment_expression",
                                                   "assignement_operator"]
    rhs = expr.child_by_field_name("value")
    assert rhs is not None and len(expr.children) == 3 and rhs == expr.children[2]
    literal = _single_string(rhs)
    assert literal.start_byte == rhs.start_byte and literal.end_byte == rhs.end_byte
    return expr.children[0].text.decode(), decode_verbatim(literal.text.decode("utf-8"))


@settings(max_examples=300, deadline=None)
@given(value=text_values)
def test_q_pwsh_is_one_verbatim_literal_that_decodes_to_the_value(value: str) -> None:
    (stmt,) = parse_script(f"$x = {quote('pwsh', value)}\n")
    assert assignment(stmt) == ("$x", value)


@settings(max_examples=60, deadline=None)
@given(values=text_batches, unset=st.lists(st.booleans(), max_size=24))
def test_powershell_export_round_trips(values: list[str], unset: list[bool]) -> None:
    variables = [(f"V{i}", None if i < len(unset) and unset[i] else v)
                 for i, v in enumerate(values)]
    stmts = parse_script(render_export("powershell", variables))
    assert len(stmts) == len(variables)
    for stmt, (name, value) in zip(stmts, variables, strict=True):
        if value is None:
            expected = f"Remove-Item -LiteralPath 'Env:/{name}' -ErrorAction Ignore"
            assert stmt.text.decode() == expected
            assert stmt.children[0].type == "pipeline_chain"
        else:
            assert assignment(stmt) == (f"$Env:{name}", value)


@pytest.mark.parametrize("broken", [
    "$x = 'it's'",          # ASCII quote not doubled
    "$x = 'John\u2019s'",   # typographic quote not doubled: the grammar accepts it, PowerShell not
    "$x = 'a' + 'b'",
    "$x = \"$(touch x)\"",
    "$x = 'a'b",
])
def test_checker_rejects_unsafe_output(broken: str) -> None:
    with pytest.raises(AssertionError):
        (stmt,) = parse_script(broken + "\n")
        assignment(stmt)
