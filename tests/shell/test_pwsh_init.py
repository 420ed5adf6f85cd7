"""`awsenv init pwsh`, checked with the PowerShell grammar (no pwsh on this machine).

The rendered script must parse with no ERROR/MISSING node, bake the command as
verbatim strings, never hand data to Invoke-Expression, and set or remove an
environment variable only under the AWS_*/AWSENV_* name check.
"""

from __future__ import annotations

import subprocess
import sys

import tree_sitter
import tree_sitter_powershell

from awsenv.shells import records
from awsenv.shells.init import render_init

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
NAME_CHECK = "-cmatch '^AWS(ENV)?_[A-Z0-9_]+$'"


def nodes(node: tree_sitter.Node, kind: str) -> list[tree_sitter.Node]:
    out = [node] if node.type == kind else []
    for child in node.children:
        out += nodes(child, kind)
    return out


def text(node: tree_sitter.Node) -> str:
    return node.text.decode() if node.text else ""


def problems(node: tree_sitter.Node) -> list[str]:
    out = [f"{node.type} at {node.start_point}"] if node.type == "ERROR" or node.is_missing else []
    for child in node.children:
        out += problems(child)
    return out


def functions(root: tree_sitter.Node) -> dict[str, tree_sitter.Node]:
    found = {}
    for fn in nodes(root, "function_statement"):
        name = next(c for c in fn.children if c.type == "function_name")
        found[text(name).removeprefix("global:")] = fn
    return found


def parse(command: list[str] | None = None) -> tree_sitter.Node:
    src = render_init("pwsh", command=command)
    tree = PARSER.parse(src.encode())
    assert not tree.root_node.has_error, problems(tree.root_node)
    return tree.root_node


def test_cli_output_parses_cleanly() -> None:
    res = subprocess.run([sys.executable, "-m", "awsenv", "init", "pwsh"], capture_output=True,
                         timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    tree = PARSER.parse(res.stdout)
    assert not tree.root_node.has_error, problems(tree.root_node)
    assert b"hook protocol 1" in res.stdout


def test_command_baked_as_verbatim_strings() -> None:
    words = ["C:/Program Files/John’s ‘tools’/awsenv.exe", "-m", "it's $(evil) `n"]
    root = parse(words)
    assignment = next(a for a in nodes(root, "assignment_expression")
                      if text(a).startswith("$global:_AWSENV_CMD"))
    literals = nodes(assignment, "verbatim_string_characters")
    values = []
    for lit in literals:
        raw = text(lit)
        assert raw[0] in "'‘’‚‛" and raw[-1] in "'‘’‚‛"
        body = raw[1:-1]
        for q in "'‘’‚‛":
            body = body.replace(q + q, q)
        values.append(body)
    assert values == words
    # the rest of the script is the same whatever the path
    assert nodes(assignment, "expandable_string_literal") == []


def test_no_code_from_data_and_guarded_env_writes() -> None:
    root = parse()
    names = {text(n).lower() for n in nodes(root, "command_name")}
    assert not names & {"invoke-expression", "iex", "add-type", "new-module", "invoke-command"}
    fns = functions(root)
    assert {"_awsenv_apply", "_awsenv_fetch", "_awsenv_hook", "awsenv", "awsenv_prompt",
            "prompt", "_awsenv_key", "_awsenv_fresh"} <= set(fns)
    apply_fn = fns["_awsenv_apply"]
    writes = [c for c in nodes(apply_fn, "command")
              if text(c).split()[0] in ("Set-Item", "Remove-Item")]
    assert len(writes) == 2
    for cmd in writes:
        assert "-LiteralPath" in text(cmd)
        guard = cmd.parent
        while guard is not None and guard.type != "if_statement":
            guard = guard.parent
        assert guard is not None and guard.start_byte > apply_fn.start_byte
        condition = text(guard).split("{", 1)[0]
        assert NAME_CHECK in condition, condition
    # Every record type the protocol defines is known to the applier, with its arity.
    body = text(apply_fn)
    for kind, arity in records.ARITY.items():
        if kind == "end":
            continue
        if arity == 2:
            assert "$k -ceq 'set'" in body
        else:
            assert f"'{kind}'" in body
    # The whole answer is read as one string and split on NUL (no line splitting).
    fetch = text(fns["_awsenv_fetch"])
    assert "ReadToEnd()" in fetch and "Split([char]0)" in fetch
    assert "_awsenv_apply" not in fetch  # fetching never applies
    hook = text(fns["_awsenv_hook"])
    assert "_awsenv_apply -Fields $fields" in hook
    # A kept answer is replayed only under the same key and while fresh.
    assert "$kept.Key -ceq $key -and (_awsenv_fresh -Fields $kept.Fields)" in hook
    assert "[System.Collections.Generic.Dictionary[string, object]]::new()" in text(root)


def test_prompt_wrapper_keeps_status_and_hooks_chain() -> None:
    root = parse()
    prompt = text(functions(root)["prompt"])
    assert "$ok = $?" in prompt and "$lastExit = $global:LASTEXITCODE" in prompt
    assert "$global:LASTEXITCODE = $lastExit" in prompt
    assert "& $global:_AWSENV_PREVIOUS_PROMPT" in prompt
    src = text(root)
    assert "[Delegate]::Combine(" in src and "LocationChangedAction" in src
    # installed once: both installs are guarded
    ifs = [text(n) for n in nodes(root, "if_statement")]
    assert any(s.startswith("if (-not $global:_AWSENV_LOCATION_HANDLER)") for s in ifs)
    assert any("-notmatch '_awsenv_hook'" in s.split("{", 1)[0] for s in ifs)
    hook = text(functions(root)["_awsenv_hook"])
    assert "[DateTimeOffset]::UtcNow.ToUnixTimeSeconds()" in hook
    assert "'hook', '--protocol'" in hook
