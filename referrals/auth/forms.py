"""Sign-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1024)]
    )
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class LogoutForm(FlaskForm):
    """An empty form: logout is a POST with a CSRF token."""

    submit = SubmitField(_l("Sign out"))


class SecondStepForm(FlaskForm):
    """The code from the authenticator app, or one recovery code."""

    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"},
    )
    submit = SubmitField(_l("Continue"))


class EnrolForm(FlaskForm):
    """Confirms enrolment with a first code from the new key, and the password (a session
    alone, perhaps a stolen one, must not be able to put its own authenticator on the account).
    """

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1024)])
    code = StringField(
        _l("6-digit code shown by the app"),
        validators=[DataRequired(), Length(max=16)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Turn on two-step sign-in"))


class PasswordConfirmForm(FlaskForm):
    """Re-enter the password before a sensitive change to one's own account."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField(_l("Confirm"))


class ExtendSessionForm(FlaskForm):
    """The session warning's one action; ``next`` brings the user back where they were."""

    next = HiddenField()
    submit = SubmitField(_l("Stay signed in"))


class ConfirmAccountForm(FlaskForm):
    """Confirming a waiting account: a POST with a CSRF token."""

    submit = SubmitField(_l("Confirm this account"))
