from django.core.management import call_command

from jalin.accounts.models import Organisation, User
from jalin.core.models import ObjectChange
from jalin.core.roles import Role


def counts():
    return Organisation.objects.count(), User.objects.count(), ObjectChange.objects.count()


def test_demo_is_idempotent(db, capsys):
    call_command("demo", "--companies", "50")
    first = counts()
    out = capsys.readouterr().out
    assert "officer@jalin.demo" in out and "ikm@jalin.demo" in out
    call_command("demo", "--companies", "50", "--quiet")
    assert counts() == first
    assert "0 records created" in capsys.readouterr().out


def test_demo_story(db):
    call_command("demo", "--companies", "50", "--quiet")
    tegal_ikm = Organisation.objects.filter(kind="ikm", region__code="33.28").values_list("name", flat=True)
    assert {"PT Sadiyah Cahaya Logam", "PT Mitra Karya Tegal", "PT Gaya Teknik Logam"} <= set(tegal_ikm)
    assert Organisation.objects.filter(name="PT United Tractors Pandu Engineering (PATRIA)", kind="buyer").exists()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.get(email="dinas.tegal@jalin.demo").region_scope.code == "33.28"
