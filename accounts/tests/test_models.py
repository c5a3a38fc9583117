import pytest
from django.db import IntegrityError

from accounts.models import Role
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.OFFICE_STAFF, Role.OFFICE_SUPERVISOR])
def test_office_roles_need_an_office(role):
    with pytest.raises(IntegrityError):
        UserFactory(role=role, office=None)


@pytest.mark.parametrize("role", [Role.BUREAU_VIEWER, Role.BUREAU_ADMIN])
def test_bureau_roles_have_no_office(role, office_a):
    with pytest.raises(IntegrityError):
        UserFactory(role=role, office=office_a)


def test_role_properties(staff_a, supervisor_a, bureau_viewer, bureau_admin):
    assert not staff_a.is_bureau and not staff_a.is_supervisor
    assert supervisor_a.is_supervisor and not supervisor_a.is_bureau
    assert bureau_viewer.is_bureau and not bureau_viewer.is_bureau_admin
    assert bureau_admin.is_bureau and bureau_admin.is_bureau_admin


def test_a_parent_office_user_works_with_its_units_and_a_unit_user_with_the_unit_only(
    office_a, unit_a, staff_a
):
    unit_staff = UserFactory(username="unit_staff", role=Role.OFFICE_STAFF, office=unit_a)

    assert set(staff_a.office_scope_ids()) == {office_a.pk, unit_a.pk}
    assert unit_staff.office_scope_ids() == [unit_a.pk]
    assert staff_a.can_see_office(unit_a)
    assert not unit_staff.can_see_office(office_a)


def test_createsuperuser_makes_a_bureau_admin():
    from accounts.models import User

    user = User.objects.create_superuser("root", "root@example.gov.hk", "a-long-password-1")
    assert user.role == Role.BUREAU_ADMIN and user.office is None
