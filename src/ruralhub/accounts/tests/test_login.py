from django.urls import reverse

from ruralhub.testing import PASSWORD

LOGIN = reverse("login")


def test_the_right_password_signs_in(client, county_office):
    response = client.post(LOGIN, {"username": "county", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_five_wrong_passwords_lock_the_account(client, county_office):
    for _ in range(4):
        response = client.post(LOGIN, {"username": "county", "password": "wrong"})
        assert response.status_code == 200 and "请输入一个正确的" in response.content.decode()
    response = client.post(LOGIN, {"username": "county", "password": "wrong"})
    assert response.status_code == 429
    assert "该账号已被锁定1小时" in response.content.decode()
    # even the right password is refused while locked
    response = client.post(LOGIN, {"username": "county", "password": PASSWORD})
    assert response.status_code == 429
