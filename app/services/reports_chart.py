"""Geometry of the weekly trend chart, drawn as SVG by templates/reports/_trend_chart.html.

Bars show requests received and closed per week on the left axis. A line shows
the share closed within the promise on the right axis, 0 to 100%.
"""

from dataclasses import dataclass, field

from app.services.reports import WeekRow

WIDTH = 640
HEIGHT = 280
LEFT, RIGHT, TOP, BOTTOM = 44, 48, 16, 48
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
COUNT_TICKS = 4


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass
class TrendChart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_width: int = PLOT_WIDTH
    plot_height: int = PLOT_HEIGHT
    received: list[Bar] = field(default_factory=list)
    closed: list[Bar] = field(default_factory=list)
    # (x, y, share) per week; weeks with nothing closed have no point.
    share_points: list[tuple[float, float, float]] = field(default_factory=list)
    count_ticks: list[tuple[float, int]] = field(default_factory=list)
    share_ticks: list[tuple[float, int]] = field(default_factory=list)
    week_labels: list[tuple[float, str]] = field(default_factory=list)

    @property
    def share_polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _share in self.share_points)


def _nice_maximum(value: int) -> int:
    """Return the top of the count axis: COUNT_TICKS steps of 1, 2 or 5 times a power of ten."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude * COUNT_TICKS >= value:
                return factor * magnitude * COUNT_TICKS
        magnitude *= 10


def trend_chart(weeks: list[WeekRow]) -> TrendChart:
    """Lay out bars, the share line and the axis ticks for ``weeks``."""
    chart = TrendChart()
    if not weeks:
        return chart
    maximum = _nice_maximum(max(max(week.received, week.closed) for week in weeks) or 1)
    slot = PLOT_WIDTH / len(weeks)
    bar_width = min(slot * 0.35, 40)
    bottom = TOP + PLOT_HEIGHT

    for index, week in enumerate(weeks):
        centre = LEFT + slot * (index + 0.5)
        for bars, value, x in ((chart.received, week.received, centre - bar_width),
                               (chart.closed, week.closed, centre)):
            height = PLOT_HEIGHT * value / maximum
            bars.append(Bar(x=x, y=bottom - height, width=bar_width, height=height, value=value))
        if week.share_within is not None:
            chart.share_points.append(
                (centre, bottom - PLOT_HEIGHT * week.share_within / 100, week.share_within))
        chart.week_labels.append((centre, week.first_day.strftime("%d-%m")))

    for tick in range(COUNT_TICKS + 1):
        value = maximum * tick // COUNT_TICKS
        chart.count_ticks.append((bottom - PLOT_HEIGHT * tick / COUNT_TICKS, value))
    for share in (0, 50, 100):
        chart.share_ticks.append((bottom - PLOT_HEIGHT * share / 100, share))
    return chart
