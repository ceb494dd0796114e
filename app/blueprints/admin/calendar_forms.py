"""Forms of the admin calendar page: business hours, the SLA target, holidays and closing days."""

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

WEEKDAY_LABELS = [_l("Maandag"), _l("Dinsdag"), _l("Woensdag"), _l("Donderdag"), _l("Vrijdag"),
                  _l("Zaterdag"), _l("Zondag")]
WEEKDAY_FIELDS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_RANGE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")
# Four weeks of round-the-clock minutes; a longer target is taken as a typing error.
MAX_SLA_MINUTES = 4 * 7 * 24 * 60


def parse_ranges(text: str) -> list[tuple[time, time]]:
    """Parse "08:30-12:00, 12:30-17:00" into sorted ranges; an empty text is a closed day.

    Raises:
        ValueError: with a Dutch message that explains how to write the ranges.
    """
    ranges = []
    for part in filter(None, (piece.strip() for piece in (text or "").split(","))):
        match = _RANGE.match(part)
        if match is None:
            raise ValueError(_l("Schrijf de tijden als 08:30-17:00. Scheid blokken met een komma, "
                                "bijvoorbeeld 08:30-12:00, 12:30-17:00."))
        hours_open, minutes_open, hours_close, minutes_close = map(int, match.groups())
        if hours_open > 23 or hours_close > 23 or minutes_open > 59 or minutes_close > 59:
            raise ValueError(_l("%(part)s is geen bestaande tijd. Gebruik tijden van 00:00 tot "
                                "23:59.", part=part))
        opens, closes = time(hours_open, minutes_open), time(hours_close, minutes_close)
        if not opens < closes:
            raise ValueError(_l("In %(part)s ligt het einde niet na het begin. Zet de vroegste "
                                "tijd voorop.", part=part))
        ranges.append((opens, closes))
    ranges.sort()
    for (_, first_closes), (second_opens, _) in zip(ranges, ranges[1:]):
        if second_opens < first_closes:
            raise ValueError(_l("De blokken overlappen. Laat elk blok beginnen na het einde van "
                                "het vorige."))
    return ranges


def format_ranges(ranges) -> str:
    return ", ".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in ranges)


def _check_ranges(form, field) -> None:
    try:
        field.parsed = parse_ranges(field.data)
    except ValueError as error:
        raise ValidationError(str(error.args[0])) from None


class HoursForm(FlaskForm):
    monday = StringField(WEEKDAY_LABELS[0], validators=[_check_ranges])
    tuesday = StringField(WEEKDAY_LABELS[1], validators=[_check_ranges])
    wednesday = StringField(WEEKDAY_LABELS[2], validators=[_check_ranges])
    thursday = StringField(WEEKDAY_LABELS[3], validators=[_check_ranges])
    friday = StringField(WEEKDAY_LABELS[4], validators=[_check_ranges])
    saturday = StringField(WEEKDAY_LABELS[5], validators=[_check_ranges])
    sunday = StringField(WEEKDAY_LABELS[6], validators=[_check_ranges])
    sla_minutes = IntegerField(_l("Afhandeltermijn in werkminuten"), validators=[
        InputRequired(_l("Vul de afhandeltermijn in als een aantal minuten, bijvoorbeeld 510.")),
        NumberRange(min=1, max=MAX_SLA_MINUTES, message=_l(
            "Kies een termijn tussen %(min)s en %(max)s werkminuten.")),
    ])

    def weekday_fields(self):
        return [self[name] for name in WEEKDAY_FIELDS]

    def hours(self) -> dict[int, list[tuple[time, time]]]:
        return {day: getattr(field, "parsed", []) for day, field in enumerate(self.weekday_fields())}

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not any(self.hours().values()):
            self.monday.errors.append(_l("Vul voor minstens één dag openingstijden in, anders "
                                         "kan geen verzoek een termijn krijgen."))
            return False
        return True


class HolidayForm(FlaskForm):
    closed_holidays = SelectMultipleField(
        _l("Gesloten op deze feestdagen"), choices=[],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(), validate_choice=True,
    )


class ClosingDayForm(FlaskForm):
    day = DateField(_l("Datum"), validators=[DataRequired(_l("Vul een datum in, bijvoorbeeld "
                                                              "2026-12-24."))])
    description = StringField(_l("Omschrijving"), validators=[Length(max=200, message=_l(
        "Een omschrijving is hoogstens 200 tekens."))])
