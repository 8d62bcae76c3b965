"""The interface's language: the user's choice (saved with the account), else the browser's
Accept-Language, else English; Babel formats numbers, dates and plurals for it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, format_date, format_decimal, ngettext

from referrals.auth.models import User
from referrals.enums import Role
from referrals.extensions import db
from tests.conftest import login

SPANISH = "Iniciar sesión"
ENGLISH = "Sign in"


def _lang(response: Any) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert found, "no <html lang>"
    return found.group(1)


def _saved_locale(app: Flask, user_id: int) -> str | None:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return user.locale


@pytest.mark.parametrize(
    ("accept", "lang", "heading"),
    [
        ("es-MX,es;q=0.9,en;q=0.5", "es", SPANISH),
        ("es", "es", SPANISH),
        ("en-US,en;q=0.9,es;q=0.8", "en", ENGLISH),
        ("fr-FR,de;q=0.5", "en", ENGLISH),  # neither offered: English
        ("", "en", ENGLISH),
    ],
)
def test_accept_language_picks_the_best_of_english_and_spanish(
    client: Any, accept: str, lang: str, heading: str
) -> None:
    response = client.get("/login", headers={"Accept-Language": accept} if accept else {})
    assert _lang(response) == lang
    assert f">{heading}</h1>" in response.get_data(as_text=True)


def test_a_signed_out_visitors_choice_outlasts_the_browsers_language(client: Any) -> None:
    english_browser = {"Accept-Language": "en-US"}
    response = client.post("/language", data={"language": "es", "next": "/login"})
    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    cookie = response.headers["Set-Cookie"]
    assert "locale=es" in cookie
    assert "HttpOnly" in cookie
    assert "Expires" not in cookie
    assert "Max-Age" not in cookie
    page = client.get("/login", headers=english_browser)
    assert _lang(page) == "es"
    # The switch shows the other language as a button, the current one as the current.
    assert 'aria-current="true">Español<' in page.get_data(as_text=True)
    client.post("/language", data={"language": "en", "next": "/login"})
    assert _lang(client.get("/login", headers={"Accept-Language": "es"})) == "en"


def test_the_choice_is_saved_with_the_account_and_applied_at_the_next_sign_in(
    app: Flask, login_as: Any
) -> None:
    client, user = login_as(Role.CASEWORKER)
    response = client.post("/language", data={"language": "es", "next": "/programs/"})
    assert response.headers["Location"] == "/programs/"
    assert _saved_locale(app, user.id) == "es"
    page = client.get("/programs/", headers={"Accept-Language": "en"})
    assert _lang(page) == "es"
    assert "Cerrar sesión" in page.get_data(as_text=True)

    # Another browser, set to English: the sign-in brings the saved Spanish along.
    elsewhere = app.test_client()
    assert login(elsewhere, user).status_code == 302
    assert _lang(elsewhere.get("/", headers={"Accept-Language": "en"})) == "es"


def test_signing_out_keeps_the_language(login_as: Any) -> None:
    client, _user = login_as(Role.CASEWORKER)
    client.post("/language", data={"language": "es", "next": "/"})
    client.post("/logout")
    assert _lang(client.get("/login")) == "es"


@pytest.mark.parametrize("language", ["fr", "", "es-MX", "en\x00", "x" * 300])
def test_an_unknown_language_is_refused_and_nothing_changes(
    app: Flask, login_as: Any, language: str
) -> None:
    client, user = login_as(Role.CASEWORKER)
    response = client.post("/language", data={"language": language, "next": "/"})
    assert response.status_code == 400
    assert "locale=" not in response.headers.get("Set-Cookie", "")
    assert _saved_locale(app, user.id) is None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_the_switch_goes_back_only_to_this_site(client: Any, target: str) -> None:
    response = client.post("/language", data={"language": "es", "next": target})
    assert response.headers["Location"] == "/"


def test_a_forged_cookie_falls_back_to_the_browsers_language(client: Any) -> None:
    client.set_cookie("locale", "xx")
    assert _lang(client.get("/login", headers={"Accept-Language": "es"})) == "es"
    client.set_cookie("locale", "../../etc")
    assert _lang(client.get("/login")) == "en"


def test_wtforms_own_messages_come_out_in_the_language(client: Any) -> None:
    spanish = client.post("/login", data={}, headers={"Accept-Language": "es"})
    assert "Este campo es obligatorio." in spanish.get_data(as_text=True)
    english = client.post("/login", data={}, headers={"Accept-Language": "en"})
    assert "This field is required." in english.get_data(as_text=True)


def test_the_error_page_follows_the_language(client: Any) -> None:
    response = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert _lang(response) == "es"
    assert "Error 404" in response.get_data(as_text=True)
    assert "There is nothing here" not in response.get_data(as_text=True)


def test_babel_formats_numbers_dates_and_plurals_for_each_language(app: Flask) -> None:
    singular = "%(num)d open referral assigned to you"
    plural = "%(num)d open referrals assigned to you"
    with app.test_request_context("/"):
        with force_locale("en"):
            assert format_decimal(12345.5) == "12,345.5"
            assert format_date(date(2026, 3, 5), "long") == "March 5, 2026"
            assert ngettext(singular, plural, 1) == "1 open referral assigned to you"
            assert ngettext(singular, plural, 2) == "2 open referrals assigned to you"
        with force_locale("es"):
            assert format_decimal(12345.5) == "12.345,5"
            assert format_date(date(2026, 3, 5), "long") == "5 de marzo de 2026"
            one, two = ngettext(singular, plural, 1), ngettext(singular, plural, 2)
            assert one.startswith("1 ")
            assert two.startswith("2 ")
            assert one != two
            assert "referral" not in one + two


def test_the_home_page_counts_with_the_languages_plural(login_as: Any, make_intake: Any) -> None:
    client, user = login_as(Role.CASEWORKER)
    make_intake(by=user)
    page = client.get("/").get_data(as_text=True)
    assert "<strong>1</strong> open intake in your organization." in page
    make_intake(by=user)
    client.post("/language", data={"language": "es", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "<strong>2</strong> admisiones abiertas en su organización." in page
