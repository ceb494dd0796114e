"""Start-up settings: defaults, and one clear line for each malformed variable."""

import subprocess
import sys

import pytest

from app.config import ConfigError, load_config


def test_defaults__need_no_server(tmp_path):
    config = load_config(tmp_path, env={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'roldesk.sqlite3'}"
    assert config["BROKER_URL"] == "filesystem://"
    assert config["SMTP_HOST"] is None
    assert config["TIMEZONE"] == "Europe/Amsterdam"
    assert len(config["SECRET_KEY"]) >= 32


def test_postgres_url__gets_psycopg_driver(tmp_path):
    config = load_config(tmp_path, env={"ROLDESK_DATABASE_URL": "postgresql://u@db:5432/roldesk"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/roldesk"


@pytest.mark.parametrize("name, value", [
    ("ROLDESK_DATABASE_URL", "mysql://root@localhost/roldesk"),
    ("ROLDESK_BROKER_URL", "amqp://guest@localhost//"),
    ("ROLDESK_SECRET_KEY", "too-short"),
    ("ROLDESK_BASE_URL", "roldesk.example.nl"),
    ("ROLDESK_TIMEZONE", "Europe/Amsterdamm"),
    ("ROLDESK_SMTP_TLS", "yes"),
    ("ROLDESK_SMTP_PORT", "smtp"),
])
def test_malformed_setting__names_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_config(tmp_path, env={name: value})


def test_cli__prints_one_line_for_bad_setting(tmp_path):
    env = {"ROLDESK_DATABASE_URL": "mysql://x", "ROLDESK_INSTANCE_PATH": str(tmp_path), "PATH": ""}
    result = subprocess.run([sys.executable, "-m", "app", "roles", "list"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "ROLDESK_DATABASE_URL" in lines[0]
