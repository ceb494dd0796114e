"""Fixtures: an app on SQLite and on PostgreSQL, a client, and factories.

Every test that uses ``app`` runs once per database backend. PostgreSQL tests use
a database of their own, created for this pytest run and dropped afterwards, so
several runs can share one server. Set ROLDESK_TEST_REQUIRE_SERVICES=1 (as .ci/run
does) to fail instead of skip when PostgreSQL or Redis is not reachable.
"""

import os
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.services.accounts import seed_roles

# Fixture modules for real services: an SMTP server, a Celery worker, a browser.
pytest_plugins = [
    "tests.fixtures.smtp", "tests.fixtures.worker", "tests.fixtures.browser", "tests.fixtures.catalogue",
]

POSTGRES_URL = os.environ.get("ROLDESK_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("ROLDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("ROLDESK_TEST_REQUIRE_SERVICES") == "1"


def unavailable(reason: str):
    """Fail when CI requires the service, otherwise skip with the reason shown."""
    if REQUIRE_SERVICES:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _libpq_url(url: str, database: str | None = None) -> str:
    parsed = make_url(url)
    if database:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("instance")
    os.environ["ROLDESK_INSTANCE_PATH"] = str(path)
    return path


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "BROKER_URL": "memory://"})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_database(instance_path):
    """Create a migrated PostgreSQL database for this run; yield its SQLAlchemy URL."""
    name = f"roldesk_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with psycopg.connect(_libpq_url(POSTGRES_URL), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL at {POSTGRES_URL} is not reachable: {error}")
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _migrate(url, instance_path)
    yield url
    with psycopg.connect(_libpq_url(POSTGRES_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, instance_path) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    _migrate(f"sqlite:///{path}", instance_path)
    return path


def _truncate_all(app) -> None:
    with app.app_context():
        names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()


def app_overrides(database_url: str, tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BROKER_URL": "memory://",
        "MAIL_DIR": str(tmp_path / "mail"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SMTP_HOST": None,
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The URL of an empty, migrated database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "roldesk.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def app(database_url, tmp_path, request):
    overrides = app_overrides(database_url, tmp_path)
    marker = request.node.get_closest_marker("app_config")
    if marker is not None:
        overrides.update(marker.args[0])
    app = create_app(overrides)
    if database_url.startswith("postgresql"):
        _truncate_all(app)
    with app.app_context():
        seed_roles()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = "geheim-wachtwoord"):
        return self._client.post("/inloggen", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/uitloggen")


@pytest.fixture
def auth(client):
    return AuthActions(client)
