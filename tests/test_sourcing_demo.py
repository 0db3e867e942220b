"""The demo needs: realistic, idempotent by reference, written through the services."""

from __future__ import annotations

from collections import Counter

from jalin.core.models import ObjectChange
from jalin.demo.loader import load_demo
from jalin.sourcing.demo import NEEDS, load_demo_needs
from jalin.sourcing.models import Need


def test_demo_needs_are_idempotent_and_varied(db):
    messages = []
    load_demo(messages.append, companies=0)  # the demo loader runs load_demo_needs as an extension
    assert f"demo needs: {len(NEEDS)} created" in messages and 8 <= len(NEEDS) <= 15
    assert Need.objects.count() == len(NEEDS)
    logged = ObjectChange.objects.filter(content_type__model="need").count()
    again = load_demo_needs()
    assert again.created == 0 and again.existing == len(NEEDS)
    assert ObjectChange.objects.filter(content_type__model="need").count() == logged

    statuses = Counter(Need.objects.values_list("status", flat=True))
    assert statuses["draft"] == 1 and statuses["awarded"] == 1 and statuses["open"] >= 6
    assert Need.objects.filter(visibility="invitation").count() == 2
    buyers = Counter(Need.objects.values_list("buyer__legal_name", flat=True))
    assert set(buyers) == {
        "PT Dharma Polimetal",
        "PT Mada Wikri Tunggal",
        "PT United Tractors Pandu Engineering (PATRIA)",
    }
    muffler = Need.objects.get(reference="DPO-2026-001")
    assert muffler.delivery_plant.name == "Plant Cikarang" and muffler.annual_volume == 60_000
    assert list(muffler.required_certifications.values_list("code", flat=True)) == ["iso-9001"]
    assert muffler.imported and muffler.annual_import_value > 0 and muffler.target_price == 185_000
    assert Need.objects.get(reference="PATRIA-2026-004").delivery_plant.name == "Workshop Balikpapan"
    assert all(n.processes.exists() and n.materials.exists() for n in Need.objects.all())
    assert not Need.objects.filter(imported=True, annual_import_value__isnull=True).exists()


def test_demo_needs_skip_missing_buyers(db):
    result = load_demo_needs()
    assert result.created == 0 and result.skipped == len(NEEDS) and not Need.objects.exists()
