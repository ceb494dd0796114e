"""Admin commands of ``roldesk``."""

from sqlalchemy import select

from app.extensions import db
from app.models import PlatformRole, School
from app.services.accounts import find_account


def test_create_staff__adds_memberships(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-staff", "agent@roldesk.example", "--kind", "agent",
                                 "--kind", "manager", "--password", "lang-genoeg-wachtwoord"])
    assert result.exit_code == 0, result.output
    account = find_account("agent@roldesk.example")
    assert account.staff_kinds == {"agent", "manager"}


def test_import_schools__reads_dutch_excel_csv(app, tmp_path):
    path = tmp_path / "scholen.csv"
    path.write_bytes("\ufeffname;brin\nROC Zuidrand;25LZ\nGraafschap College;01OE\n".encode("utf-8"))
    result = app.test_cli_runner().invoke(args=["import-schools", str(path)])
    assert result.exit_code == 0, result.output
    schools = {school.name: school.brin for school in db.session.scalars(select(School))}
    assert schools == {"ROC Zuidrand": "25LZ", "Graafschap College": "01OE"}


def test_import_schools__empty_name_names_the_line(app, tmp_path):
    path = tmp_path / "scholen.csv"
    path.write_text("name,brin\nROC A,11AA\n,22BB\n")
    result = app.test_cli_runner().invoke(args=["import-schools", str(path)])
    assert result.exit_code != 0
    assert "line 3" in result.output
    assert db.session.scalars(select(School)).all() == []


def test_roles__list_and_edit(app):
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["roles", "list"]).output
    assert "exam_committee" in listing
    assert "four-eyes" in listing
    result = runner.invoke(args=["roles", "edit", "teacher", "--four-eyes"])
    assert result.exit_code == 0, result.output
    teacher = db.session.scalars(select(PlatformRole).where(PlatformRole.code == "teacher")).one()
    assert teacher.four_eyes is True
    added = runner.invoke(args=["roles", "edit", "mentor", "--label-nl", "Mentor", "--label-en", "Mentor"])
    assert added.exit_code == 0, added.output
    missing = runner.invoke(args=["roles", "edit", "nobody"])
    assert missing.exit_code != 0
    assert "does not exist" in missing.output
