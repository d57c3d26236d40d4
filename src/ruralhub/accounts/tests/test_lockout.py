"""Sign-in security: the lockout is per username from any address, and the deploy checks pass behind HTTPS."""

import os
import subprocess
import sys

from django.urls import reverse

from ruralhub.testing import PASSWORD

LOGIN = reverse("login")


def test_five_wrong_passwords_lock_the_username_whatever_the_address(client, producer):
    for _ in range(5):
        client.post(LOGIN, {"username": "producer", "password": "wrong"}, REMOTE_ADDR="127.0.0.1")
    response = client.post(LOGIN, {"username": "producer", "password": PASSWORD}, REMOTE_ADDR="127.0.0.2")
    assert response.status_code == 429
    assert "该账号已被锁定1小时" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_username_does_not_lock_others_at_the_same_address(client, producer, county_office):
    for _ in range(5):
        client.post(LOGIN, {"username": "producer", "password": "wrong"}, REMOTE_ADDR="127.0.0.1")
    response = client.post(LOGIN, {"username": "county", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 302


def test_deploy_checks_are_clean_behind_https(tmp_path):
    env = {
        **os.environ,
        "RURALHUB_DATA": str(tmp_path),
        "RURALHUB_HTTPS": "1",
        "RURALHUB_CSRF_ORIGINS": "https://ds.suichang.gov.cn",
        "RURALHUB_HOSTS": "ds.suichang.gov.cn",
        "SECRET_KEY": "k" * 20 + "-deploy-check-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_SETTINGS_MODULE": "ruralhub.settings",
    }
    env.pop("RURALHUB_DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest, never in a deployment
    result = subprocess.run(
        [sys.executable, "-m", "ruralhub.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
