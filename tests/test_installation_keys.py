"""No secret in the source: production fails closed, development makes its own keys.

Started by gunicorn as the README says but without REFERRALS_CONFIG and without keys, the app
refuses to start and says what to set; a development installation generates its keys once
into its instance folder (mode 0600) and reuses them; no key literal is left in config.py.
"""

from __future__ import annotations

import ast
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config import DevelopmentConfig, ProductionConfig, TestingConfig, config_from_env
from referrals import create_app
from referrals.installation_keys import KEY_FILE_NAME, KEY_NAMES, installation_keys

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(**settings: str) -> subprocess.CompletedProcess[str]:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` with only ``settings`` in its environment."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
        "GUNICORN_WORKERS": "1",
        **settings,
    }
    # No control socket: it lives in $HOME, shared with any other gunicorn running.
    command = ["gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket", "wsgi:app"]
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
        check=False,
    )


def test_gunicorn_without_config_or_keys_refuses_to_start_and_says_what_to_set():
    started = start_gunicorn()
    output = started.stdout + started.stderr
    assert started.returncode != 0, output
    assert "REFERRALS_CONFIG is not set, so the production settings apply" in output
    for name in ("SECRET_KEY", "AUDIT_HMAC_KEY", "TRUSTED_PROXIES", "RATELIMIT_STORAGE_URI"):
        assert f"  {name}: " in output, name
    assert "secrets.token_hex(32)" in output
    assert "REFERRALS_CONFIG=development" in output


def test_gunicorn_with_keys_but_no_shared_limit_storage_refuses_to_start():
    """The per-address sign-in limit never falls back to per-worker memory:// unasked."""
    started = start_gunicorn(
        SECRET_KEY=os.urandom(32).hex(), AUDIT_HMAC_KEY=os.urandom(32).hex(), TRUSTED_PROXIES="1"
    )
    output = started.stdout + started.stderr
    assert started.returncode != 0, output
    assert "  RATELIMIT_STORAGE_URI: redis://host:6379" in output
    assert "  SECRET_KEY: " not in output


def test_without_referrals_config_the_production_settings_apply(monkeypatch):
    monkeypatch.delenv("REFERRALS_CONFIG", raising=False)
    assert config_from_env() is ProductionConfig
    monkeypatch.setenv("REFERRALS_CONFIG", "development")
    assert config_from_env() is DevelopmentConfig


def test_no_key_literal_remains_in_config():
    """No string is assigned to a key setting, nor given as a key's default."""
    tree = ast.parse((ROOT / "config.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            names = [target.id for target in node.targets if isinstance(target, ast.Name)]
            if any("KEY" in name for name in names):
                value = getattr(node.value, "value", None)
                assert not (isinstance(value, str) and value), ast.unparse(node)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "os.environ.get":
            name, *default = node.args
            if "KEY" in ast.unparse(name):
                assert [ast.unparse(value) for value in default] in ([], ["''"]), ast.unparse(node)
    source = (ROOT / "config.py").read_text()
    for old_literal in ("dev-only", "testing-secret-key", "testing-audit-key"):
        assert old_literal not in source


def development_app(instance: Path, monkeypatch: pytest.MonkeyPatch, **overrides: str):
    """A development installation in ``instance``, its environment without keys."""
    for name in KEY_NAMES:
        monkeypatch.setattr(DevelopmentConfig, name, "")
    return create_app(
        DevelopmentConfig,
        instance_path=str(instance),
        SQLALCHEMY_DATABASE_URI="sqlite://",
        **overrides,
    )


def test_two_fresh_development_installs_get_their_own_private_keys(tmp_path, monkeypatch):
    first = development_app(tmp_path / "first", monkeypatch)
    second = development_app(tmp_path / "second", monkeypatch)
    for name in KEY_NAMES:
        assert len(first.config[name]) == 64
        assert first.config[name] != second.config[name]
    assert first.config["SECRET_KEY"] != first.config["AUDIT_HMAC_KEY"]
    for app in (first, second):
        key_file = Path(app.instance_path) / KEY_FILE_NAME
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        # Only the key file: the temporary file it was written through is gone.
        assert sorted(path.name for path in key_file.parent.iterdir()) == [KEY_FILE_NAME]


def test_a_development_install_keeps_its_keys_across_restarts(tmp_path, monkeypatch):
    started = development_app(tmp_path, monkeypatch)
    restarted = development_app(tmp_path, monkeypatch)
    for name in KEY_NAMES:
        assert restarted.config[name] == started.config[name]
    from_environment = development_app(tmp_path, monkeypatch, SECRET_KEY="e" * 64)
    assert from_environment.config["SECRET_KEY"] == "e" * 64
    assert from_environment.config["AUDIT_HMAC_KEY"] == started.config["AUDIT_HMAC_KEY"]


def test_a_key_file_others_can_read_or_a_damaged_one_is_refused(tmp_path):
    key_file = tmp_path / KEY_FILE_NAME
    installation_keys(key_file)
    key_file.chmod(0o644)
    with pytest.raises(RuntimeError, match="chmod 600"):
        installation_keys(key_file)
    key_file.chmod(0o600)
    key_file.write_text('{"SECRET_KEY": "short"}')
    with pytest.raises(RuntimeError, match="damaged"):
        installation_keys(key_file)


def test_outside_development_no_keys_means_no_start(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY and AUDIT_HMAC_KEY must be set"):
        create_app(TestingConfig, instance_path=str(tmp_path), SECRET_KEY="", AUDIT_HMAC_KEY="")
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_tests_use_keys_of_their_own():
    assert len(TestingConfig.SECRET_KEY) == len(TestingConfig.AUDIT_HMAC_KEY) == 64
    assert TestingConfig.SECRET_KEY != TestingConfig.AUDIT_HMAC_KEY
