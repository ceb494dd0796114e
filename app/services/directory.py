"""The account directory: where a role change or a new account really takes effect.

Roldesk ships one implementation, ``LocalDirectory``, which changes the accounts in
Roldesk's own database. A platform's own directory can be plugged in by setting
``app.extensions["account_directory"]`` to another object with the same methods.
"""

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


def account_directory() -> AccountDirectory:
    """Return the configured directory, the local one by default."""
    return current_app.extensions.setdefault("account_directory", LocalDirectory())
