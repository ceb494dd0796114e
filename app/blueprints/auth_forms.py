"""Forms of the sign-up wizard: one step a form, so each step validates only its own field."""

from email_validator import EmailNotValidError
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.services.accounts import normalize_email

EMAIL_MAX = 254
NAME_MAX = 100
TUSSENVOEGSEL_MAX = 30
PASSWORD_MAX = 200


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _too_long(maximum: int):
    return Length(max=maximum, message=_l("Gebruik hoogstens %(max)d tekens.", max=maximum))


class EmailStepForm(FlaskForm):
    email = EmailField(
        _l("E-mailadres"),
        description=_l("Gebruik zoveel mogelijk het e-mailadres van je school of organisatie."),
        filters=[_strip],
        validators=[DataRequired(_l("Vul je e-mailadres in.")), _too_long(EMAIL_MAX)],
    )

    def validate_email(self, field):
        try:
            normalize_email(field.data)
        except EmailNotValidError:
            raise ValidationError(
                _l("Dit is geen geldig e-mailadres. Vul een adres in zoals naam@school.nl.")
            ) from None


class FirstNameStepForm(FlaskForm):
    first_name = StringField(
        _l("Voornaam"), filters=[_strip],
        validators=[DataRequired(_l("Vul je voornaam in.")), _too_long(NAME_MAX)],
    )


class LastNameStepForm(FlaskForm):
    tussenvoegsel = StringField(
        _l("Tussenvoegsel"), description=_l("Bijvoorbeeld \u201cvan\u201d of \u201cde\u201d. Mag leeg blijven."),
        filters=[_strip], validators=[Optional(), _too_long(TUSSENVOEGSEL_MAX)],
    )
    last_name = StringField(
        _l("Achternaam"), filters=[_strip],
        validators=[DataRequired(_l("Vul je achternaam in.")), _too_long(NAME_MAX)],
    )


class PasswordStepForm(FlaskForm):
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(_l("Kies een wachtwoord.")), _too_long(PASSWORD_MAX)],
    )
    privacy = BooleanField(
        _l("Ik ga akkoord met het privacy statement"),
        validators=[DataRequired(_l("Vink aan dat je akkoord gaat met het privacy statement."))],
    )


class ResendForm(FlaskForm):
    """Only the CSRF token: "Verstuur opnieuw" sends no other input."""
