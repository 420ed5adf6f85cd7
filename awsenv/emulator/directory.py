"""The accounts and permission sets the emulated user is assigned.

A directory is what the portal lists: accounts (12-digit id, name, email) and
the roles (permission sets) the signed-in user may assume in each. Tests pick
a shape that exercises what they need: the small default, thousands of
generated accounts for pagination/throttling, or hostile names that break
naive shell quoting.

JSON file format (``Directory.load`` / ``awsenv emulator --directory FILE``)::

    {
      "accounts": [
        {"id": "111111111111", "name": "dev", "email": "dev@example.com",
         "roles": ["AdministratorAccess", "ReadOnlyAccess"]}
      ]
    }

``id`` must be 12 digits and unique; ``email`` defaults to ``<name>@example.com``;
``roles`` may be empty (the account is listed but nothing can be assumed).

An account may also hold IAM roles that STS ``AssumeRole`` reaches (role
chaining from an Identity Center role, or from another assumed role)::

    "iam_roles": [
      {"name": "deploy", "path": "/ci/", "max_session_duration": 43200,
       "external_id": "s3cret",
       "trust": ["333333333333", "arn:aws:iam::444444444444:role/builder",
                 "arn:aws:iam::111111111111:role/aws-reserved/*/AWSReservedSSO_Developer_*"]}
    ]

``trust`` is who may assume the role (its trust policy, reduced to what the
emulator checks): a 12-digit account id or ``arn:aws:iam::ID:root`` trusts
every principal of that account; a role ARN trusts sessions of that role, and
``*`` in it matches any run of characters (what ``aws:PrincipalArn`` conditions
with ``ArnLike`` do, since Identity Center role names end in a random suffix).
``external_id`` set means the trust policy requires exactly that
``sts:ExternalId``. ``max_session_duration`` is 3600..43200 (default 3600).
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")

# Names that break anything that pastes them into shell code unquoted.
HOSTILE_NAMES: tuple[str, ...] = (
    "it's \"quoted\"",
    "$(touch $HOME/awsenv-pwned)",  # HOME: a test or sandbox looks in its own
    "`id` backtick",
    "new\nline",
    "tab\there; semi;colon & amp | pipe",
    "ünïcødé-名前-😀",
    "%PATH% !bang! ^caret",
    "-dash-leading --option",
    "back\\slash \\n literal",
    "glob * ? [abc] {a,b} ~user",
)

HOSTILE_ROLES: tuple[str, ...] = (
    "Role'Quote",
    "Role$(id)",
    "Role`x`",
    "Role\"Dq\"",
    "Rôle-ünï",
)


@dataclass(frozen=True)
class IamRole:
    """An IAM role STS ``AssumeRole`` can reach, with its trust and session limit."""

    name: str
    trust: tuple[str, ...] = ()
    path: str = "/"
    max_session_duration: int = 3600
    external_id: str | None = None

    def arn(self, account_id: str, partition: str = "aws") -> str:
        return f"arn:{partition}:iam::{account_id}:role{self.path}{self.name}"

    def trusts(self, principal_arn: str, principal_account: str) -> bool:
        """True when the trust policy lets this principal (a role ARN) assume the role."""
        for entry in self.trust:
            if entry == principal_account or (
                    entry.startswith("arn:") and entry.endswith(f":{principal_account}:root")):
                return True
            if entry.startswith("arn:") and ":role/" in entry and fnmatch.fnmatchcase(
                    principal_arn, entry):
                return True
        return False

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.name, "trust": list(self.trust)}
        if self.path != "/":
            out["path"] = self.path
        if self.max_session_duration != 3600:
            out["max_session_duration"] = self.max_session_duration
        if self.external_id is not None:
            out["external_id"] = self.external_id
        return out


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    email: str
    roles: tuple[str, ...] = ()
    iam_roles: tuple[IamRole, ...] = ()

    def iam_role(self, name: str) -> IamRole | None:
        return next((r for r in self.iam_roles if r.name == name), None)

    def to_wire(self) -> dict[str, str]:
        return {"accountId": self.account_id, "accountName": self.name,
                "emailAddress": self.email}


def sso_role_pattern(account_id: str, permission_set: str) -> str:
    """The trust entry matching sessions of an Identity Center permission set's role."""
    return (f"arn:aws:iam::{account_id}:role/aws-reserved/sso.amazonaws.com/"
            f"AWSReservedSSO_{permission_set}_*")


# Role chaining in the default organisation: dev's Identity Center roles may
# assume staging's `deploy` (12 h maximum), which may assume prod's
# `/security/audit` with an external id: two levels deep from a sign-in.
DEFAULT_IAM_ROLES: dict[str, tuple[IamRole, ...]] = {
    "222222222222": (
        IamRole("deploy", (sso_role_pattern("111111111111", "AdministratorAccess"),
                           sso_role_pattern("111111111111", "Developer")),
                max_session_duration=43200),
    ),
    "333333333333": (
        IamRole("audit", ("arn:aws:iam::222222222222:role/deploy",),
                path="/security/", external_id="awsenv-demo"),
    ),
}


@dataclass
class Directory:
    """An ordered account list; order is the listing (and pagination) order."""

    accounts: list[Account] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_id: dict[str, Account] = {}
        for acct in self.accounts:
            if not _ACCOUNT_ID.match(acct.account_id):
                raise ValueError(f"account id {acct.account_id!r} is not 12 digits")
            if acct.account_id in self._by_id:
                raise ValueError(f"duplicate account id {acct.account_id}")
            self._by_id[acct.account_id] = acct

    def account(self, account_id: str) -> Account | None:
        return self._by_id.get(account_id)

    def has_role(self, account_id: str, role_name: str) -> bool:
        acct = self._by_id.get(account_id)
        return acct is not None and role_name in acct.roles

    def __len__(self) -> int:
        return len(self.accounts)

    # -- constructors -------------------------------------------------------------

    @classmethod
    def default(cls) -> Directory:
        """A small organisation: what a new user sees in the sandbox."""
        return cls([
            Account("111111111111", "dev", "aws-dev@example.com",
                    ("AdministratorAccess", "Developer", "ReadOnlyAccess")),
            Account("222222222222", "staging", "aws-staging@example.com",
                    ("Developer", "ReadOnlyAccess"), DEFAULT_IAM_ROLES["222222222222"]),
            Account("333333333333", "prod", "aws-prod@example.com",
                    ("ReadOnlyAccess", "AdministratorAccess"), DEFAULT_IAM_ROLES["333333333333"]),
            Account("444444444444", "sandbox", "aws-sandbox@example.com",
                    ("AdministratorAccess", "Developer")),
        ])

    @classmethod
    def generate(cls, accounts: int = 1000, roles: int = 3, *, hostile: bool = False) -> Directory:
        """``accounts`` accounts with ``roles`` roles each; ids are stable across runs."""
        base_roles = ["AdministratorAccess", "ReadOnlyAccess", "Developer", "Billing",
                      "PowerUserAccess", "SecurityAudit", "ViewOnlyAccess", "DataScientist"]
        role_names = [base_roles[i] if i < len(base_roles) else f"Role{i:03d}"
                      for i in range(roles)]
        out: list[Account] = []
        for i in range(accounts):
            account_id = f"{100000000000 + i * 7919:012d}"
            if hostile and i < len(HOSTILE_NAMES):
                name = HOSTILE_NAMES[i]
                acct_roles = (*role_names[: max(roles - 1, 0)],
                              HOSTILE_ROLES[i % len(HOSTILE_ROLES)])
            else:
                name = f"account-{i:05d}"
                acct_roles = tuple(role_names)
            out.append(Account(account_id, name, f"aws+{i:05d}@example.com", acct_roles))
        return cls(out)

    @classmethod
    def hostile(cls) -> Directory:
        """Every hostile name once, each account with a hostile role too."""
        return cls.generate(accounts=len(HOSTILE_NAMES), roles=2, hostile=True)

    @classmethod
    def load(cls, path: str | Path) -> Directory:
        """Read the JSON format in the module docstring; ValueError says what is wrong."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"cannot read directory file {path}: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: object) -> Directory:
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
            raise ValueError('directory JSON needs {"accounts": [...]}')
        out: list[Account] = []
        for n, entry in enumerate(data["accounts"]):
            if not isinstance(entry, dict):
                raise ValueError(f"accounts[{n}] is not an object")
            account_id = str(entry.get("id", entry.get("accountId", "")))
            name = entry.get("name", entry.get("accountName"))
            if not isinstance(name, str) or not name:
                raise ValueError(f"accounts[{n}] needs a name")
            roles = entry.get("roles", [])
            if not isinstance(roles, list) or not all(isinstance(r, str) and r for r in roles):
                raise ValueError(f"accounts[{n}].roles must be a list of names")
            email = entry.get("email", entry.get("emailAddress")) or f"{name}@example.com"
            iam = tuple(_iam_role(f"accounts[{n}].iam_roles[{i}]", r)
                        for i, r in enumerate(entry.get("iam_roles") or []))
            out.append(Account(account_id, name, str(email), tuple(roles), iam))
        return cls(out)

    def to_dict(self) -> dict[str, object]:
        accounts: list[dict[str, object]] = []
        for a in self.accounts:
            entry: dict[str, object] = {"id": a.account_id, "name": a.name, "email": a.email,
                                        "roles": list(a.roles)}
            if a.iam_roles:
                entry["iam_roles"] = [r.to_dict() for r in a.iam_roles]
            accounts.append(entry)
        return {"accounts": accounts}


_IAM_NAME = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)


def _iam_role(where: str, data: object) -> IamRole:
    """One ``iam_roles`` entry of the JSON format, or ValueError naming what is wrong."""
    if not isinstance(data, dict):
        raise ValueError(f"{where} is not an object")
    name = data.get("name")
    if not isinstance(name, str) or not _IAM_NAME.match(name):
        raise ValueError(f"{where}.name must be an IAM role name ([A-Za-z0-9+=,.@_-], 1-64)")
    trust = data.get("trust", [])
    if not isinstance(trust, list) or not all(isinstance(t, str) and t for t in trust):
        raise ValueError(f"{where}.trust must be a list of account ids or role ARNs")
    path = data.get("path", "/")
    if not isinstance(path, str) or not path.startswith("/") or not path.endswith("/"):
        raise ValueError(f"{where}.path must start and end with '/'")
    duration = data.get("max_session_duration", 3600)
    if not isinstance(duration, int) or not 3600 <= duration <= 43200:
        raise ValueError(f"{where}.max_session_duration must be 3600..43200 seconds")
    external = data.get("external_id")
    if external is not None and not isinstance(external, str):
        raise ValueError(f"{where}.external_id must be a string")
    return IamRole(name, tuple(trust), path, duration, external)
