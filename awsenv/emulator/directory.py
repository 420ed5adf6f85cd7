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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")

# Names that break anything that pastes them into shell code unquoted.
HOSTILE_NAMES: tuple[str, ...] = (
    "it's \"quoted\"",
    "$(touch /tmp/awsenv-pwned)",
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
class Account:
    account_id: str
    name: str
    email: str
    roles: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, str]:
        return {"accountId": self.account_id, "accountName": self.name,
                "emailAddress": self.email}


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
                    ("Developer", "ReadOnlyAccess")),
            Account("333333333333", "prod", "aws-prod@example.com",
                    ("ReadOnlyAccess", "AdministratorAccess")),
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
            out.append(Account(account_id, name, str(email), tuple(roles)))
        return cls(out)

    def to_dict(self) -> dict[str, object]:
        return {"accounts": [{"id": a.account_id, "name": a.name, "email": a.email,
                              "roles": list(a.roles)} for a in self.accounts]}
