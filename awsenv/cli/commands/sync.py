"""`awsenv sync`: generate one profile per account/role into the managed block."""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any

import click

from awsenv.errors import printable

if TYPE_CHECKING:
    from awsenv.portal import Progress


class ProgressBar:
    """Feeds the core's progress callback (worker threads) into one click bar.

    Only on an interactive stderr: scripts and pipes get no control codes.
    """

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.label = label
        self._bar: Any = None
        self._shown = 0
        self._lock = threading.Lock()

    def __call__(self, event: Progress) -> None:
        if not self.enabled or event.phase != "roles" or not event.total:
            return
        with self._lock:
            if self._bar is None:
                self._bar = click.progressbar(length=event.total, label=self.label,
                                              file=sys.stderr, show_pos=True)
                self._bar.__enter__()
            step = event.done - self._shown
            if step > 0:
                self._bar.update(step)
                self._shown = event.done

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.__exit__(None, None, None)
                self._bar = None


# Control characters except TAB and newline (config lines hold them): the diff stays a diff.
_SHOWN = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if c not in (9, 10)}


def _printable_diff(diff: str) -> str:
    """The config's diff for stdout: its lines are the user's and the service's text."""
    return diff.translate(_SHOWN)


def _say(text: str) -> None:
    """A summary line on stderr; profile names, account ids, role names and the
    session name inside it came from the config or the service."""
    click.echo(printable(text), err=True)


def _names(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


# Up to this many changed profiles are named in the summary; beyond, --diff shows them.
LISTED = 10


def _what_changed(plan: Any) -> str:
    """"added: a, b; removed: c" when few changed, else how to see them."""
    if plan.changes > LISTED:
        return "awsenv: `awsenv sync --dry-run` (or --diff) shows each profile's change"
    parts = [f"{label}: {', '.join(sorted(names))}" for label, names in
             (("added", plan.added), ("changed", plan.changed), ("removed", plan.removed))
             if names]
    return "awsenv: " + "; ".join(parts)


@click.command("sync")
@click.option("--session", "session_name", metavar="NAME",
              help="sso-session to sync (default: the only one configured).")
@click.option("--dry-run", is_flag=True, help="Show the diff on stdout; write nothing.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Also print the unified diff of the change on stdout.")
@click.option("--prune", is_flag=True,
              help="Remove generated profiles whose role is no longer assigned.")
@click.option("--name", "template", metavar="TEMPLATE",
              help="Profile name template; placeholders {account_name}, {account_id}, "
                   "{role_name}, {session}. Default: {account_name}-{role_name}. "
                   "Names new profiles only: existing ones keep theirs (to rename them, "
                   "delete their sections from the managed block and sync again).")
@click.option("--native", is_flag=True,
              help="Write native sso_session/sso_account_id/sso_role_name profiles "
                   "instead of credential_process ones.")
@click.option("--region", metavar="REGION",
              help="Region for the profiles (default: the session's default, else its "
                   "sso_region).")
@click.option("--include", "include", metavar="PATTERN", multiple=True,
              help="Write only roles matching this glob (repeatable), matched against "
                   "ACCOUNT_NAME/ROLE and ACCOUNT_ID/ROLE, case-insensitively; a pattern "
                   "without '/' is about the account only. Remembered for the session.")
@click.option("--exclude", "exclude", metavar="PATTERN", multiple=True,
              help="Leave out roles matching this glob (repeatable; as --include). "
                   "Remembered for the session.")
@click.option("--no-filter", is_flag=True,
              help="Drop the session's remembered --include/--exclude: write every role.")
def sync(session_name: str | None, dry_run: bool, show_diff: bool, prune: bool,
         template: str | None,
         native: bool, region: str | None, include: tuple[str, ...],
         exclude: tuple[str, ...], no_filter: bool) -> None:
    """Write a profile for every account/role you can reach.

    Profiles go into the awsenv-managed block of the AWS config; everything
    outside the block is left untouched. Existing generated profiles keep their
    names across runs. A summary goes to stderr, naming the profiles added,
    changed and removed when there are few; the unified diff goes to stdout
    with --diff, or with --dry-run (which writes nothing).

    --include/--exclude are remembered per session: a plain `awsenv sync` repeats
    them, giving either replaces both, --no-filter drops them. Profiles a new
    filter leaves out are kept unless --prune.
    """
    from awsenv import sync as core
    from awsenv.awsconfig.read import display_path
    from awsenv.environment import Environment
    from awsenv.sync import filters

    if no_filter and (include or exclude):
        raise click.UsageError("--no-filter drops the filter: give it without "
                               "--include/--exclude")
    chosen = None
    if include or exclude or no_filter:
        chosen = filters.Filter(filters.check(include, "--include"),
                                filters.check(exclude, "--exclude"))
    env = Environment.from_os()
    bar = ProgressBar("Listing roles")
    try:
        result = core.run(env, session_name=session_name, dry_run=dry_run, prune=prune,
                          template=template, native=native, region=region, progress=bar,
                          filter=chosen)
    finally:
        bar.close()
    if result.diff and (show_diff or dry_run):
        click.echo(_printable_diff(result.diff), nl=False)
    plan = result.plan
    where = display_path(result.path, env.paths.home if env.paths else None)
    counts = (f"{len(plan.added)} added, {len(plan.changed)} changed, "
              f"{len(plan.removed)} removed")
    if plan.changes == 0:
        counts = f"0 changes ({len(plan.unchanged)} profiles up to date)"
    verb = "would write" if dry_run and plan.changes else "wrote" if result.written else "checked"
    _say(f"awsenv: session {result.session.key}: {result.accounts} accounts, "
               f"{result.roles} roles; {counts}; {verb} {where}")
    _say_filter(result)
    stats = result.stats
    if stats is not None and (stats.throttled or stats.server_errors):
        _say(f"awsenv: {stats.requests} portal requests; {stats.throttled} throttled and "
                   f"{stats.server_errors} failed, all retried")
    if plan.changes and not (show_diff or dry_run):
        _say(_what_changed(plan))
    if dry_run and plan.changes:
        _say("awsenv: dry run: nothing was written")
    kept = len(plan.unchanged) + len(plan.changed)
    if template and kept:
        _say(f"awsenv: --name names new profiles only: {kept} existing one(s) kept their "
             f"names (to rename them, delete their sections from the managed block in "
             f"{where} and run `awsenv sync --name ...` again)")
    if plan.filtered:
        _say(f"awsenv: kept {len(plan.filtered)} profile(s) the filter leaves out "
             f"(run with --prune to remove): {_names(sorted(plan.filtered))}")
    if plan.stale:
        _say(f"awsenv: kept {len(plan.stale)} profile(s) for roles no longer assigned "
                   f"(run with --prune to remove): {_names(sorted(plan.stale))}")
    for note in plan.skipped:
        label = f"{note.account_id}/{note.role_name}"
        target = f" as '{note.name}'" if note.name else ""
        _say(f"awsenv: skipped {label}: {note.reason}{target}")
    for note in plan.renamed:
        _say(f"awsenv: named {note.account_id}/{note.role_name} '{note.name}': "
                   f"{note.reason}")
    if native:
        # The one case awsenv cannot cover (README: Native profiles and SDKs).
        _say("awsenv: native profiles read the access token in ~/.aws/sso/cache, which "
             "awsenv renews whenever one of its commands runs in the token's last 15 "
             "minutes; the JavaScript SDKs (and tools built on them: CDK, Amplify) refuse "
             "the profile in the last 5 if none did (no refresh token in that file, on "
             "purpose); for them use the credential_process profiles of plain `awsenv sync`")
    if result.refused:
        _say(f"awsenv: the portal refused to list roles of {len(result.refused)} "
                   f"account(s); their profiles were left as they were: "
                   f"{_names(result.refused)}")


def _say_filter(result: Any) -> None:
    """Which roles the filter kept, and whether a plain `awsenv sync` repeats it."""
    source = result.filter_source
    if source == "dropped":
        _say("awsenv: filter dropped" + (" (not yet: dry run)" if result.dry_run else "")
             + "; every role is written")
        return
    if source == "none":
        return
    how = {"remembered": "remembered; --no-filter drops it",
           "given": ("not remembered: dry run" if result.dry_run else
                     "remembered: a plain `awsenv sync` repeats it")}[source]
    _say(f"awsenv: filter {result.filter.describe()}: {result.plan.matched} of "
         f"{result.roles} roles ({how})")
