"""Forms shared across blueprints; each blueprint keeps its own forms beside it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[
        DataRequired(_l("Vul je e-mailadres in.")), Length(max=320)])
    password = PasswordField(_l("Wachtwoord"), validators=[
        DataRequired(_l("Vul je wachtwoord in.")), Length(max=200)])
