"""SHA-256 (and SHA-1) without hashlib on the hot paths.

``hashlib`` loads OpenSSL (~2 ms) at import; CPython's builtin module gives
the same digest for the short keys awsenv hashes (cache file names, cache
keys, botocore's token cache names). Falls back to hashlib where the builtin is missing.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

# Asked for by its name on this version only: a module that is not there costs a
# search of every sys.path entry on each start.
try:
    if sys.version_info >= (3, 12):
        from _sha2 import sha256  # type: ignore[import-not-found]
    else:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef]
except ImportError:  # pragma: no cover
    from hashlib import sha256  # type: ignore[assignment]

__all__ = ["sha1", "sha256"]  # noqa: F822 (sha1 comes from __getattr__)


def __getattr__(name: str) -> Callable[..., object]:
    """``sha1`` (token cache file names) loads its module when first asked for: a TAB's
    completion and the profile index need SHA-256 alone."""
    if name != "sha1":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        from _sha1 import sha1
    except ImportError:  # pragma: no cover
        from hashlib import sha1
    globals()["sha1"] = sha1
    return sha1
