"""An account directory that fails a set number of times before it works, for retry tests.

A worker process loads it through ROLDESK_ACCOUNT_DIRECTORY=tests.flaky_directory:FlakyDirectory.
The number of failures comes from FLAKY_DIRECTORY_FAILURES (default 2); the count lives in
the process, so a worker that restarts fails that many times again.
"""

import os

from app.services.directory import DirectoryError, LocalDirectory


class FlakyDirectory(LocalDirectory):
    """The local directory behind a connection that is down for the first few calls."""

    def __init__(self, failures: int | None = None, fail_for: set[int] | None = None):
        self.failures_left = int(os.environ.get("FLAKY_DIRECTORY_FAILURES", "2")) \
            if failures is None else failures
        # Ids of the accounts whose calls fail while failures remain; None means every account.
        self.fail_for = fail_for
        self.calls = 0

    def set_role(self, account, role) -> bool:
        self.calls += 1
        failing = self.fail_for is None or account.id in self.fail_for
        if failing and self.failures_left > 0:
            self.failures_left -= 1
            raise DirectoryError("de accountdirectory reageert niet (verbinding geweigerd)")
        return super().set_role(account, role)
