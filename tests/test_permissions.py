import pytest

from jalin.accounts.models import Organisation, User
from jalin.core.permissions import AccessPolicy, can, can_add
from jalin.core.roles import Role


def test_policy_rejects_unknown_scope():
    with pytest.raises(ValueError, match="Unknown scope"):
        AccessPolicy(rules={"view": {Role.IKM: ["everyone"]}})


def test_anonymous_and_inactive_see_nothing(owner, own_org):
    from django.contrib.auth.models import AnonymousUser

    assert not Organisation.objects.restrict(AnonymousUser(), "view").exists()
    owner.is_active = False
    assert not Organisation.objects.restrict(owner, "view").exists()


def test_model_without_policy_refuses(owner):
    from django.contrib.contenttypes.models import ContentType

    from jalin.core.permissions import RestrictedQuerySet

    qs = RestrictedQuerySet(model=ContentType)
    with pytest.raises(TypeError, match="no access_policy"):
        qs.restrict(owner, "view")


def test_scopes(people, own_org, other_org, buyer_org):
    changeable = {
        name: set(Organisation.objects.restrict(u, "change").values_list("name", flat=True))
        for name, u in people.items()
        if u is not None
    }
    assert {"PT Logam Tegal", "CV Cor Klaten", "PT Pembeli Otomotif"} <= changeable["officer"]
    assert "PT Logam Tegal" in changeable["regional"] and "CV Cor Klaten" not in changeable["regional"]
    assert "CV Cor Klaten" in changeable["regional_other"] and "PT Logam Tegal" not in changeable["regional_other"]
    assert changeable["owner"] == changeable["colleague"] == {"PT Logam Tegal"}
    assert changeable["outsider"] == {"CV Cor Klaten"}
    assert changeable["buyer"] == {"PT Pembeli Otomotif"}


def test_private_fields_only_for_owner_and_officers(people, own_org):
    allowed = {name for name, u in people.items() if u is not None and can(u, "view_private", own_org)}
    assert allowed == {"officer", "regional", "owner", "colleague"}


def test_province_scope_covers_its_regencies(db, own_org):
    from tests.conftest import make_user

    central_java = make_user("prov@test.id", Role.REGIONAL_OFFICER, None, scope="33")
    assert can(central_java, "change", own_org)  # 33.28 lies in province 33


def test_superuser_sees_all(own_org, other_org):
    root = User.objects.create_superuser(email="root@test.id", password="x-long-password-1")
    assert Organisation.objects.restrict(root, "delete").count() == Organisation.objects.count()
    assert can_add(root, Organisation)


def test_user_visibility(people):
    visible = {u.email for u in User.objects.restrict(people["owner"], "view")}
    assert visible == {"owner@test.id", "colleague@test.id"}
    assert {u.email for u in User.objects.restrict(people["regional"], "manage")} == {
        "owner@test.id",
        "colleague@test.id",
    }
