"""Issue #4's done-when check on the real demo: the demo buyer's muffler need DPO-2026-001 ("muffler assembly for
110cc scooter, 60,000 pcs/year, ISO 9001 required, delivery Cikarang") ranks Purbalingga exhaust makers on top,
not the Tegal metalworkers that weld, paint and hold ISO 9001 but make no exhausts (PT Mitra Karya Tegal, Las
Catur Presisi came second and third before the engine weighed a need's repeated part words and gated the fit
parts by relevance). Loads the whole demo (2,000 generated IKM plus the story's companies and needs: a few
seconds) and ranks with the programme's default weights, as ``jalin match DPO-2026-001`` does.
"""

from __future__ import annotations

import pytest

from jalin.companies.models import Company
from jalin.demo.loader import load_demo
from jalin.matching.engine.text import Analyzer
from jalin.matching.index import company_rows, rank_need, reset_index
from jalin.sourcing.models import Need

PURBALINGGA = "33.03"


@pytest.fixture
def demo(db):
    reset_index()
    load_demo()
    yield
    reset_index()


def test_the_muffler_need_ranks_purbalingga_exhaust_makers_first(demo):
    need = Need.objects.get(reference="DPO-2026-001")
    top = rank_need(need, top_k=10)
    assert len(top) == 10
    ids = [m.company_id for m in top]
    rows = {r.id: r for r in company_rows(Company.objects.filter(pk__in=ids))}
    analyzer = Analyzer()
    top3 = [rows[i] for i in ids[:3]]
    assert [r.region for r in top3] == [PURBALINGGA] * 3, [(r.name, r.region) for r in top3]
    assert all("exhaust" in analyzer.analyse(r.text).concepts for r in top3), [r.text for r in top3]
    # and no company that does not make exhausts in the top ten
    names = {rows[i].name: "exhaust" in analyzer.analyse(rows[i].text).concepts for i in ids}
    assert all(names.values()), names
    assert "PT Mitra Karya Tegal" not in names and "Las Catur Presisi" not in names
