"""The pages the benchmarks measure, and who looks at each."""

from __future__ import annotations

from dataclasses import dataclass

from bench.databases import Account, BenchDatabase


@dataclass(frozen=True)
class Page:
    figure: str  # the figure names start with this
    path: str
    viewer: Account


def measured_pages(database: BenchDatabase, supervisor: Account) -> list[Page]:
    """A partner's inbox, a caseworker's sent list and referral page, a supervisor's dashboard."""
    return [
        Page("inbox", "/inbox", database.partners[0]),
        Page("referrals", "/referrals/", database.caseworkers[0]),
        Page("referral_page", f"/referrals/{database.sample_referral}", database.caseworkers[0]),
        Page("dashboard", "/dashboard", supervisor),
    ]
