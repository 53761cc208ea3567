"""Production settings pass Django's deployment checks and refuse to start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"NEIQIAO_TESTING", "DEBUG", "HTTPS", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="k3Yv-9qL!t2wZ8rP0xN4mC6bH1sJ7fD5gA_eU+oIyTqW%lR@zVcX",
        ALLOWED_HOSTS="neiqiao.jiedao.gov.cn",
        HTTPS="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr and "ERRORS" not in result.stderr


def test_production_settings_refuse_to_start_without_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_defaults_are_safe():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.LANGUAGE_CODE, s.TIME_ZONE, s.CELERY_TASK_ALWAYS_EAGER,"
        " s.STORAGES['staticfiles']['BACKEND']]))"
    )
    env = _production_env(DJANGO_SETTINGS_MODULE="neiqiao.settings", CELERY_BROKER_URL="redis://redis:6379/0")
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    import json

    debug, session_secure, csrf_secure, ssl_redirect, hsts, language, tz, eager, storage = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert debug is False
    assert session_secure and csrf_secure and ssl_redirect
    assert hsts >= 31536000
    assert language == "zh-hans" and tz == "Asia/Shanghai"
    assert eager is False  # a broker is configured, so tasks go to the worker
    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_session_idles_out_and_cookies_are_http_only():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True
