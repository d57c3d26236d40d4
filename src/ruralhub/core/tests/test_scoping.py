import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from ruralhub.accounts.models import Organisation
from ruralhub.core.scoping import get_visible_or_404, may
from ruralhub.regions.models import Division
from ruralhub.testing import make_organisation


def test_the_county_office_sees_the_whole_county(county_office):
    assert Division.objects.visible_to(county_office).count() == 235


def test_a_township_officer_sees_the_township_and_its_villages(township_officer, dazhe):
    visible = Division.objects.visible_to(township_officer)
    assert visible.count() == 1 + dazhe.children.count()
    assert set(visible.values_list("code", flat=True)) == set(
        Division.objects.within("331123105").values_list("code", flat=True)
    )


def test_the_division_filter_is_a_prefix_match_on_the_key_without_a_join(township_officer):
    sql = str(Organisation.objects.visible_to(township_officer).query)
    assert "JOIN" not in sql and "division_id" in sql


def test_organisation_roles_see_their_own_organisation(station_operator, station_host, dazhe_village):
    make_organisation(dazhe_village, name="同村另一家")
    assert list(Organisation.objects.visible_to(station_operator)) == [station_host]
    # and, having no organisation link, divisions fall back to the operator's village
    assert list(Division.objects.visible_to(station_operator)) == [dazhe_village]


@pytest.mark.django_db
def test_anonymous_users_see_nothing(suichang):
    assert not Division.objects.visible_to(AnonymousUser()).exists()


def test_changing_needs_the_roles_permission_as_well_as_scope(finance_audit, county_office, station_host):
    assert Organisation.objects.visible_to(finance_audit).count() == 1
    assert not Organisation.objects.visible_to(finance_audit, "change").exists()
    assert Organisation.objects.visible_to(county_office, "change").count() == 1
    assert not may(finance_audit, Organisation, "add") and may(county_office, Organisation, "add")


def test_out_of_scope_lookups_are_404_like_missing_ones(other_township_officer, station_host):
    with pytest.raises(Http404):
        get_visible_or_404(Organisation, other_township_officer, pk=station_host.pk)
    with pytest.raises(Http404):
        get_visible_or_404(Organisation, other_township_officer, pk=999999)
    with pytest.raises(Http404):
        get_visible_or_404(Organisation, other_township_officer, pk="not-a-number")


def test_an_unknown_action_is_a_programming_error(county_office):
    with pytest.raises(ValueError):
        Division.objects.visible_to(county_office, "approve")


def test_require_answers_403_in_scope_and_404_out_of_scope(finance_audit, other_township_officer, station_host):
    from django.core.exceptions import PermissionDenied

    from ruralhub.core.scoping import SYSTEM, require

    with pytest.raises(PermissionDenied, match="您没有登记单位的权限"):  # the role lacks the action altogether
        require(finance_audit, Organisation, "add")
    with pytest.raises(PermissionDenied, match="您没有修改单位的权限"):  # seen (the whole county), not changeable
        require(finance_audit, station_host, "change")
    with pytest.raises(Http404):  # another township: as if it did not exist
        require(other_township_officer, station_host, "view")
    assert require(SYSTEM, station_host, "change") is station_host


def test_a_role_permission_check_reads_no_permission_rows(county_office, django_assert_num_queries):
    # Roles grant permissions; per-user and group permission rows are never read (two queries a page saved).
    from ruralhub.accounts.models import User

    user = User.objects.get(pk=county_office.pk)
    with django_assert_num_queries(0):
        assert user.has_perm("network.change_station")
        assert not user.has_perm("network.accept_nothing")
