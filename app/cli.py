"""The ``roldesk`` command: run the service, and admin tasks from the shell."""

import csv
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.models import STAFF_KINDS, PlatformRole, School
from app.services.accounts import create_staff, ensure_first_admin, seed_roles

logger = logging.getLogger(__name__)


def _create_app_or_exit():
    try:
        return create_app()
    except ConfigError as error:
        click.echo(f"Configuration error: {error}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app_or_exit, add_version_option=False,
             add_default_commands=False)
def cli():
    """Roldesk: role-change requests handled within one working day."""


def register(app) -> None:
    """Add the Roldesk commands to ``app.cli``, where ``roldesk`` and the test runner find them."""
    from app.demo import demo_command

    for command in (init_db_command, serve_command, create_staff_command,
                    import_schools_command, roles_group, demo_command):
        app.cli.add_command(command)


def prepare_database() -> str | None:
    """Migrate the schema, add missing seed roles and the first admin; return a generated password."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    seed_roles()
    return ensure_first_admin(current_app.config["ADMIN_EMAIL"], current_app.config["ADMIN_PASSWORD"])


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database and add the seed roles and first admin."""
    password = prepare_database()
    _print_admin(password)


def _print_admin(password: str | None) -> None:
    if password:
        click.echo(f"First admin: {current_app.config['ADMIN_EMAIL']} with password {password} "
                   "(shown once; change it after logging in)")


@click.command("serve")
@click.option("--port", default=5000, show_default=True, help="TCP port of the web app on 127.0.0.1.")
@click.option("--web-workers", default=2, show_default=True, help="Number of gunicorn worker processes.")
@with_appcontext
def serve_command(port: int, web_workers: int):
    """Run the web app, a Celery worker and Celery beat until Ctrl-C."""
    password = prepare_database()
    _print_admin(password)
    instance = Path(current_app.instance_path)
    bin_dir = Path(sys.executable).parent
    commands = {
        "web": [str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(web_workers),
                "--access-logfile", "-", "app:create_app()"],
        "worker": [str(bin_dir / "celery"), "-A", "tasks.worker", "worker", "--loglevel", "INFO",
                   "--concurrency", "2"],
        "beat": [str(bin_dir / "celery"), "-A", "tasks.worker", "beat", "--loglevel", "INFO",
                 "--schedule", str(instance / "celerybeat-schedule")],
    }
    processes = {name: subprocess.Popen(command) for name, command in commands.items()}
    click.echo(f"Roldesk runs on http://127.0.0.1:{port} (Ctrl-C stops web, worker and beat)")
    click.echo(f"Mail without SMTP is written to {current_app.config['MAIL_DIR']}")
    sys.exit(_supervise(processes))


def _supervise(processes: dict[str, subprocess.Popen]) -> int:
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                click.echo(f"{name} stopped with exit code {process.returncode}; stopping the rest", err=True)
                exit_code = 1
                stopping = True
                break
        time.sleep(0.5)
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes.values():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
    click.echo("Roldesk stopped")
    return exit_code


@click.command("create-staff")
@click.argument("email")
@click.option("--kind", "kinds", multiple=True, required=True, type=click.Choice(STAFF_KINDS),
              help="Staff membership to give; repeat for several.")
@click.option("--first-name", default="", help="First name shown to colleagues.")
@click.option("--last-name", default="", help="Last name shown to colleagues.")
@click.password_option(help="Password; asked for when left out.")
@with_appcontext
def create_staff_command(email, kinds, first_name, last_name, password):
    """Create a staff account (agent, manager, admin) or add memberships to an existing one."""
    account = create_staff(email, password, list(kinds), name=(first_name, last_name))
    click.echo(f"{account.email_normalized}: {', '.join(sorted(account.staff_kinds))}")


@click.command("import-schools")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_schools_command(path: Path):
    """Import schools from a CSV file with the columns name and brin (brin may be empty)."""
    text = path.read_bytes().decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;")
    rows = list(csv.DictReader(text.splitlines(), dialect=dialect))
    known = {school.name: school for school in db.session.scalars(select(School))}
    added = updated = 0
    for number, row in enumerate(rows, start=2):
        name = (row.get("name") or row.get("naam") or "").strip()
        brin = (row.get("brin") or "").strip().upper() or None
        if not name:
            db.session.rollback()
            raise click.ClickException(f"line {number}: the name column is empty; every school needs a name")
        if name in known:
            known[name].brin = brin or known[name].brin
            updated += 1
        else:
            known[name] = School(name=name, brin=brin)
            db.session.add(known[name])
            added += 1
    db.session.commit()
    click.echo(f"{added} schools added, {updated} updated")


@click.group("roles")
def roles_group():
    """List and edit platform roles."""


@roles_group.command("list")
@with_appcontext
def roles_list_command():
    """List the platform roles."""
    for role in db.session.scalars(select(PlatformRole).order_by(PlatformRole.position)):
        flags = " four-eyes" if role.four_eyes else ""
        flags += "" if role.active else " inactive"
        click.echo(f"{role.code:20} {role.label_nl} / {role.label_en}{flags}")


@roles_group.command("edit")
@click.argument("code")
@click.option("--label-nl", help="Dutch label shown to users.")
@click.option("--label-en", help="English label.")
@click.option("--four-eyes/--no-four-eyes", default=None, help="Whether approval needs two agents.")
@click.option("--active/--inactive", default=None, help="Whether the role can be requested.")
@with_appcontext
def roles_edit_command(code, label_nl, label_en, four_eyes, active):
    """Edit a platform role, or add it when CODE is new (then both labels are required)."""
    role = db.session.scalars(select(PlatformRole).where(PlatformRole.code == code)).first()
    if role is None:
        if not (label_nl and label_en):
            raise click.ClickException(f"role {code!r} does not exist; give --label-nl and --label-en to add it")
        role = PlatformRole(code=code, label_nl=label_nl, label_en=label_en, position=100)
        db.session.add(role)
    if label_nl:
        role.label_nl = label_nl
    if label_en:
        role.label_en = label_en
    if four_eyes is not None:
        role.four_eyes = four_eyes
    if active is not None:
        role.active = active
    db.session.commit()
    click.echo(f"{role.code}: {role.label_nl} / {role.label_en}{' four-eyes' if role.four_eyes else ''}")


def main() -> None:
    os.environ.setdefault("FLASK_RUN_FROM_CLI", "false")
    cli(prog_name="roldesk")
