"""Benchmark: due-time computation with WorkingCalendar.add against business-time libraries.

Builds random calendars (business hours per weekday, Dutch public holidays with some
left open, admin closing days) and 100,000 random (moment, calendar, duration) cases.
Correctness: Roldesk's due times are compared with a minute-by-minute walk on a
subset, and with every library on all cases it is timed on. Speed: the median time
per case of WorkingCalendar.add against workclock (Rust core) and businesstimedelta
(pure Python, timed on a subset because it is slow), each given the same holidays.

Run: .venv/bin/python -m bench.calendar [--quick] [--repeats N]
"""

import random
from datetime import date, datetime, time, timedelta, timezone

from bench.common import Result, at_least, format_times, median_seconds, parse_args, print_results
from workflows.calendar import WorkingCalendar, dutch_holidays

ZONE = "Europe/Amsterdam"
SEED = 20261204
FIRST_DAY = date(2025, 1, 1)
LAST_DAY = date(2028, 12, 31)
# Closed-day lists for the libraries run this far past LAST_DAY, so every search ends inside them.
LIST_END = date(2031, 12, 31)
HOLIDAY_NAMES = ("Nieuwjaarsdag", "Goede vrijdag", "Tweede paasdag", "Koningsdag",
                 "Bevrijdingsdag", "Hemelvaartsdag", "Tweede pinksterdag", "Tweede kerstdag")


class CalendarSpec:
    """One random calendar, kept as plain data so every implementation is built from the same values."""

    def __init__(self, rng: random.Random):
        self.hours = _random_hours(rng)
        self.closing_days = {FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))
                             for _ in range(rng.randrange(0, 12))}
        self.open_holidays = frozenset(name for name in HOLIDAY_NAMES if rng.random() < 0.15)
        is_holiday = dutch_holidays(self.open_holidays)
        closing_days = self.closing_days

        def is_closed(day: date) -> bool:
            return day in closing_days or is_holiday(day)

        self.is_closed = is_closed
        self.closed_days = sorted(
            day for day in _days(FIRST_DAY - timedelta(days=7), LIST_END) if is_closed(day)
        )
        self.one_working_day = max(
            sum(_minutes(opens, closes) for opens, closes in ranges) for ranges in self.hours.values()
        )

    def roldesk(self) -> WorkingCalendar:
        return WorkingCalendar(self.hours, self.is_closed, ZONE)


def _random_hours(rng: random.Random) -> dict[int, tuple[tuple[time, time], ...]]:
    profile = rng.choice(["default", "lunch", "short_friday", "saturday", "random"])
    weekdays = range(5)
    if profile == "default":
        return {day: ((time(8, 30), time(17, 0)),) for day in weekdays}
    if profile == "lunch":
        return {day: ((time(8, 0), time(12, 0)), (time(12, 30), time(17, 0))) for day in weekdays}
    if profile == "short_friday":
        hours = {day: ((time(8, 30), time(17, 0)),) for day in range(4)}
        hours[4] = ((time(8, 30), time(13, 0)),)
        return hours
    if profile == "saturday":
        hours = {day: ((time(9, 0), time(17, 30)),) for day in weekdays}
        hours[5] = ((time(10, 0), time(14, 0)),)
        return hours
    hours = {}
    for day in range(7):
        if rng.random() < (0.9 if day < 5 else 0.2):
            opens = rng.randrange(6 * 4, 11 * 4)
            closes = rng.randrange(opens + 4, 21 * 4)
            hours[day] = ((_quarter(opens), _quarter(closes)),)
    return hours or {0: ((time(9, 0), time(17, 0)),)}


def _quarter(quarters: int) -> time:
    return time(quarters // 4, 15 * (quarters % 4))


def _minutes(opens: time, closes: time) -> int:
    return (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def make_cases(count: int, specs: list[CalendarSpec], rng: random.Random) -> list[tuple[int, datetime, timedelta]]:
    """Return ``count`` cases: a calendar index, a whole-minute UTC moment and a duration in minutes.

    Half the durations are the calendar's working day, as the SLA uses, the rest run
    from one minute to four working days.
    """
    first = datetime.combine(FIRST_DAY, time(), tzinfo=timezone.utc)
    span_minutes = (LAST_DAY - FIRST_DAY).days * 24 * 60
    cases = []
    for _ in range(count):
        index = rng.randrange(len(specs))
        start = first + timedelta(minutes=rng.randrange(span_minutes))
        one_day = specs[index].one_working_day
        minutes = one_day if rng.random() < 0.5 else rng.randint(1, 4 * one_day)
        cases.append((index, start, timedelta(minutes=minutes)))
    return cases


def walk_add(spec: CalendarSpec, start: datetime, duration: timedelta) -> datetime:
    """Find the due time by stepping one minute at a time and counting the open minutes."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(ZONE)
    closed = set(spec.closed_days)
    remaining = duration // timedelta(minutes=1)
    moment = start
    step = timedelta(minutes=1)
    while remaining > 0:
        local = moment.astimezone(zone)
        if local.date() not in closed:
            clock = local.time().replace(tzinfo=None)
            if any(opens <= clock < closes for opens, closes in spec.hours.get(local.weekday(), ())):
                remaining -= 1
        moment += step
    return moment


def workclock_schedule(spec: CalendarSpec):
    from workclock import Holidays, Schedule, WorkDay

    rules = []
    for day, ranges in spec.hours.items():
        for opens, closes in ranges:
            rules.append(WorkDay(opens, closes, days=[day]))
    rules.append(Holidays(spec.closed_days))
    return Schedule(rules, time_zone=ZONE)


def businesstimedelta_rules(spec: CalendarSpec):
    import businesstimedelta
    import pytz

    zone = pytz.timezone(ZONE)
    rules = [businesstimedelta.WorkDayRule(opens, closes, [day], tz=zone)
             for day, ranges in spec.hours.items() for opens, closes in ranges]
    rules.append(businesstimedelta.HolidayRule(set(spec.closed_days), tz=zone))
    return businesstimedelta.Rules(rules)


def _check_walk(specs, calendars, cases, walk_count: int) -> list[str]:
    mismatches = []
    for index, start, duration in cases[:walk_count]:
        expected = walk_add(specs[index], start, duration)
        due = calendars[index].add(start, duration)
        if due != expected:
            mismatches.append(f"calendar {index}, {start.isoformat()} + {duration}: "
                              f"Roldesk {due.isoformat()}, walk {expected.isoformat()}")
        elif calendars[index].between(start, due) != duration:
            mismatches.append(f"calendar {index}, between({start.isoformat()}, {due.isoformat()}) "
                              f"is {calendars[index].between(start, due)}, expected {duration}")
    return mismatches


def _compare(name: str, expected: list[datetime], actual: list[datetime], cases) -> tuple[int, list[str]]:
    wrong = [i for i, (want, got) in enumerate(zip(expected, actual)) if want != got]
    examples = [f"  {name} differs: calendar {cases[i][0]}, {cases[i][1].isoformat()} + {cases[i][2]}: "
                f"Roldesk {expected[i].isoformat()}, {name} {actual[i].isoformat()}" for i in wrong[:3]]
    return len(wrong), examples


def run(argv: list[str] | None = None) -> list[Result]:
    args = parse_args(__doc__.splitlines()[0], argv)
    case_count, walk_count, slow_count = (300, 50, 50) if args.quick else (100_000, 2_000, 2_000)
    calendar_count = 5 if args.quick else 40
    repeats = args.repeats or (1 if args.quick else 5)
    rng = random.Random(SEED)
    specs = [CalendarSpec(rng) for _ in range(calendar_count)]
    cases = make_cases(case_count, specs, rng)
    calendars = [spec.roldesk() for spec in specs]
    schedules = [workclock_schedule(spec) for spec in specs]
    rules = [businesstimedelta_rules(spec) for spec in specs]

    walk_mismatches = _check_walk(specs, calendars, cases, walk_count)

    def roldesk_all():
        return [calendars[index].add(start, duration) for index, start, duration in cases]

    def workclock_all():
        return [schedules[index].add(start, duration) for index, start, duration in cases]

    groups = {index: ([], []) for index in range(calendar_count)}
    for index, start, duration in cases:
        groups[index][0].append(start)
        groups[index][1].append(duration)

    def workclock_batches():
        return [schedules[index].add_many(starts, durations)
                for index, (starts, durations) in groups.items()]

    def businesstimedelta_subset():
        import businesstimedelta

        return [start + businesstimedelta.BusinessTimeDelta(rules[index], timedelta=duration)
                for index, start, duration in cases[:slow_count]]

    roldesk_due = roldesk_all()  # also warms each calendar's per-day cache, as a running app has it
    workclock_wrong, workclock_examples = _compare("workclock", roldesk_due, workclock_all(), cases)
    slow_wrong, slow_examples = _compare("businesstimedelta", roldesk_due[:slow_count],
                                         businesstimedelta_subset(), cases)

    roldesk_times, workclock_times = [], []
    for _ in range(repeats):
        roldesk_times.append(median_seconds(roldesk_all, 1)[0])
        workclock_times.append(median_seconds(workclock_all, 1)[0])
    slow_median, slow_times = median_seconds(businesstimedelta_subset, max(1, repeats // 2))
    batch_median, batch_times = median_seconds(workclock_batches, repeats)
    roldesk_median = sorted(roldesk_times)[len(roldesk_times) // 2]
    workclock_median = sorted(workclock_times)[len(workclock_times) // 2]

    per_case = {
        "Roldesk": roldesk_median / case_count,
        "workclock": workclock_median / case_count,
        "businesstimedelta": slow_median / slow_count,
    }
    fastest = min(("workclock", "businesstimedelta"), key=per_case.get)
    details = [
        f"{case_count:,} cases over {calendar_count} random calendars, {repeats} runs each, "
        f"moments {FIRST_DAY} to {LAST_DAY} (UTC, whole minutes)",
        f"minute-by-minute walk on the first {walk_count:,} cases: "
        f"{len(walk_mismatches)} mismatches" + ("" if not walk_mismatches else f", e.g. {walk_mismatches[0]}"),
        f"workclock vs Roldesk on all {case_count:,} cases: {workclock_wrong} different due times",
        *workclock_examples,
        f"businesstimedelta vs Roldesk on the first {slow_count:,} cases: {slow_wrong} different due times",
        *slow_examples,
        f"Roldesk WorkingCalendar.add: {format_times(roldesk_times)} for {case_count:,} cases",
        f"workclock Schedule.add, one call a case: {format_times(workclock_times)} for {case_count:,} cases",
        f"businesstimedelta: {format_times(slow_times)} for {slow_count:,} cases",
        f"workclock Schedule.add_many, one call per calendar (a batch API; Roldesk computes one "
        f"due time per request): {format_times(batch_times)} for {case_count:,} cases, "
        f"{batch_median / case_count * 1e6:.2f} µs per case",
        *(f"median per case, {name}: {seconds * 1e6:.2f} µs" for name, seconds in per_case.items()),
        f"fastest library: {fastest}",
    ]
    identical = not walk_mismatches
    results = [
        Result("Due time: identical to the minute walk", float(len(walk_mismatches)),
               "0 mismatches", identical, details),
    ]
    for library in ("workclock", "businesstimedelta"):
        speedup = per_case[library] / per_case["Roldesk"]
        label = "fastest library" if library == fastest else "other library"
        results.append(at_least(f"Due time: speed-up over {library} ({label})", speedup, 10, []))
    return results


if __name__ == "__main__":
    print_results(run())
