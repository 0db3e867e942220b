import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from jalin import settings as jalin_settings


def test_env_helpers_fail_fast(monkeypatch):
    monkeypatch.setenv("X_BOOL", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        jalin_settings.env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        jalin_settings.env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert jalin_settings.env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED"):
        jalin_settings.env_str("X_REQUIRED")
    monkeypatch.setenv("X_BOOL", "Yes")
    assert jalin_settings.env_bool("X_BOOL", False) is True


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "jalin.cli", *args], env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_mode_passes_deploy_check(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        JALIN_PRODUCTION="1",
        SECRET_KEY="k" * 30 + "-production-secret-0123456789abcdef",
        ALLOWED_HOSTS="jalin.example.go.id",
        JALIN_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_requires_a_secret_key(tmp_path):
    result = _manage("check", JALIN_PRODUCTION="1", JALIN_VAR_DIR=str(tmp_path))
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_bad_boolean_stops_start_up(tmp_path):
    result = _manage("check", DEBUG="maybe", JALIN_VAR_DIR=str(tmp_path))
    assert result.returncode != 0 and "DEBUG='maybe' is not a boolean" in result.stderr
