"""The weekly trend as an inline SVG drawn on the server: no JavaScript, nothing from a CDN."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from referrals.dashboard.stats import Week
from referrals.localtime import show_date, show_month_day

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 20, 40
# Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito).
SENT, ACCEPTED, COMPLETED = "#0072B2", "#E69F00", "#009E73"


def trend_svg(weeks: Sequence[Week]) -> Markup:
    """Bars for referrals sent, lines for accepted and completed; the table beside it has the
    same numbers for screen readers and for anyone who prefers them."""
    top = max([1, *(max(w.sent, w.accepted, w.completed) for w in weeks)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(weeks))

    def y(value: int) -> float:
        return TOP + plot_h - value * plot_h / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="trend-chart" data-testid="trend-chart" aria-labelledby="trend-title">',
        f'<title id="trend-title">{escape(_("Referrals per week: sent, accepted, completed"))}'
        "</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#666"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, week in enumerate(weeks):
        x = LEFT + i * slot
        bar_h = TOP + plot_h - y(week.sent)
        parts.append(
            f'<rect x="{x + slot * 0.2:.1f}" y="{y(week.sent):.1f}" width="{slot * 0.6:.1f}" '
            f'height="{bar_h:.1f}" fill="{SENT}" data-sent="{week.sent}">'
            f"<title>{escape(show_date(week.start))}: {week.sent}</title></rect>"
        )
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" '
            f'font-size="10">{escape(show_month_day(week.start))}</text>'
        )
    for colour, values in (
        (ACCEPTED, [w.accepted for w in weeks]),
        (COMPLETED, [w.completed for w in weeks]),
    ):
        points = " ".join(
            f"{LEFT + i * slot + slot / 2:.1f},{y(v):.1f}" for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
    legend = ((SENT, _("Sent")), (ACCEPTED, _("Accepted")), (COMPLETED, _("Completed")))
    for i, (colour, label) in enumerate(legend):
        x = LEFT + i * 110
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 7}" font-size="11">{escape(label)}</text>'
        )
    parts.append("</svg>")
    svg = "".join(parts)
    # Not an XSS: every interpolated text is escaped above; the rest are numbers and constants.
    return Markup(svg)  # noqa: S704  # nosec B704
