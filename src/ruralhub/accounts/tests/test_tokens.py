"""An API token works only while its user may sign in: deactivated or locked out, it is a 401."""

from django.urls import reverse

from ruralhub.accounts.models import ApiToken

URL = "/api/organisations"


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, '测试')[1]}"}


def test_a_token_answers_for_an_active_user(client, producer):
    assert client.get(URL, **_bearer(producer)).status_code == 200


def test_a_deactivated_users_token_is_refused(client, producer):
    headers = _bearer(producer)
    producer.is_active = False
    producer.save(update_fields=["is_active"])
    response = client.get(URL, **headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录，或令牌无效、已停用"}


def test_a_locked_out_users_token_is_refused_until_the_lock_is_lifted(client, producer):
    headers = _bearer(producer)
    for _ in range(5):
        client.post(reverse("login"), {"username": "producer", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    # from another address too: the lock is on the username
    assert client.get(URL, REMOTE_ADDR="127.0.0.9", **headers).status_code == 401
    from axes.utils import reset

    reset(username="producer")
    assert client.get(URL, **headers).status_code == 200


def test_an_unknown_token_is_a_json_401(client, db):
    response = client.get(URL, HTTP_AUTHORIZATION="Bearer rh_not-a-token")
    assert response.status_code == 401 and response["Content-Type"].startswith("application/json")


def test_a_wrong_token_on_a_post_is_a_401_not_a_csrf_refusal(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, {"name": "x"}, content_type="application/json", HTTP_AUTHORIZATION="Bearer rh_wrong")
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录，或令牌无效、已停用"}


def test_a_signed_in_session_works_until_the_user_is_locked_out(client, producer):
    client.force_login(producer)
    assert client.get(URL).status_code == 200
    for _ in range(5):
        client.post(reverse("login"), {"username": "producer", "password": "wrong"})
    assert client.get(URL).status_code == 401
