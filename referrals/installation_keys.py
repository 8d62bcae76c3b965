"""The two keys every app needs: from the environment, or made once per development install.

Nothing in the source is a key. Production reads ``SECRET_KEY`` and ``AUDIT_HMAC_KEY`` from
the environment and refuses to start without them (``config.py``). A development
installation generates both on its first start into ``instance/secret_keys.json``, readable
by its owner only, and reads them back on every later start, so sessions and the audit chain
survive restarts while no two installations share a key.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask

from config import MIN_KEY_LENGTH

KEY_NAMES = ("SECRET_KEY", "AUDIT_HMAC_KEY")
KEY_FILE_NAME = "secret_keys.json"


def load_keys(app: Flask) -> None:
    """Fill the keys the configuration lacks from this installation's file, where allowed.

    Refuses to go on without both: an empty ``AUDIT_HMAC_KEY`` would sign the audit chain
    with a key anyone knows.
    """
    missing = [name for name in KEY_NAMES if not app.config.get(name)]
    if missing and app.config.get("INSTANCE_KEYS"):
        stored = installation_keys(Path(app.instance_path) / KEY_FILE_NAME)
        app.config.update({name: stored[name] for name in missing})
        missing = []
    if missing:
        raise RuntimeError(
            f"{' and '.join(missing)} must be set in the environment "
            "(REFERRALS_CONFIG=development generates them into the instance folder instead)."
        )


def installation_keys(path: Path) -> dict[str, str]:
    """The keys kept at ``path``: generated and written (mode 0600) on first use, then read."""
    if not path.exists():
        _write_new_keys(path)
    if path.stat().st_mode & 0o077:
        raise RuntimeError(f"{path} holds this installation's keys: chmod 600 it.")
    keys = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(keys, dict) or not all(
        isinstance(keys.get(name), str) and len(keys[name]) >= MIN_KEY_LENGTH for name in KEY_NAMES
    ):
        raise RuntimeError(
            f"{path} is damaged; move it away to start this installation with new keys."
        )
    return keys


def _write_new_keys(path: Path) -> None:
    """Write new keys to a private temporary file and link it into place.

    The link fails if the file appeared meanwhile, so two processes starting at once both
    read the one that was there first, and neither ever reads a half-written file.
    """
    keys = {name: secrets.token_hex(32) for name in KEY_NAMES}
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_keys.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:  # mkstemp: mode 0600
            json.dump(keys, file)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
