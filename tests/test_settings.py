"""Settings come from the environment, fail loudly, and are deploy-clean in production."""

import os
import subprocess
import sys

import pytest

STRONG_KEY = "k3y-" + "x9Q!mZ2#vB7$wR4%tY8^uI1&oP5*aS6(dF0)gH3_jK" * 2


def ocop(*args, env_overrides, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OCOP_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    env.pop("DEBUG", None)
    env.update({"OCOP_DATA_DIR": str(tmp_path / "data"), **env_overrides})
    return subprocess.run(
        [sys.executable, "-m", "ocop", *args], env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "ocop.example.vn"}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = ocop("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = ocop("check", env_overrides={"ALLOWED_HOSTS": "ocop.example.vn"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_a_weak_secret_key(tmp_path):
    result = ocop("check", env_overrides={**PRODUCTION, "SECRET_KEY": "short"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_production_needs_allowed_hosts(tmp_path):
    result = ocop("check", env_overrides={"SECRET_KEY": STRONG_KEY}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("OCOP_ENV", "staging", "OCOP_ENV='staging': expected production, development or test"),
        ("DB_CONN_MAX_AGE", "forever", "DB_CONN_MAX_AGE='forever' is not an integer"),
        ("DATABASE_URL", "oracle-ish://nowhere", "DATABASE_URL is not a database URL"),
        ("OCOP_PROXY_COUNT", "-1", "OCOP_PROXY_COUNT=-1: expected 0 or more proxies"),
        ("OCOP_LOGIN_ADDRESS_FAILURE_LIMIT", "5", "OCOP_LOGIN_ADDRESS_FAILURE_LIMIT must be higher"),
    ],
)
def test_bad_values_stop_the_server_with_their_name(tmp_path, variable, value, message):
    result = ocop("check", env_overrides={**PRODUCTION, variable: value}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_development_mode_runs_with_no_configuration_on_sqlite_in_the_data_dir(tmp_path):
    result = ocop(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; db = settings.DATABASES['default'];"
        "print(settings.DEBUG, db['ENGINE'], db['NAME'], settings.SECURE_SSL_REDIRECT)",
        env_overrides={"OCOP_ENV": "development"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        str(tmp_path / "data" / "ocop.sqlite3"),
        "False",
    ]


def test_the_console_script_is_installed_and_runs_management_commands():
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ocop"), "help"],
        env={**os.environ, "OCOP_ENV": "development"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "[django]" in result.stdout and "migrate" in result.stdout


@pytest.mark.django_db
def test_the_stylesheet_and_htmx_are_served_without_a_build_step(client):
    for url in ("/static/ocop/css/ocop.css", "/static/django_htmx/htmx-2.min.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content)
