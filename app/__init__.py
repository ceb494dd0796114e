"""The Roldesk Flask application factory."""

import logging
import os
from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import load_config
from app.extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("nl", "en")


def select_locale() -> str:
    """Pick the user's language: the account's choice, then the session's, then Dutch."""
    if not has_request_context():
        return "nl"
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return "nl"


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    # Web, worker and beat share one SQLite file: WAL lets readers run beside a writer,
    # and the busy timeout makes a writer wait instead of failing at once.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def create_app(overrides: dict | None = None) -> Flask:
    """Create the app from environment variables, with ``overrides`` applied last (for tests)."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("ROLDESK_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "translations"),
        BABEL_DEFAULT_LOCALE="nl",
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Uploaded lists are at most 5 MB; the limit leaves room for the rest of the form.
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        PASSWORD_MIN_LENGTH=6,
        CONFIRMATION_HOURS=24,
    )
    app.config.update(load_config(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)

    _configure_logging(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)

    from tasks import celery_init_app

    celery_init_app(app)

    from app import cli, errors, formatting, views
    from app.blueprints import admin, auth, codes, desk, desk_ticket, lists, portal, reports
    from app.blueprints import portal_requests
    from app.blueprints import passwords

    app.register_blueprint(views.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(portal_requests.bp)
    app.register_blueprint(desk.bp)
    app.register_blueprint(desk_ticket.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(codes.bp)
    app.register_blueprint(lists.bp)
    app.register_blueprint(passwords.bp)
    errors.register(app)
    formatting.register(app)
    cli.register(app)

    @app.before_request
    def _remember_language():
        chosen = request.args.get("lang")
        if chosen in LANGUAGES:
            session["language"] = chosen
        g.language = select_locale()

    @app.context_processor
    def _template_globals():
        return {"current_language": select_locale(), "languages": LANGUAGES}

    return app


def _configure_logging(app: Flask) -> None:
    if app.debug or app.testing:
        return
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
