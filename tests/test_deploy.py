"""deploy/: the systemd units pass ``systemd-analyze verify`` and carry the settings the
deployment relies on; the nginx example and the env file agree with the app's settings."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from config import _PRODUCTION_SETTINGS, Config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted([*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")])
INSTALLED_AT = "/srv/kc-referrals/app"
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "CapabilityBoundingSet": "",
}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read(DEPLOY / name)
    return parser


def test_the_units_are_there():
    assert [path.name for path in UNITS] == [
        "kc-referrals-backup.service",
        "kc-referrals-backup.timer",
        "kc-referrals-sweep.service",
        "kc-referrals-sweep.timer",
        "kc-referrals.service",
    ]


def test_systemd_analyze_verify_finds_nothing(tmp_path: Path):
    """The units as installed, with the checkout here instead of /srv (verify looks for the
    programs they start). Any warning (an unknown key, a typo) fails the test."""
    if shutil.which("systemd-analyze") is None:
        message = "systemd-analyze not found (apt-get install systemd); CI has it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    for path in UNITS:
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALLED_AT, str(ROOT)))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(p.name for p in UNITS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_web_service_runs_gunicorn_hardened_with_its_settings():
    service = unit("kc-referrals.service")["Service"]
    assert service["ExecStart"] == f"{INSTALLED_AT}/.venv/bin/gunicorn -c gunicorn.conf.py wsgi:app"
    assert service["EnvironmentFile"] == "/etc/kc-referrals/env"
    assert service["User"] == "referrals"
    assert service["Environment"] == "PROMETHEUS_MULTIPROC_DIR=/run/kc-referrals/metrics"
    assert service["RuntimeDirectory"] == "kc-referrals"
    assert {key: service.get(key) for key in HARDENING} == HARDENING


def test_the_sweep_runs_from_its_timer_and_an_overlap_is_no_failure():
    service = unit("kc-referrals-sweep.service")["Service"]
    assert service["ExecStart"] == f"{INSTALLED_AT}/.venv/bin/flask sweep"
    assert service["Type"] == "oneshot"
    assert service["SuccessExitStatus"] == "75"  # EXIT_ANOTHER_SWEEP_RUNNING
    assert service["EnvironmentFile"] == "/etc/kc-referrals/env"
    # No metrics files from a short-lived process: the sweep's figures are in the database.
    assert "PROMETHEUS_MULTIPROC_DIR" not in service.get("Environment", "")
    assert {key: service.get(key) for key in HARDENING} == HARDENING
    timer = unit("kc-referrals-sweep.timer")
    assert timer["Timer"]["OnCalendar"] == "*:0/5"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_exit_status_of_an_overlap_is_the_one_the_unit_accepts():
    from referrals.lifecycle.cli import EXIT_ANOTHER_SWEEP_RUNNING

    accepted = unit("kc-referrals-sweep.service")["Service"]["SuccessExitStatus"]
    assert accepted == str(EXIT_ANOTHER_SWEEP_RUNNING)


def test_the_backup_runs_nightly_and_keeps_dumps_apart():
    service = unit("kc-referrals-backup.service")["Service"]
    assert service["ExecStart"] == f"{INSTALLED_AT}/deploy/backup.sh"
    assert service["ReadWritePaths"] == "/var/backups/kc-referrals"
    assert "EnvironmentFile" not in service  # the dump job never sees the keys
    assert unit("kc-referrals-backup.timer")["Timer"]["OnCalendar"] == "*-*-* 02:30:00"
    script = (DEPLOY / "backup.sh").read_text()
    assert "pg_dump --format=custom" in script
    assert os.access(DEPLOY / "backup.sh", os.X_OK)


def _nginx() -> str:
    return (DEPLOY / "nginx-kc-referrals.conf").read_text()


def test_nginx_limits_bodies_as_the_app_does():
    [size] = re.findall(r"client_max_body_size (\d+)m;", _nginx())
    assert int(size) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH


def test_nginx_hands_on_what_one_trusted_proxy_must():
    text = _nginx()
    for header in (
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Request-ID $request_id;",
        "proxy_set_header Host $host;",
    ):
        assert text.count(header) == 2, header  # the app and /metrics
    assert "proxy_request_buffering on;" in text
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in text


def test_nginx_never_logs_an_address_with_a_client_code():
    [log_format] = re.findall(r"log_format kc_referrals (.*?);", _nginx(), re.S)
    assert not re.search(r"\$(request|request_uri|uri|args|query_string)\b", log_format)
    assert "$request_id" in log_format
    for line in re.findall(r"access_log [^;]+;", _nginx()):
        assert line.endswith(" kc_referrals;"), line


def test_the_env_file_names_every_production_setting():
    names = set(re.findall(r"^([A-Z_]+)=", (DEPLOY / "kc-referrals.env.example").read_text(), re.M))
    assert set(_PRODUCTION_SETTINGS) <= names
    assert {"DATABASE_URL", "METRICS_TOKEN", "LOG_FORMAT", "MAX_CONTENT_LENGTH"} <= names


def test_deploy_md_walks_through_the_deployment():
    text = (ROOT / "docs" / "DEPLOY.md").read_text()
    for needed in (
        "flask create-admin",
        "flask db upgrade",
        "--expect-head",
        "make restore-drill",
        "systemctl enable --now kc-referrals-sweep.timer",
        "pg_dump",
        "AUDIT_HMAC_KEY",
        "TRUSTED_PROXIES=1",
        "RATELIMIT_STORAGE_URI",
    ):
        assert needed in text, needed
