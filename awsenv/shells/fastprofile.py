"""`awsenv use PROFILE` in profile mode, answered before the hook module loads.

Profile mode sets ``AWS_PROFILE`` (and the region) and shows when the
session's access token expires; the SDKs fetch credentials themselves. So
the warm answer needs the profile's facts (from the profile-facts index,
:mod:`awsenv.shells.profileindex`, keyed by the config's stamp: no scan of a
config of thousands of profiles), the token file's expiry, and the user's
default mode when none is given. Stdlib only, with the modules of the
env-mode fast path (:mod:`awsenv.shells.fastuse`).

Anything this cannot be sure of goes to the full path
(:func:`awsenv.shells.hook.use`), which also rebuilds a stale index: a
chained or ad hoc profile (their notes need the config), a name the index
does not hold (the full path looks accounts up or suggests one), a token
missing or with less than the renewal window left (the full path renews it
from the keyring), a settings file this cannot read plainly.
"""

from __future__ import annotations

import time

from awsenv import fastsettings, locations
from awsenv.creds import record
from awsenv.shells.answer import TOKEN_LEAD, label, profile_values, use_answer
from awsenv.shells.state import Layer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def default_mode(environ: Mapping[str, str]) -> str | None:
    """``shell_mode`` from awsenv's settings as :func:`awsenv.settings.load` reads it;
    None when only the full reader can say (a linked or damaged file: it reports)."""
    return fastsettings.value(environ, "shell_mode", fastsettings.SHELL_MODES)


def token_expiry(environ: Mapping[str, str], session: str) -> int | None:
    """Epoch seconds the session's cached access token expires (None: no usable token)."""
    expires = record.token_expiry(record.sso_cache(environ), session)
    return None if expires is None else int(expires)


def warm_profile_answer(environ: Mapping[str, str], profile: str,
                        region: str | None) -> bytes | None:
    """The whole answer to `use --mode profile PROFILE` outside any tree, or None."""
    from awsenv.shells import profileindex

    if "+arn:" in profile:
        return None
    directory, config = profileindex.location(environ)
    fresh, fact = profileindex.read_facts(directory, config, profile)
    if not fresh or fact is None or fact["chain"]:
        return None
    now = time.time()
    expires: int | None = None
    refresh_at = 0
    if fact["session"]:
        expires = token_expiry(environ, fact["session"])
        if expires is None or expires - now < record.TOKEN_WINDOW:
            return None  # signed out or due: the full path renews it with the keyring
        refresh_at = expires - TOKEN_LEAD
    shown = region or fact["region"]
    values = profile_values(profile, expires, shown)
    describe = label(profile, fact["prod"], fact["account_id"], fact["role_name"], shown)
    return use_answer(environ, Layer("use", None, profile, "profile", region=region,
                                     refresh_at=refresh_at), values, describe,
                      locations.runtime_dir(environ))
