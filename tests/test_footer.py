"""Every page's footer: help first (the National Human Trafficking Hotline, 911); the HSI Tip
Line, federal law enforcement, named for what it is in a group of its own (issue #20)."""

from __future__ import annotations

import re

from flask import Flask


def _footer(app: Flask) -> str:
    page = app.test_client().get("/login").get_data(as_text=True)
    return page[page.index("<footer") : page.index("</footer>")]


def _section(footer: str, heading_id: str) -> str:
    start = footer.index(f'id="{heading_id}"')
    end = footer.find("</section>", start)
    return footer[start:end]


def test_help_comes_first_and_the_tip_line_stands_apart(app: Flask):
    footer = _footer(app)
    help_group = _section(footer, "footer-help")
    tip_group = _section(footer, "footer-tip")
    assert footer.index("footer-help") < footer.index("footer-tip")
    assert "Get help" in help_group
    # The hotline's call and text numbers come first in it, then 911.
    assert help_group.index('href="tel:+18883737888"') < help_group.index('href="sms:233733"')
    assert help_group.index('href="sms:233733"') < help_group.index('href="tel:911"')
    assert "1-888-373-7888" in help_group
    assert "233733" in help_group
    assert "Immediate danger: call" in help_group
    # The ICE number is the HSI Tip Line, said to be federal law enforcement, and only here.
    assert "To report a tip" in tip_group
    assert "HSI Tip Line" in tip_group
    assert "federal law enforcement" in tip_group
    assert 'href="tel:+18663472423"' in tip_group
    assert "1-866-347-2423" in tip_group
    assert "18663472423" not in help_group
    assert "Immigration and Customs Enforcement" not in footer


def test_no_number_breaks_across_lines(app: Flask):
    """Each number sits in a span that app.css keeps on one line."""
    footer = _footer(app)
    for number in ("1-888-373-7888", "233733", "911", "1-866-347-2423"):
        assert re.search(rf'<span class="phone">{re.escape(number)}</span>', footer), number
