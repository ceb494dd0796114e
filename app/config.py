"""Settings read from environment variables, checked once at start-up.

Every variable is optional: without any, Roldesk runs on a SQLite file and a
file-system Celery broker under the instance folder and writes mail as .eml files.
"""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and the expected form."""


@dataclass(frozen=True)
class Setting:
    """One documented environment variable."""

    name: str
    default: str
    description: str


SETTINGS = [
    Setting("ROLDESK_DATABASE_URL", "sqlite:///<instance>/roldesk.sqlite3",
            "SQLAlchemy URL of the database, e.g. postgresql+psycopg://roldesk@db:5432/roldesk"),
    Setting("ROLDESK_BROKER_URL", "filesystem:// under <instance>/broker",
            "Celery broker, e.g. redis://127.0.0.1:6379/0"),
    Setting("ROLDESK_CELERY_QUEUE", "roldesk",
            "Celery queue shared by the web app, workers and beat; one name per installation"),
    Setting("ROLDESK_MAIL_CLAIM_SECONDS", "300",
            "seconds after which a mail claimed by a worker that never finished is sent again"),
    Setting("ROLDESK_MAIL_RETRY_SECONDS", "60",
            "seconds before the first retry of a mail the SMTP server did not take; "
            "each next retry waits twice as long, up to an hour"),
    Setting("ROLDESK_NEW_REQUEST_MAIL", "immediate",
            "immediate: agents get a mail per new request; digest: one mail an hour listing them"),
    Setting("ROLDESK_SECRET_KEY", "random, kept in <instance>/secret_key",
            "key that signs sessions and CSRF tokens; at least 32 characters"),
    Setting("ROLDESK_BASE_URL", "http://127.0.0.1:5000",
            "public address used in links inside mails"),
    Setting("ROLDESK_TIMEZONE", "Europe/Amsterdam", "time zone of the working-day calendar"),
    Setting("ROLDESK_SMTP_HOST", "(unset: mail is written to ROLDESK_MAIL_DIR)",
            "SMTP server that delivers mail"),
    Setting("ROLDESK_SMTP_PORT", "25 (587 with starttls, 465 with ssl)", "SMTP port"),
    Setting("ROLDESK_SMTP_USER", "(unset: no login)", "SMTP user name"),
    Setting("ROLDESK_SMTP_PASSWORD", "(unset)", "SMTP password"),
    Setting("ROLDESK_SMTP_TLS", "none", "none, starttls or ssl"),
    Setting("ROLDESK_MAIL_FROM", "Roldesk <helpdesk@roldesk.example>", "sender of every mail"),
    Setting("ROLDESK_MAIL_DIR", "<instance>/mail", "folder for .eml files when no SMTP host is set"),
    Setting("ROLDESK_RATELIMIT_STORAGE_URL", "memory:// (the Redis broker when one is set)",
            "storage for login and code-redemption rate limits"),
    Setting("ROLDESK_ADMIN_EMAIL", "admin@roldesk.example", "e-mail address of the first admin"),
    Setting("ROLDESK_ADMIN_PASSWORD", "(random, printed once)", "password of the first admin"),
    Setting("ROLDESK_ACCOUNT_DIRECTORY", "(unset: the accounts in Roldesk's own database)",
            "where approved roles are applied: package.module:factory returning a directory"),
]

SMTP_TLS_MODES = ("none", "starttls", "ssl")
DEFAULT_SMTP_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


def _database_url(value: str | None, instance: Path) -> str:
    if not value:
        return f"sqlite:///{instance / 'roldesk.sqlite3'}"
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if scheme in ("postgresql+psycopg", "sqlite"):
        return value
    raise ConfigError(
        f"ROLDESK_DATABASE_URL is {value!r}; expected postgresql+psycopg://USER@HOST:PORT/NAME "
        "or sqlite:///PATH"
    )


def _broker_url(value: str | None) -> str:
    if not value:
        return "filesystem://"
    scheme = urlsplit(value).scheme
    if scheme not in ("redis", "rediss", "filesystem", "memory"):
        raise ConfigError(
            f"ROLDESK_BROKER_URL is {value!r}; expected redis://HOST:6379/0 or leave it unset"
        )
    return value


def _base_url(value: str | None) -> str:
    value = (value or "http://127.0.0.1:5000").rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"ROLDESK_BASE_URL is {value!r}; expected an address such as https://roldesk.example.nl"
        )
    return value


def _timezone(value: str | None) -> str:
    value = value or "Europe/Amsterdam"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"ROLDESK_TIMEZONE is {value!r}; expected an IANA time zone such as Europe/Amsterdam"
        ) from None
    return value


def _secret_key(value: str | None, instance: Path) -> str:
    if value:
        if len(value) < 32:
            raise ConfigError(
                f"ROLDESK_SECRET_KEY has {len(value)} characters; expected at least 32"
            )
        return value
    key_file = instance / "secret_key"
    if not key_file.exists():
        instance.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _smtp(env: dict[str, str]) -> dict:
    host = env.get("ROLDESK_SMTP_HOST") or None
    tls = (env.get("ROLDESK_SMTP_TLS") or "none").lower()
    if tls not in SMTP_TLS_MODES:
        raise ConfigError(f"ROLDESK_SMTP_TLS is {tls!r}; expected one of none, starttls, ssl")
    port_text = env.get("ROLDESK_SMTP_PORT") or str(DEFAULT_SMTP_PORTS[tls])
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f"ROLDESK_SMTP_PORT is {port_text!r}; expected a port number such as 587")
    return {
        "SMTP_HOST": host,
        "SMTP_PORT": int(port_text),
        "SMTP_USER": env.get("ROLDESK_SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("ROLDESK_SMTP_PASSWORD") or None,
        "SMTP_TLS": tls,
    }


def _celery_queue(value: str | None) -> str:
    value = value or "roldesk"
    if not value.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise ConfigError(
            f"ROLDESK_CELERY_QUEUE is {value!r}; expected letters, digits, '-', '_' or '.'"
        )
    return value


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> str:
    value = (value or choices[0]).lower()
    if value not in choices:
        raise ConfigError(f"{name} is {value!r}; expected one of {', '.join(choices)}")
    return value


def _positive_int(name: str, value: str | None, default: int) -> int:
    if not value:
        return default
    if not value.isdigit() or int(value) == 0:
        raise ConfigError(f"{name} is {value!r}; expected a whole number of seconds above 0")
    return int(value)


def load_config(instance: Path, env: dict[str, str] | None = None) -> dict:
    """Build the Flask config from environment variables.

    Raises:
        ConfigError: a variable is malformed; the message names it and the expected form.
    """
    env = dict(os.environ if env is None else env)
    broker = _broker_url(env.get("ROLDESK_BROKER_URL"))
    ratelimit = env.get("ROLDESK_RATELIMIT_STORAGE_URL") or (
        broker if broker.startswith("redis") else "memory://"
    )
    config = {
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("ROLDESK_DATABASE_URL"), instance),
        "BROKER_URL": broker,
        "SECRET_KEY": _secret_key(env.get("ROLDESK_SECRET_KEY"), instance),
        "BASE_URL": _base_url(env.get("ROLDESK_BASE_URL")),
        "TIMEZONE": _timezone(env.get("ROLDESK_TIMEZONE")),
        "MAIL_FROM": env.get("ROLDESK_MAIL_FROM") or "Roldesk <helpdesk@roldesk.example>",
        "MAIL_DIR": env.get("ROLDESK_MAIL_DIR") or str(instance / "mail"),
        "RATELIMIT_STORAGE_URI": ratelimit,
        "ADMIN_EMAIL": env.get("ROLDESK_ADMIN_EMAIL") or "admin@roldesk.example",
        "ADMIN_PASSWORD": env.get("ROLDESK_ADMIN_PASSWORD") or None,
        "ACCOUNT_DIRECTORY": env.get("ROLDESK_ACCOUNT_DIRECTORY") or None,
        "BROKER_FOLDER": str(instance / "broker"),
        "CELERY_QUEUE": _celery_queue(env.get("ROLDESK_CELERY_QUEUE")),
        "MAIL_CLAIM_SECONDS": _positive_int("ROLDESK_MAIL_CLAIM_SECONDS",
                                            env.get("ROLDESK_MAIL_CLAIM_SECONDS"), 300),
        "NEW_REQUEST_MAIL": _choice("ROLDESK_NEW_REQUEST_MAIL", env.get("ROLDESK_NEW_REQUEST_MAIL"),
                                    ("immediate", "digest")),
        "MAIL_RETRY_SECONDS": _positive_int("ROLDESK_MAIL_RETRY_SECONDS",
                                            env.get("ROLDESK_MAIL_RETRY_SECONDS"), 60),
    }
    config.update(_smtp(env))
    return config
