"""The shell's identity stack: what awsenv set, and what was there before.

Each `awsenv use` or trusted `.awsenv` pushes a *layer* recording, per
variable it changed, the previous value and a hash of the value it set (never
the set secret itself). Popping a layer restores a variable only if it still
holds awsenv's value, so anything the user changed by hand survives (a plain
direnv-style reverse patch would overwrite it). The stack lives in one
UNEXPORTED shell variable (`_AWSENV_STATE`) and is handed to awsenv only on the
command that needs it, so child shells start clean and re-check.

Pure data and stdlib only: the prompt hook runs it.
"""

from __future__ import annotations

from awsenv import fastjson
from awsenv.digest import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

STATE_VERSION = 1

# Every variable awsenv may set or clear. The shell templates allow only
# AWS_* / AWSENV_* names on top of this.
MANAGED = (
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWSENV_PROFILE",
    "AWSENV_EXPIRES",
)

Values = dict[str, "str | None"]


def fingerprint(value: str | None) -> str | None:
    """Enough to recognise our own value later without keeping it (it may be a secret)."""
    if value is None:
        return None
    return sha256(value.encode("utf-8", "surrogateescape")).hexdigest()[:24]


# A layer's fields, in their wire order.
_FIELDS = ("kind", "tree", "profile", "mode", "region", "prev", "set", "refresh_at", "pending")


class Layer:
    """One pushed identity. A plain class: ``dataclasses`` costs `awsenv use` ~4 ms to import."""

    __slots__ = _FIELDS

    def __init__(self, kind: str, tree: str | None, profile: str, mode: str,
                 region: str | None = None, prev: Values | None = None,
                 set: dict[str, str | None] | None = None,  # the wire name
                 refresh_at: int = 0, pending: str = "") -> None:
        self.kind = kind  # "use" | "dir"
        self.tree = tree  # the `.awsenv` (as found) this layer belongs to; None = outside any
        self.profile = profile
        self.mode = mode  # "profile" | "env"
        self.region = region  # explicit region (from .awsenv or --region)
        self.prev: Values = {} if prev is None else prev
        self.set: dict[str, str | None] = {} if set is None else set
        self.refresh_at = refresh_at  # epoch seconds when the hook should refresh; 0 = never
        self.pending = pending  # result file of a detached refresh in flight

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Layer) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Layer({self.kind!r}, {self.tree!r}, {self.profile!r}, {self.mode!r})"


class State:
    __slots__ = ("layers", "previous")

    def __init__(self, layers: list[Layer] | None = None,
                 previous: dict[str, str | None] | None = None) -> None:
        self.layers: list[Layer] = [] if layers is None else layers
        # What `awsenv use -` goes back to, like `cd -`'s OLDPWD: the identity shown
        # before the last `awsenv use` or `--unset` ({"profile", "mode", "region"};
        # profile "" = none was active). Kept by this shell alone, as the layers are.
        self.previous = previous

    def identity(self) -> dict[str, str | None]:
        """The shown identity, in ``previous``'s form."""
        top = self.top
        if top is None:
            return {"profile": "", "mode": None, "region": None}
        return {"profile": top.profile, "mode": top.mode, "region": top.region}

    @property
    def top(self) -> Layer | None:
        return self.layers[-1] if self.layers else None

    def encode(self) -> str:
        if not self.layers and self.previous is None:
            return ""
        data: dict[str, object] = {"v": STATE_VERSION,
                                   "layers": [x.to_dict() for x in self.layers]}
        if self.previous is not None:
            data["previous"] = self.previous
        return fastjson.dumps(data)

    @classmethod
    def decode(cls, text: str | None) -> State:
        """Tolerant: a state from another version or a mangled one means "nothing set"."""
        if not text:
            return cls()
        try:
            data = fastjson.loads(text)
            if data.get("v") != STATE_VERSION:
                return cls()
            layers = [Layer(**raw) for raw in data["layers"]]
            previous = data.get("previous")
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()
        if not all(_well_formed(x) for x in layers):
            return cls()
        return cls(layers, previous if _identity(previous) else None)


def _identity(value: object) -> bool:
    """A well-formed ``previous`` (else it is dropped, never trusted half-way)."""
    return (isinstance(value, dict) and set(value) == {"profile", "mode", "region"}
            and isinstance(value["profile"], str)
            and all(v is None or isinstance(v, str) for v in value.values()))


def _well_formed(layer: Layer) -> bool:
    """Every field has the type the hook relies on, and names only managed variables.

    The variable is the shell's to keep but anyone can paste into it; a mangled
    one must read as "nothing set", not crash every prompt.
    """
    def opt_str(v: object) -> bool:
        return v is None or isinstance(v, str)

    def values(m: object) -> bool:
        return isinstance(m, dict) and all(k in MANAGED and opt_str(v) for k, v in m.items())

    return (isinstance(layer.kind, str) and opt_str(layer.tree)
            and isinstance(layer.profile, str) and isinstance(layer.mode, str)
            and opt_str(layer.region) and values(layer.prev) and values(layer.set)
            and isinstance(layer.refresh_at, (int, float)) and not isinstance(layer.refresh_at,
                                                                              bool)
            and isinstance(layer.pending, str))


def current(environ: Mapping[str, str]) -> Values:
    return {name: environ.get(name) for name in MANAGED}


def push(state: State, cur: Values, layer: Layer, values: Values) -> None:
    """Apply ``values`` to ``cur`` and remember how to undo them."""
    layer.prev = {k: cur.get(k) for k in values}
    layer.set = {k: fingerprint(v) for k, v in values.items()}
    cur.update(values)
    state.layers.append(layer)


def pop(state: State, cur: Values) -> list[str]:
    """Undo the top layer in ``cur``; returns the variables kept because the user changed them."""
    layer = state.layers.pop()
    kept = []
    for name, before in layer.prev.items():
        if fingerprint(cur.get(name)) == layer.set.get(name):
            cur[name] = before
        else:
            kept.append(name)
    return kept


def update(layer: Layer, cur: Values, values: Values) -> list[str]:
    """Replace a layer's values in place (a refresh), sparing variables the user changed."""
    kept = []
    for name, value in values.items():
        if name not in layer.set:
            continue
        if fingerprint(cur.get(name)) == layer.set[name]:
            cur[name] = value
            layer.set[name] = fingerprint(value)
        else:
            kept.append(name)
    return kept


def diff(before: Values, after: Values) -> list[tuple[str, str | None]]:
    """(name, value or None = unset) for what changed, in MANAGED order."""
    return [(k, after.get(k)) for k in MANAGED if before.get(k) != after.get(k)]
