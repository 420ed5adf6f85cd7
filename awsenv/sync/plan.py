"""What `awsenv sync` writes: the managed block for one session, computed purely.

Input: the current block body, the portal listing, the options and the names
the user owns outside the block. Output: the new body plus what changed. No
I/O here, so the rules (stable names, collisions, pruning, hostile names) are
tested directly and run inside the config lock unchanged.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from awsenv.awsconfig.model import SsoSession
from awsenv.portal import AccountRoles
from awsenv.sync import block, names
from awsenv.sync.filters import Filter

Key = tuple[str, str]  # (account_id, role_name)


@dataclass(frozen=True)
class Options:
    session: SsoSession
    region: str
    command: tuple[str, ...]  # absolute awsenv command for credential_process
    template: str = names.DEFAULT_TEMPLATE
    native: bool = False
    prune: bool = False
    # Roles the filter leaves out are not written; their profiles are kept unless prune.
    filter: Filter = field(default_factory=Filter)


@dataclass(frozen=True)
class Note:
    """Something the user should hear about one role or profile."""

    name: str
    account_id: str
    role_name: str
    reason: str


@dataclass
class Plan:
    body: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # kept although no longer assigned
    filtered: list[str] = field(default_factory=list)  # kept although the filter leaves them out
    matched: int = 0  # roles in the listing the filter keeps (all when there is none)
    skipped: list[Note] = field(default_factory=list)  # not written (see reason)
    renamed: list[Note] = field(default_factory=list)  # name differs from the template's

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


def owns(section: block.Section, session: SsoSession) -> bool:
    """Is this managed section one of ``session``'s (either profile style)?"""
    v = section.values
    if "awsenv_session" in v:
        return v["awsenv_session"] == session.key
    if session.name is not None and "sso_session" in v:
        return v["sso_session"] == session.name
    if session.name is None and "sso_start_url" in v and "sso_session" not in v:
        return v["sso_start_url"] == session.start_url
    return False


def section_key(section: block.Section) -> Key | None:
    v = section.values
    account = v.get("awsenv_account_id") or v.get("sso_account_id")
    role = v.get("awsenv_role_name") or v.get("sso_role_name")
    return (account, role) if account and role else None


def credential_process_line(command: Sequence[str], profile: str, *,
                            windows: bool = os.name == "nt") -> str:
    """``<awsenv> credential-process --profile NAME`` as botocore will split it back.

    botocore splits with POSIX shlex rules, except on Windows where it follows
    the MSVC command-line rules (what ``subprocess.list2cmdline`` writes).
    """
    argv = [*command, "credential-process", "--profile", profile]
    if windows:
        import subprocess

        return subprocess.list2cmdline(argv)
    return " ".join(shlex.quote(part) for part in argv)


def profile_values(opts: Options, name: str, key: Key) -> list[tuple[str, str]]:
    account_id, role_name = key
    s = opts.session
    if not opts.native:
        # Never sso_* keys here: botocore's SSO provider runs before the process
        # provider and would shadow credential_process.
        return [("credential_process", credential_process_line(opts.command, name)),
                ("awsenv_session", s.key),
                ("awsenv_account_id", account_id),
                ("awsenv_role_name", role_name),
                ("region", opts.region)]
    if s.name is not None:
        return [("sso_session", s.name),
                ("sso_account_id", account_id),
                ("sso_role_name", role_name),
                ("region", opts.region)]
    return [("sso_start_url", s.start_url),
            ("sso_region", s.region),
            ("sso_account_id", account_id),
            ("sso_role_name", role_name),
            ("region", opts.region)]


def build(current_body: str | None, listing: Sequence[AccountRoles], opts: Options,
          outside: Mapping[str, Key | None]) -> Plan:
    """The new block body and the changes, for ``opts.session`` only.

    ``outside`` maps every profile name outside the block to the (account,
    role) it reaches through this session, or None (other session, not SSO).
    """
    names.check_template(opts.template)
    sections = block.parse(current_body or "")
    ours = [s for s in sections if s.name is not None and owns(s, opts.session)]
    mine = {id(s) for s in ours}
    others = [s for s in sections if id(s) not in mine]
    other_names = {s.name for s in others if s.name is not None}

    plan = Plan(body="")
    assigned: dict[Key, AccountRoles] = {}
    refused: set[str] = set()
    for acct in listing:
        if acct.error:
            refused.add(acct.account_id)
        for role in acct.roles:
            assigned.setdefault((acct.account_id, role), acct)

    # Unrepresentable roles are never written (nothing from the service may
    # inject into the file).
    # The filter decides what is wanted; a profile it leaves out is kept (as a
    # stale one is) unless --prune, so narrowing the filter never deletes by itself.
    account_names = {acct.account_id: acct.account_name for acct in listing}
    left_out = {key for key, acct in assigned.items()
                if not opts.filter.keeps(acct.account_name, key[0], key[1])}
    for key in left_out:
        del assigned[key]
    plan.matched = len(assigned)

    for key in list(assigned):
        if not (block.valid_account_id(key[0]) and block.safe_value(key[1])):
            del assigned[key]
            plan.skipped.append(Note("", _printable(key[0]), _printable(key[1]),
                                     "the service returned an id or role name that cannot "
                                     "be written safely"))

    outside_targets = {t: n for n, t in sorted(outside.items()) if t is not None}
    taken = set(outside) | other_names

    # Existing profiles keep their names unless a user profile now holds it.
    kept: dict[Key, str] = {}
    old_text: dict[str, str] = {}
    stale_keys: dict[Key, str] = {}
    # Names --prune removes in this run, with the role each one reached. They are
    # not handed to another role in the same run: a `.awsenv`, script or prompt
    # naming the profile would silently follow it to another account.
    pruned: dict[str, Key | None] = {}
    for sec in sorted(ours, key=lambda s: s.name or ""):
        assert sec.name is not None
        old_text[sec.name] = sec.text
        key = section_key(sec)
        if key is None or key in kept:
            if not opts.prune:
                stale_keys[(f"?{sec.name}", "")] = sec.name
                plan.stale.append(sec.name)
            else:
                pruned[sec.name] = key
            continue
        if sec.name in taken or sec.name in names.RESERVED:
            continue  # re-allocated below, reported as renamed
        if key in left_out or (key[0] in account_names and not opts.filter.keeps(
                account_names[key[0]], key[0], key[1])):
            if opts.prune:
                pruned[sec.name] = key
            else:
                stale_keys[key] = sec.name
                plan.filtered.append(sec.name)
            continue
        if key in assigned:
            kept[key] = sec.name
        elif key[0] in refused:
            stale_keys[key] = sec.name  # unknown, not gone: never pruned
        elif not opts.prune:
            stale_keys[key] = sec.name
            plan.stale.append(sec.name)
        else:
            pruned[sec.name] = key

    wants: list[names.Want] = []
    for key, acct in sorted(assigned.items()):
        if key in kept:
            continue
        if key in outside_targets:
            plan.skipped.append(Note(outside_targets[key], key[0], key[1],
                                     "already configured outside the managed block"))
            continue
        desired = names.render(opts.template, account_name=acct.account_name,
                               account_id=key[0], role_name=key[1], session=opts.session.key)
        wants.append(names.Want(key, desired))
    fresh = names.allocate(wants, {**kept, **stale_keys}, taken | set(pruned))
    reserved = set(kept.values()) | set(stale_keys.values())
    for want in wants:
        got = fresh[want.key]
        if got != want.desired:
            plan.renamed.append(Note(got, want.key[0], want.key[1],
                                     _why(want.desired, taken, reserved, pruned)))

    new_text: dict[str, str] = {}
    for key, name in [*kept.items(), *fresh.items()]:
        new_text[name] = block.render_section(name, profile_values(opts, name, key))
    for name in stale_keys.values():
        new_text[name] = old_text[name]

    for name in sorted(set(old_text) | set(new_text)):
        if name not in new_text:
            plan.removed.append(name)
        elif name not in old_text:
            plan.added.append(name)
        elif old_text[name] != new_text[name]:
            plan.changed.append(name)
        else:
            plan.unchanged.append(name)

    rendered = {**{s.name or f"\x00{i}": s.text for i, s in enumerate(others)}, **new_text}
    plan.body = block.render([rendered[n] for n in sorted(rendered)])
    return plan


def _why(desired: str, taken: set[str], reserved: set[str],
         pruned: Mapping[str, Key | None]) -> str:
    if not desired:
        return "the template gave an empty name"
    if desired in taken:
        return f"'{desired}' is a profile outside the managed block"
    if desired in pruned:
        old = pruned[desired]
        was = f" (it reached {_printable(old[0])}/{_printable(old[1])})" if old else ""
        return (f"'{desired}' was pruned in this run{was} and is not reused for another "
                "role in the same run")
    if desired in reserved:
        return f"'{desired}' already names another generated profile"
    if desired in names.RESERVED:
        return f"'{desired}' is reserved"
    return f"several roles would be named '{desired}'"


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
