"""Pieces shared by the forms of several areas."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


def plain_choices(values: Iterable[str]) -> list[SelectChoice]:
    """Choices whose value is also their label (county and language names)."""
    return [SelectChoice(value, value) for value in values]


def with_blank(label: object, choices: list[SelectChoice]) -> list[SelectChoice]:
    """A leading empty choice, for filters where nothing chosen means "any"."""
    return [SelectChoice("", label), *choices]  # type: ignore[arg-type]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice: usable without JavaScript on any device."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
