"""Validation against the HSDS 3.0 schemas shipped in hsds/schema/ (jsonschema).

The schema files refer to each other by file name ("phone.json"); a referencing Registry
holds them all under those names, so no reference leaves this folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


@cache
def _registry() -> Registry:
    folder = resources.files("referrals.hsds") / "schema"
    documents = [
        (item.name, json.loads(item.read_text(encoding="utf-8")))
        for item in folder.iterdir()
        if item.name.endswith(".json")
    ]
    return Registry().with_resources(
        (name, Resource.from_contents(document, default_specification=DRAFT202012))
        for name, document in documents
    )


@cache
def validator(kind: str) -> Draft202012Validator:
    """The validator of one HSDS object (``service``, ``organization``, ...)."""
    schema = _registry().contents(f"{kind}.json")
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def errors(kind: str, instance: Any, path: str = "$") -> Iterator[str]:
    """Every way ``instance`` breaks the schema, each named with its JSON path."""
    found: list[ValidationError] = sorted(
        validator(kind).iter_errors(instance), key=lambda error: list(error.absolute_path)
    )
    for error in found:
        where = path + error.json_path.removeprefix("$")
        yield f"{where}: {error.message}"
