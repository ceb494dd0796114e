"""Shared pieces of the benchmarks: timing, the result table, and private services.

Every benchmark measures Roldesk and its baseline in the same process run, repeats
each measurement, and reports the median ratio against its target. Services a
benchmark needs (a PostgreSQL database, Redis keys, servers) are its own and are
removed again when it ends, also after a failure.
"""

import argparse
import logging
import os
import signal
import socket
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
POSTGRES_URL = os.environ.get("ROLDESK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ROLDESK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Result:
    """One benchmark's outcome: the ratio of Roldesk to its baseline and the target it must meet.

    ``ratio`` is oriented as the target states it: a rate share ("at least 0.5"),
    a time factor ("at most 2"), or a speed-up ("at least 10").
    """

    name: str
    ratio: float
    target: str
    met: bool
    details: list[str] = field(default_factory=list)

    def row(self) -> str:
        verdict = "met" if self.met else "NOT met"
        return f"| {self.name} | {self.ratio:.2f} | {self.target} | {verdict} |"


def at_least(name: str, ratio: float, minimum: float, details: list[str]) -> Result:
    return Result(name, ratio, f"at least {minimum:g}", ratio >= minimum, details)


def at_most(name: str, ratio: float, maximum: float, details: list[str]) -> Result:
    return Result(name, ratio, f"at most {maximum:g}", ratio <= maximum, details)


def print_results(results: list[Result]) -> None:
    """Print the details of each result, then one Markdown table of all of them."""
    for result in results:
        print(f"\n## {result.name}")
        for line in result.details:
            print(f"  {line}")
    print("\n| Benchmark | Ratio | Target | Verdict |")
    print("|---|---|---|---|")
    for result in results:
        print(result.row())


def median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    """Time ``run`` ``repeats`` times; return the median and every time, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def format_times(times: list[float]) -> str:
    return ", ".join(f"{seconds:.3f}" for seconds in times) + " s"


def parse_args(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the options every benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="run tiny sizes to check the benchmark works; the ratios mean nothing")
    parser.add_argument("--repeats", type=int, default=None,
                        help="how many times each side is measured (default depends on the benchmark)")
    return parser.parse_args(argv)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"


@contextmanager
def private_database() -> Iterator[str]:
    """Create an empty PostgreSQL database for this run; yield its libpq URL and drop it after."""
    import psycopg

    name = unique_name("roldesk_bench")
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlalchemy_url(libpq_url: str) -> str:
    return "postgresql+psycopg://" + libpq_url.split("://", 1)[1]


def migrate(database_url: str, instance: Path) -> None:
    """Create Roldesk's schema in ``database_url`` with the project's migration."""
    from flask_migrate import upgrade

    app = bench_app(database_url, instance)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        from app.services.accounts import seed_roles

        seed_roles()
        from app.extensions import db

        db.session.commit()
        db.engine.dispose()


def bench_app(database_url: str, instance: Path, overrides: dict | None = None):
    """Create a Roldesk app on ``database_url`` with an in-memory broker and files for mail."""
    os.environ["ROLDESK_INSTANCE_PATH"] = str(instance)
    from app import create_app

    config = {
        "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(database_url),
        "BROKER_URL": "memory://",
        "MAIL_DIR": str(instance / "mail"),
        "RATELIMIT_ENABLED": False,
        "SMTP_HOST": None,
    }
    config.update(overrides or {})
    app = create_app(config)
    # One INFO line per mail or ticket would flood the table; warnings still show.
    logging.getLogger().setLevel(logging.WARNING)
    return app


class Server:
    """A subprocess started by a benchmark, stopped by its pid with SIGTERM, then SIGKILL."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path):
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env,
                                            stdout=log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.process.args[0]} exited with "
                                   f"{self.process.returncode}:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"expected {text!r} in the log within {timeout}s:\n{self.log()[-3000:]}")

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def wait_for_port(port: int, server: "Server", timeout: float = 30.0) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.process.args[0]} exited with "
                               f"{server.process.returncode}:\n{server.log()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s:\n{server.log()[-3000:]}")


def cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU time process ``pid`` has used, read from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of proc(5), counted from the pid as field 1.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    """Return the resident set size of process ``pid`` in KiB, read from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS line in /proc/{pid}/status")
