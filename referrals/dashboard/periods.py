"""The reporting periods coalition figures are published for: whole, finished calendar quarters.

Why quarters, and only finished ones (issue 18): suppression protects the small counts of one
table, not what two tables give when one is subtracted from the other. So the coalition scope
publishes a fixed set of disjoint periods and nothing in between:

* one granularity, so no period contains another (a quarter minus two of its months would give
  the third month's small counts);
* quarters rather than months because a coalition of a dozen partners has few referrals per
  partner in a month, and with a threshold of 5 most monthly cells would be hidden; quarters
  are also the usual cadence of grant reports;
* only finished quarters: a running quarter grows day by day, and two exports a day apart
  would differ by one day's referrals. A quarter is published a day after it ends, so that a
  referral sent in its last moments (a transaction that commits late, a server clock a little
  behind) is in before anyone reads it.

Quarters are calendar quarters of the coalition's time zone, as every dashboard date is
(referrals/localtime.py): each starts at the coalition's midnight, and the next one starts
where it ends, so they stay disjoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from referrals.localtime import day_start, local_date, show_date

PUBLICATION_DELAY = timedelta(days=1)
OFFERED = 12  # quarters listed in the selector (three years); older ones are asked by URL
MIN_YEAR = 2000
_CODE = re.compile(r"(\d{4})-Q([1-4])", re.ASCII)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: ``Quarter(2026, 1)`` is January to March 2026."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        """``"2026-Q1"``; None for anything else."""
        match = _CODE.fullmatch(text.strip())
        return cls(int(match[1]), int(match[2])) if match else None

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The last day (inclusive)."""
        return self.following().start - timedelta(days=1)

    @property
    def starts_at(self) -> datetime:
        return day_start(self.start)

    @property
    def ends_at(self) -> datetime:
        """The first moment after the quarter: the instant its figures describe."""
        return self.following().starts_at

    def following(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def preceding(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def is_published(self, now: datetime) -> bool:
        """Finished, a day ago or more (see the module docstring), and not before MIN_YEAR."""
        return self.year >= MIN_YEAR and now >= self.ends_at + PUBLICATION_DELAY

    @property
    def label(self) -> str:
        return _(
            "Q%(number)d %(year)d (%(start)s to %(end)s)",
            number=self.number,
            year=self.year,
            start=show_date(self.start),
            end=show_date(self.end),
        )


def latest_published(now: datetime) -> Quarter:
    """The last finished quarter, or the one before it in the day after a quarter ends."""
    quarter = Quarter.containing(local_date(now)).preceding()
    return quarter if quarter.is_published(now) else quarter.preceding()


def offered(now: datetime) -> list[Quarter]:
    """The quarters the selector lists, newest first."""
    quarters = [latest_published(now)]
    while len(quarters) < OFFERED and quarters[-1].preceding().year >= MIN_YEAR:
        quarters.append(quarters[-1].preceding())
    return quarters
