"""A team's `.awsenv` (``account =``/``role =``, ``start_url``, ``role_arn``) → a local profile.

Profile names are each person's (`awsenv sync --name` decides them), so a file
the team commits names the identity and every laptop finds its own profile for
it: the profile giving that account and role (of that start URL, if the file
says), by awsenv.lookup's matching. A ``role_arn`` is the chained role: a
profile whose role_arn chain ends there (starting from the account/role, if
given), else, when only the account and role have a profile, that profile with
the role assumed ad hoc (``PROFILE+ARN``, env mode, as `use --chain` does).

Several profiles giving the same identity (same session, account and role) are
one answer, the first in the config; different ones are refused in one line
naming them. What the file resolved to is bound into its allow record
(awsenv.project.trust): another resolution asks again. stdlib only (the prompt
hook resolves), imported only for files that name an identity.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from awsenv import lookup
from awsenv.project.file import ProjectFile, ProjectFileError
from awsenv.shells.profileinfo import ProfileInfo, load_all
from awsenv.textsafe import printable


def asked(project: ProjectFile) -> str:
    """What the file asks for, in words: ``role Developer in account 111111111111``."""
    a = project.asks()
    text = (f"role {a['role']} in account {a['account']}" if a.get("account")
            else f"the role {a.get('role_arn', '')}")
    if a.get("account") and a.get("role_arn"):
        text += f", then {a['role_arn']}"
    if a.get("start_url"):
        text += f" of {a['start_url']}"
    return printable(text)


def _one(project: ProjectFile, found: list[ProfileInfo], config: str) -> ProfileInfo:
    where = os.fspath(project.path)
    if not found:
        raise ProjectFileError(
            f"{where} asks for {asked(project)}, which no profile in {config} gives",
            "run `awsenv sync` (or ask for that role in IAM Identity Center), then `cd` again")
    first = found[0]
    if all(_identity(p) == _identity(first) for p in found[1:]):
        return first  # one identity under several names (a synced and a hand-written one)
    names = ", ".join(f"{printable(p.name)} (session {printable(p.session_key or '?')})"
                      for p in found)
    raise ProjectFileError(
        f"{where} asks for {asked(project)}, which several of your profiles give: {names}",
        "add `start_url = ...` to the file to say which portal, or remove the profile "
        "you don't use")


def _identity(p: ProfileInfo) -> tuple[object, ...]:
    """Who a profile signs in as: its session, account and role, and every link of a chain."""
    return (p.session_key, p.account_id, p.role_name,
            tuple((x.account_id, x.role_name) for x in p.chain))


def resolve(project: ProjectFile, config: Path) -> ProjectFile:
    """``project`` with ``profile`` set to the local profile giving its identity (and
    ``mode`` env for an ad hoc chain); files naming a profile come back as they are."""
    if not project.identity:
        return project
    a = project.asks()
    infos, urls = load_all(config)
    src = lookup.Sources(infos, urls, {}, os.fspath(config), "")
    account, role, url, arn = a.get("account"), a.get("role"), a.get("start_url"), a.get("role_arn")
    base = lookup.Wanted(asked(project), account, role=role, start_url=url)
    if arn is None:
        return dataclasses.replace(project, profile=_one(project, lookup.matches(src, base, None),
                                                         src.config).name)
    target = lookup.wanted(arn)
    assert target is not None and target.account is not None
    chained = lookup.matches(src, dataclasses.replace(target, start_url=url), None)
    chained = [p for p in chained if p.chain and not p.adhoc
               and (p.account_id, p.role_name) == (target.account, target.role)]
    if account is not None:
        chained = [p for p in chained
                   if (p.chain[0].account_id, p.chain[0].role_name) == (account, role)]
    if chained or account is None:
        return dataclasses.replace(project, profile=_one(project, chained, src.config).name)
    source = _one(project, lookup.matches(src, base, None), src.config)
    if project.mode == "profile":
        raise ProjectFileError(
            f"{os.fspath(project.path)} asks for {asked(project)} in profile mode, but no "
            "profile chains to that role, and an ad hoc chain needs env mode",
            "drop `mode = profile`, or add a profile with role_arn and source_profile")
    return dataclasses.replace(project, profile=f"{source.name}+{arn}", mode="env")
