"""`awsenv sync`: one profile per assigned account/role in the managed block.

The listing happens first (network, no lock held); then the block is
recomputed from the file as it is *under the config lock*, so two shells
syncing at once both end with a complete, valid file. Everything outside the
block is left byte for byte (``awsconfig.edit`` guarantees that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from awsenv.errors import ConfigError
from awsenv.sync import block, names
from awsenv.sync.filters import Filter
from awsenv.sync.plan import Key, Note, Options, Plan, build

if TYPE_CHECKING:
    from awsenv.awsconfig.model import SsoSession
    from awsenv.awsconfig.read import AwsConfig
    from awsenv.environment import Environment
    from awsenv.portal import AccountRoles, ProgressFn, RetryPolicy, Stats

__all__ = ["Filter", "Note", "Plan", "SyncResult", "run"]


@dataclass
class SyncResult:
    path: Path
    session: SsoSession
    plan: Plan
    diff: str
    written: bool
    dry_run: bool
    accounts: int
    roles: int
    refused: list[str] = field(default_factory=list)  # account ids whose roles were refused
    stats: Stats | None = None
    filter: Filter = field(default_factory=Filter)
    # Where the filter came from: "given" (and remembered unless a dry run), "remembered"
    # (settings, from an earlier run), "dropped" (--no-filter forgot one), "none".
    filter_source: str = "none"


def run(env: Environment, *, session_name: str | None = None, dry_run: bool = False,
        prune: bool = False, template: str | None = None, native: bool = False,
        region: str | None = None, progress: ProgressFn | None = None,
        listing: list[AccountRoles] | None = None,
        policy: RetryPolicy | None = None, filter: Filter | None = None) -> SyncResult:
    """List the session's roles and rewrite its part of the managed block.

    ``listing`` skips the portal (tests, or a caller that already listed);
    ``policy`` overrides the portal retry policy. ``filter`` None repeats the
    session's remembered filter; a Filter (empty: none) replaces it, and is
    remembered once the run has written (a dry run changes nothing, settings
    included), so a plain `awsenv sync` later does the same.
    """
    from awsenv import portal
    from awsenv.awsconfig import edit, read
    from awsenv.awsconfig.configure import usable_session
    from awsenv.paths import awsenv_command
    from awsenv.sync import listing_cache

    assert env.paths is not None
    cfg = read.load(env)
    session = cfg.session(session_name) if session_name else cfg.default_session()
    # Its name is written back (awsenv_session =) and shown: never with control characters.
    session = usable_session(session)
    defaults = session_defaults(env, session)
    remembered = remembered_filter(env, session.key)
    if filter is None:
        chosen, source = remembered, "remembered" if remembered else "none"
    else:
        chosen = filter
        source = "given" if filter else "dropped" if remembered else "none"
    opts = Options(
        session=session,
        region=_region(region or defaults.get("region") or session.region),
        command=tuple(awsenv_command()),
        template=template or defaults.get("name_template") or names.DEFAULT_TEMPLATE,
        native=native,
        prune=prune,
        filter=chosen,
    )
    names.check_template(opts.template)

    stats = portal.Stats()
    if listing is None:
        listing = portal.list_account_roles(env, session, progress=progress, stats=stats,
                                            policy=policy)
        listing_cache.save(env, session, listing)
    targets = outside_targets(cfg, session)
    seen: dict[str, str] = {}

    def apply(text: str) -> str:
        outside = {n: targets.get(n) for n in edit.profile_names_outside_block(text)}
        plan = build(edit.managed_block(text), listing, opts, outside)
        new = edit.replace_managed_block(text, plan.body) if plan.changes else text
        seen.update(old=text, new=new)
        plans.append(plan)
        return new

    plans: list[Plan] = []
    path = env.paths.aws_config_file
    if dry_run:
        apply(edit.read_text(env))
    else:
        edit.update_config(env, apply)
        from awsenv.shells import profileindex

        # Rebuilt here (a few seconds for 15,000 profiles), not by the first `use` after.
        profileindex.current(*profileindex.of_paths(env.paths))
    plan = plans[-1]
    if not dry_run and filter is not None and filter != remembered:
        remember_filter(env, session.key, filter)
    shown = read.display_path(path, env.paths.home)
    return SyncResult(
        path=path, session=session, plan=plan,
        diff=edit.diff(seen["old"], seen["new"], shown) if plan.changes else "",
        written=not dry_run and plan.changes > 0, dry_run=dry_run,
        accounts=len(listing), roles=sum(len(a.roles) for a in listing),
        refused=[a.account_id for a in listing if a.error], stats=stats,
        filter=chosen, filter_source=source)


def outside_targets(cfg: AwsConfig, session: SsoSession) -> dict[str, Key | None]:
    """Profile name -> (account, role) it reaches through ``session`` (any profile kind)."""
    out: dict[str, Key | None] = {}
    for name, prof in cfg.profiles.items():
        same = prof.session is not None and \
            prof.session.start_url.rstrip("/") == session.start_url.rstrip("/")
        if same and prof.account_id and prof.role_name:
            out[name] = (prof.account_id, prof.role_name)
    return out


def session_defaults(env: Environment, session: SsoSession) -> dict[str, str]:
    """Per-session defaults from awsenv settings (`awsenv configure`): region, template."""
    from awsenv import settings

    return settings.session_defaults(env, session.key)


def remembered_filter(env: Environment, session_key: str) -> Filter:
    """The filter a plain `awsenv sync` of this session repeats (empty: none)."""
    from awsenv import settings

    s = settings.load(env).for_session(session_key)
    return Filter(s.include, s.exclude)


def remember_filter(env: Environment, session_key: str, chosen: Filter) -> None:
    from awsenv import settings

    settings.update(env, lambda s: s.with_session(session_key, include=chosen.include,
                                                  exclude=chosen.exclude))


def _region(value: str) -> str:
    if not block.valid_region(value):
        raise ConfigError(f"region {value!r} is not a region name",
                          "pass one like --region eu-west-1")
    return value
