"""Generated permission tests, in NetBox's manner: declare a model's pages and API operations once, get the checks.

A test module subclasses ``PagePermissionTests`` and/or ``ApiPermissionTests``, says where the pages and
operations are, which members of the cast (fixture names from ``ruralhub.testing``) play which part, and
how to make objects; pytest then runs for it:

  anonymous      pages redirect to the login, the API answers 401
  no permission  ``denied`` sees the object but may not act on it: 403, nothing changes
  in scope       ``allowed`` gets 200 on every page and operation, and the action takes effect
  out of scope   ``outsider`` gets 404 for the object and its actions, as if it did not exist
  query count    the list page / API list costs the same queries for 3 objects as for 30

The factory ``make(request, n)`` returns ``n`` objects that ``allowed`` and ``denied`` see and
``outsider`` does not; it builds them through the services, like a user would.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


@dataclass(frozen=True)
class Action:
    """A write operation on one object: where it is posted, with what, and how to tell it took effect."""

    name: str
    path: Callable[[object], str]
    data: Callable[[object], dict] = field(default=lambda obj: {})
    method: str = "post"
    # Reads the state the action changes; it must differ after the allowed user's call and only then.
    state: Callable[[object], object] = field(default=lambda obj: None)


@pytest.mark.django_db
class CastTests:
    """The cast and the factory shared by the page and the API checks."""

    allowed = "county_office"
    denied = "finance_audit"
    outsider = "other_township_officer"

    def make(self, request, n: int) -> list:
        """``n`` objects in the allowed user's scope; every test class defines it."""
        raise TypeError(f"{type(self).__name__} must define make(request, n)")

    def user(self, request, role: str):
        return request.getfixturevalue(role)

    def _one(self, request):
        return self.make(request, 1)[0]

    @staticmethod
    def _count_queries(fetch) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = fetch()
        assert response.status_code == 200, response.status_code
        return len(queries.captured_queries)

    def _assert_constant(self, request, fetch):
        self.make(request, 3)
        small = self._count_queries(fetch)
        self.make(request, 27)
        assert self._count_queries(fetch) == small


class PagePermissionTests(CastTests):
    """Pages: a list, a detail, a create and an edit form (any may be absent) and POSTed actions."""

    actions: tuple[Action, ...] = ()

    def list_path(self) -> str | None:
        return None

    def detail_path(self, obj) -> str | None:
        return None

    def create_path(self) -> str | None:
        return None

    def edit_path(self, obj) -> str | None:
        return None

    def create_data(self, request) -> dict:
        return {}

    def shown(self, obj) -> str:
        """What the list and detail pages show of the object."""
        return str(obj)

    def count(self, obj) -> int:
        return type(obj)._default_manager.count()

    def _pages(self, obj) -> list[str]:
        paths = [self.list_path(), self.detail_path(obj), self.create_path(), self.edit_path(obj)]
        return [p for p in paths if p]

    def test_pages_send_anonymous_visitors_to_login(self, client, request):
        obj = self._one(request)
        login = reverse("login")
        for path in self._pages(obj):
            response = client.get(path)
            assert response.status_code == 302 and response["Location"].startswith(login), path
        for action in self.actions:
            response = getattr(client, action.method)(action.path(obj), action.data(obj))
            assert response.status_code == 302 and response["Location"].startswith(login), action.name
            assert action.state(obj) == action.state(type(obj)._default_manager.get(pk=obj.pk))

    def test_pages_without_permission_are_403(self, client, request):
        obj = self._one(request)
        client.force_login(self.user(request, self.denied))
        if detail := self.detail_path(obj):
            assert client.get(detail).status_code == 200, "the denied user must see the object"
        before = self.count(obj)
        if create := self.create_path():
            assert client.get(create).status_code == 403
            assert client.post(create, self.create_data(request)).status_code == 403
        if edit := self.edit_path(obj):
            assert client.get(edit).status_code == 403
            assert client.post(edit, {}).status_code == 403
        for action in self.actions:
            old = action.state(obj)
            response = getattr(client, action.method)(action.path(obj), action.data(obj))
            assert response.status_code == 403, (action.name, response.status_code)
            assert action.state(type(obj)._default_manager.get(pk=obj.pk)) == old, action.name
        assert self.count(obj) == before

    def test_pages_in_scope_are_200(self, client, request):
        obj = self._one(request)
        client.force_login(self.user(request, self.allowed))
        if path := self.list_path():
            response = client.get(path, follow=True)
            assert response.status_code == 200 and self.shown(obj) in response.content.decode()
        if path := self.detail_path(obj):
            response = client.get(path)
            assert response.status_code == 200 and self.shown(obj) in response.content.decode()
        for path in (self.create_path(), self.edit_path(obj)):
            if path:
                assert client.get(path).status_code == 200, path
        if create := self.create_path():
            before = self.count(obj)
            response = client.post(create, self.create_data(request))
            assert response.status_code == 302, response.context and response.context["form"].errors
            assert self.count(obj) == before + 1
        for action in self.actions:
            old = action.state(obj)
            response = getattr(client, action.method)(action.path(obj), action.data(obj))
            assert response.status_code in (200, 302), (action.name, response.status_code)
            assert action.state(type(obj)._default_manager.get(pk=obj.pk)) != old, action.name

    def test_pages_out_of_scope_are_404(self, client, request):
        obj = self._one(request)
        client.force_login(self.user(request, self.outsider))
        for path in filter(None, (self.detail_path(obj), self.edit_path(obj))):
            assert client.get(path).status_code == 404, path
            assert client.post(path, {}).status_code == 404, path
        for action in self.actions:
            old = action.state(obj)
            response = getattr(client, action.method)(action.path(obj), action.data(obj))
            assert response.status_code == 404, (action.name, response.status_code)
            assert action.state(type(obj)._default_manager.get(pk=obj.pk)) == old, action.name
        if path := self.list_path():
            response = client.get(path, follow=True)
            assert self.shown(obj) not in response.content.decode()

    def test_list_page_costs_the_same_queries_for_3_or_30(self, client, request):
        if not self.list_path():
            pytest.skip("no list page")
        client.force_login(self.user(request, self.allowed))
        self._assert_constant(request, lambda: client.get(self.list_path(), follow=True))


class ApiPermissionTests(CastTests):
    """API operations: a list, a detail and write operations (signed in by session; tokens are tested in accounts)."""

    api_actions: tuple[Action, ...] = ()
    # The user allowed the API actions, when not the one allowed the reads.
    api_allowed: str | None = None
    api_denied: str | None = None

    def api_list(self) -> str | None:
        return None

    def api_detail(self, obj) -> str | None:
        return None

    def api_key(self, obj) -> object:
        """How the API names the object in its answers."""
        return obj.pk

    def _call(self, client, action: Action, obj):
        return getattr(client, action.method)(action.path(obj), action.data(obj), content_type="application/json")

    def _listed(self, client) -> list:
        response = client.get(self.api_list())
        assert response.status_code == 200
        return [row.get("id", row.get("code")) for row in response.json()]

    def test_api_without_credentials_is_401(self, client, request):
        obj = self._one(request)
        for path in filter(None, (self.api_list(), self.api_detail(obj))):
            assert client.get(path).status_code == 401, path
        for action in self.api_actions:
            old = action.state(obj)
            assert self._call(client, action, obj).status_code == 401, action.name
            assert action.state(type(obj)._default_manager.get(pk=obj.pk)) == old

    def test_api_without_permission_is_403(self, client, request):
        if not self.api_actions:
            pytest.skip("read-only API")
        obj = self._one(request)
        client.force_login(self.user(request, self.api_denied or self.denied))
        if detail := self.api_detail(obj):
            assert client.get(detail).status_code == 200, "the denied user must see the object"
        for action in self.api_actions:
            old = action.state(obj)
            response = self._call(client, action, obj)
            assert response.status_code == 403, (action.name, response.status_code, response.content[:200])
            assert action.state(type(obj)._default_manager.get(pk=obj.pk)) == old, action.name

    def test_api_in_scope_is_200(self, client, request):
        obj = self._one(request)
        client.force_login(self.user(request, self.allowed))
        if self.api_list():
            assert self.api_key(obj) in self._listed(client)
        if detail := self.api_detail(obj):
            assert client.get(detail).status_code == 200
        client.force_login(self.user(request, self.api_allowed or self.allowed))
        for action in self.api_actions:
            old = action.state(obj)
            response = self._call(client, action, obj)
            assert response.status_code in (200, 201), (action.name, response.status_code, response.content[:300])
            assert action.state(type(obj)._default_manager.get(pk=obj.pk)) != old, action.name

    def test_api_out_of_scope_is_404(self, client, request):
        obj = self._one(request)
        client.force_login(self.user(request, self.outsider))
        if self.api_list():
            assert self.api_key(obj) not in self._listed(client)
        if detail := self.api_detail(obj):
            response = client.get(detail)
            assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
        for action in self.api_actions:
            old = action.state(obj)
            response = self._call(client, action, obj)
            assert response.status_code == 404, (action.name, response.status_code)
            assert action.state(type(obj)._default_manager.get(pk=obj.pk)) == old, action.name

    def test_api_list_costs_the_same_queries_for_3_or_30(self, client, request):
        if not self.api_list():
            pytest.skip("no API list")
        client.force_login(self.user(request, self.allowed))
        self._assert_constant(request, lambda: client.get(self.api_list()))
