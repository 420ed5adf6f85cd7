"""Hypothesis strategies for nasty-but-valid AWS config files."""

from __future__ import annotations

from hypothesis import strategies as st

HEADERS = [
    "[default]", "[DEFAULT]", "[profile a]", "[profile  b]", '[profile "c d"]', "[profile a b]",
    "[profilex y]", "[sso-session s]", "[sso-session  t]", "[services z]", "[other]",
    "  [profile ind]", "[profile é]", "[profile x] ; trailing", "[profile]", "[profile default]",
    "\t[profile tabbed]", "[profile 'q']", "[sso-session \"u v\"]",
]
FILLER = ["", "   ", "\t", "# comment", "; semi", "   # indented comment", "#[profile commented]",
          "# BEGIN something else", "ünïcödé # not a comment? no: it's a key below"]
OPTIONS = [
    "k{i} = v", "k{i}=v", "K{i} : colon", "  k{i} = indented", "\tk{i} = tabbed",
    "k{i} =", "k{i} = value with = sign", "k{i} = ü ✓", "k{i} = 'quoted'",
]
CONTINUATIONS = ["    nested = 1", "    [profile fake]", "      deeper = 2", "    sso = x"]
EOLS = ["\n", "\r\n"]


@st.composite
def config_text(draw: st.DrawFn) -> str:
    """A file botocore can parse (unique sections, unique keys per section)."""
    headers = draw(st.lists(st.sampled_from(HEADERS), unique_by=lambda h: h.strip(), max_size=6))
    eol = draw(st.sampled_from(EOLS))
    lines: list[str] = [draw(st.sampled_from(FILLER[:7])) for _ in range(draw(st.integers(0, 2)))]
    counter = 0
    for header in headers:
        lines.append(header)
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from(["opt", "opt", "fill", "cont"]))
            if kind == "fill":
                lines.append(draw(st.sampled_from(FILLER[:7])))
                continue
            option = draw(st.sampled_from(OPTIONS)).format(i=counter)
            counter += 1
            lines.append(option)
            if kind == "cont" and option.startswith("k") and option.endswith("="):
                lines.extend(draw(st.lists(st.sampled_from(CONTINUATIONS[::2]), min_size=1,
                                           max_size=2)))
            elif kind == "cont":
                lines.append(draw(st.sampled_from(CONTINUATIONS)))
    text = eol.join(lines)
    if lines and draw(st.booleans()):
        text += eol
    return text
