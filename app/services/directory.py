"""The account directory: where a role change or a new account really takes effect.

Roldesk ships one implementation, ``LocalDirectory``, which changes the accounts in
Roldesk's own database. A platform's own directory can be plugged in by setting
ROLDESK_ACCOUNT_DIRECTORY to "package.module:factory" (the factory returns an object
with the same methods), or ``app.extensions["account_directory"]`` to such an object.
"""

import importlib
from typing import Protocol

from flask import current_app

from app.models import Account, PlatformRole


class DirectoryError(Exception):
    """The directory could not make the change; the message is shown to agents."""


class AccountDirectory(Protocol):
    def set_role(self, account: Account, role: PlatformRole) -> bool:
        """Give ``account`` the role ``role``; return False when it already had it."""

    def create_account(self, account: Account) -> Account:
        """Create ``account`` (not yet flushed) in the directory and return it."""


class LocalDirectory:
    """Accounts in Roldesk's own database; changes join the caller's transaction."""

    def set_role(self, account: Account, role: PlatformRole) -> bool:
        if account.role_id == role.id:
            return False
        account.role = role
        return True

    def create_account(self, account: Account) -> Account:
        from app.extensions import db

        db.session.add(account)
        return account


def _load_directory(path: str) -> AccountDirectory:
    """Build the directory named by ``path``, "package.module:factory", by calling the factory."""
    module_name, _sep, attribute = path.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"ACCOUNT_DIRECTORY is {path!r}; expected package.module:factory")
    return getattr(importlib.import_module(module_name), attribute)()


def account_directory() -> AccountDirectory:
    """Return the configured directory: ``ACCOUNT_DIRECTORY`` when set, else the local one."""
    directory = current_app.extensions.get("account_directory")
    if directory is None:
        path = current_app.config.get("ACCOUNT_DIRECTORY")
        directory = _load_directory(path) if path else LocalDirectory()
        current_app.extensions["account_directory"] = directory
    return directory
