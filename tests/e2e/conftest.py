"""The production stack on this machine, for end-to-end tests in a real browser.

``stack`` (one for the tests in this folder) starts a fresh PostgreSQL database
migrated by ``roldesk init-db`` and an SMTP server on loopback that keeps every
mail. Then it
starts the web app under gunicorn on a free loopback port, and a Celery worker and
Celery beat on Redis with a queue of this run alone. All of them share one instance
folder under pytest's tmp dir, and all are stopped by pid afterwards, also when a
test fails.

Tests act in the browser through pages from the ``people`` fixture. Anything a
test sets up behind the scenes, such as staff accounts, schools and activation
codes, goes through the service layer in ``stack.app_context()``.

On failure a screenshot and the HTML of every page the test opened are saved
under ``test-artifacts/``.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import create_app
from tests.conftest import POSTGRES_URL, REDIS_URL, _libpq_url, unavailable
from tests.fixtures.browser import ARTIFACTS, CHROMIUM
from tests.fixtures.smtp import SmtpServer
from tests.fixtures.worker import WorkerProcess, redis_available, worker_environment

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = PROJECT_ROOT / ".venv" / "bin"
START_TIMEOUT = 30.0
PASSWORD = "e2e-wachtwoord-9"



def pytest_collection_modifyitems(items):
    """Mark the tests in this folder, so ``-m "not browser"`` leaves them out."""
    folder = Path(__file__).parent
    for item in items:
        if folder in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.worker)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """A subprocess in its own process group, logging to a file; stopped by its pid."""

    def __init__(self, name: str, command: list[str], env: dict, log_folder: Path):
        self.name = name
        self.log_path = log_folder / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def check_running(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.log()[-4000:]}")

    def stop(self, timeout: float = 15.0) -> None:
        """Send SIGTERM to the process group this service leads, then SIGKILL if it hangs."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass
class Stack:
    """The running services and the helpers a test uses to reach them."""

    base_url: str
    app: object
    smtp: SmtpServer
    browser: object
    database_url: str
    instance: Path
    pages: list = field(default_factory=list)

    @contextmanager
    def app_context(self) -> Iterator[None]:
        """Run service-layer code against the stack's database, committing as the services do."""
        from app.extensions import db

        with self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()

    def new_page(self, label: str):
        """Open a browser page with its own cookies (one person), in Dutch."""
        context = self.browser.new_context(locale="nl-NL", base_url=self.base_url,
                                           viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.roldesk_label = label
        self.pages.append(page)
        return page

    def close_pages(self) -> None:
        for page in self.pages:
            page.context.close()
        self.pages.clear()

    def mail_to(self, address: str, subject: str = "", timeout: float = 30.0,
                after: int = 0) -> EmailMessage:
        """Wait for the first mail to ``address`` whose subject contains ``subject``.

        Only mails that arrived after the first ``after`` are looked at, so a test can
        wait for a second mail of the same kind.
        """
        deadline = time.monotonic() + timeout
        with self.smtp.arrived:
            while True:
                for message in self.smtp.messages[after:]:
                    recipients = [to.lower() for to in message.envelope_to]
                    if address.lower() in recipients and subject in str(message["Subject"]):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(m.envelope_to, str(m["Subject"])) for m in self.smtp.messages]
                    pytest.fail(f"no mail to {address} with {subject!r} in the subject within "
                                f"{timeout}s; received: {seen}")
                self.smtp.arrived.wait(remaining)


def mail_text(message: EmailMessage) -> str:
    """Return the plain-text body of ``message``."""
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, pattern: str) -> str:
    """Return the first URL in the mail's text whose path matches ``pattern``."""
    for url in re.findall(r"https?://\S+", mail_text(message)):
        if re.search(pattern, url):
            return url
    pytest.fail(f"no link matching {pattern!r} in mail {message['Subject']!r}:\n{mail_text(message)}")


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in on the shared login page, as requesters and staff both do."""
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen met e-mailadres").click()


def add_account(stack: Stack, email: str, role: str = "student", staff: tuple = (), **fields):
    """Add a confirmed account with password ``PASSWORD``; return its id."""
    from app.services.accounts import hash_password
    from tests.factories import make_account

    with stack.app_context():
        return make_account(role=role, staff=staff, email=email,
                            password_hash=hash_password(PASSWORD), **fields).id


@contextmanager
def postgres_database() -> Iterator[str]:
    """Create an empty PostgreSQL database, yield its SQLAlchemy URL, and drop it afterwards."""
    name = f"roldesk_e2e_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with psycopg.connect(_libpq_url(POSTGRES_URL), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL at {POSTGRES_URL} is not reachable: {error}")
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq_url(POSTGRES_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _stack_app(instance: Path, settings: dict):
    """Create an in-process app with the stack's settings, for set-up through the services."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROLDESK_INSTANCE_PATH", str(instance))
        return create_app(settings)


def _close_connections(app) -> None:
    """Close the in-process app's database and broker connections before the database is dropped."""
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()
    app.extensions["celery"].close()


def _run_cli(args: list[str], env: dict) -> str:
    result = subprocess.run([str(BIN / "roldesk"), *args], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        pytest.fail(f"roldesk {' '.join(args)} failed with {result.returncode}:\n"
                    f"{result.stdout}\n{result.stderr}")
    return result.stdout


def _wait_for_web(base_url: str, web: Service) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        web.check_running()
        try:
            with urllib.request.urlopen(base_url + "/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while gunicorn starts
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer /health within {START_TIMEOUT}s:\n{web.log()[-4000:]}")


@contextmanager
def run_stack(browser, tmp_path: Path, with_worker: bool = True,
              setup_commands: tuple = ()) -> Iterator[Stack]:
    """Start the production stack on a fresh database; stop it all on exit.

    ``setup_commands`` are ``roldesk`` argument lists run after ``init-db`` and before
    the web app starts, such as ``["demo"]``.
    """
    reason = redis_available(REDIS_URL)
    if reason:
        unavailable(reason)
    instance = tmp_path / "instance"
    instance.mkdir()
    with ExitStack() as cleanup:
        database_url = cleanup.enter_context(postgres_database())
        smtp = SmtpServer()
        smtp.start()
        cleanup.callback(smtp.stop)
        port = free_port()
        settings = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BROKER_URL": REDIS_URL,
            "CELERY_QUEUE": f"roldesk-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}",
            "SMTP_HOST": smtp.host,
            "SMTP_PORT": smtp.port,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "BASE_URL": f"http://127.0.0.1:{port}",
            "MAIL_DIR": str(instance / "mail"),
        }
        app = _stack_app(instance, settings)
        cleanup.callback(_close_connections, app)
        env = worker_environment(app)
        # Rate limits count per process here, because in the shared Redis other test runs would add to them.
        env["ROLDESK_RATELIMIT_STORAGE_URL"] = "memory://"
        env["ROLDESK_ADMIN_PASSWORD"] = PASSWORD
        _run_cli(["init-db"], env)
        for command in setup_commands:
            _run_cli(list(command), env)

        web = Service("gunicorn", [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                                   "--workers", "2", "--threads", "4", "--access-logfile", "-",
                                   "app:create_app()"], env, instance)
        cleanup.callback(web.stop)
        _wait_for_web(settings["BASE_URL"], web)
        if with_worker:
            worker = WorkerProcess(app, instance)
            cleanup.callback(worker.stop)
            worker.start()
            beat = Service("beat", [str(BIN / "celery"), "-A", "tasks.worker", "beat",
                                    "--loglevel=INFO", "--pidfile", str(instance / "beat.pid"),
                                    "--schedule", str(instance / "celerybeat-schedule")],
                           env, instance)
            cleanup.callback(beat.stop)
        stack = Stack(base_url=settings["BASE_URL"], app=app, smtp=smtp, browser=browser,
                      database_url=database_url, instance=instance)
        cleanup.callback(stack.close_pages)
        yield stack


@pytest.fixture(scope="package")
def stack(browser, tmp_path_factory) -> Iterator[Stack]:
    """The production stack shared by the end-to-end tests, stopped when they are done."""
    if shutil.which(CHROMIUM) is None:
        unavailable(f"Chromium is not installed at {CHROMIUM}")
    with run_stack(browser, tmp_path_factory.mktemp("e2e")) as running:
        yield running


def _failed(request) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is not None and report.failed


def save_pages(pages: list, nodeid: str) -> None:
    """Save a screenshot and the HTML of each page under ``test-artifacts/``."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)
    for page in pages:
        name = f"{stem}-{getattr(page, 'roldesk_label', 'page')}"
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as error:  # noqa: BLE001 - a closed page must not hide the test's failure
            print(f"could not save browser artifacts for {name}: {error}")


@pytest.fixture
def people(stack, request):
    """Return a function that opens a page for one person; the pages close after the test."""
    opened = []

    def open_page(label: str):
        page = stack.new_page(label)
        opened.append(page)
        return page

    yield open_page
    if _failed(request):
        save_pages(opened, request.node.nodeid)
    for page in opened:
        page.context.close()
        stack.pages.remove(page)


@pytest.fixture(autouse=True)
def _keep_failed_pages(request):
    """Save the pages still open when an end-to-end test failed, such as a journey's."""
    yield
    if _failed(request) and "stack" in request.fixturenames:
        save_pages(request.getfixturevalue("stack").pages, request.node.nodeid)


def heading(page):
    """Return the page's level-one heading."""
    return page.get_by_role("heading", level=1)
