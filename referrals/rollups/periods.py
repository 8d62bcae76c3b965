"""Days as numbers, and a date range as the fewest stored periods that cover it exactly.

A period is ``(span, start)``: ``span`` days from day number ``start`` (days since
1970-01-01, UTC). Spans nest (1, 7, 28 and 336 days, each a whole number of the one before)
and every period starts on a multiple of its span counted from a Monday (day 4), so any
range of days is a handful of periods: at most six days, three weeks and eleven 28-day blocks
at each end around whole 336-day blocks. The cost of a page then depends on the range's
length, not on how many referrals fall in it.
"""

from __future__ import annotations

from datetime import date

SPANS = (336, 28, 7, 1)  # largest first: the decomposition takes the largest that fits
MONDAY = 4  # 1970-01-05, day number 4, was a Monday
EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def period_start(day: int, span: int) -> int:
    """The start of the period of ``span`` days holding ``day``."""
    return day - (day - MONDAY) % span


def covering(first: int, last: int) -> list[tuple[int, int]]:
    """``(span, start)`` periods, disjoint, whose union is the days ``first`` to ``last``."""
    periods = []
    day = first
    while day <= last:
        for span in SPANS:
            if period_start(day, span) == day and day + span - 1 <= last:
                periods.append((span, day))
                day += span
                break
    return periods
