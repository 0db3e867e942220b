"""``{% filter_select %}`` (core.templatetags.filter_bar): one labelled select for every list's filter bar."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from jalin.companies.models import Process

pytestmark = pytest.mark.usefixtures("english")


def render(source: str, **context) -> str:
    return Template("{% load i18n filter_bar %}" + source).render(Context(context))


def test_pairs_with_the_selected_value_and_an_all_option():
    html = render(
        '{% filter_select "status" _("Status") statuses chosen all_label=_("All statuses") %}',
        statuses=[("open", "Open"), ("closed", "Closed")],
        chosen="closed",
    )
    assert '<label for="filter-status">Status</label>' in html
    assert '<select id="filter-status" name="status">' in html
    assert '<option value="">All statuses</option>' in html
    assert '<option value="open">Open</option>' in html
    assert '<option value="closed" selected>Closed</option>' in html


def test_taxonomy_items_give_their_code_and_numbers_match_their_text(db):
    casting = Process.objects.get(code="casting")
    html = render('{% filter_select "process" "Process" items "casting" %}', items=[casting])
    assert f'<option value="casting" selected>{casting}</option>' in html
    assert 'value=""' not in html  # no "all" option unless asked for
    years = render('{% filter_select "year" "Year" years "2019" %}', years=[2018, 2019])
    assert '<option value="2019" selected>2019</option>' in years
    assert '<option value="2018">2018</option>' in years


def test_instances_without_a_code_give_their_key_and_the_id_may_differ_from_the_name(people):
    user = people["buyer"]
    html = render(
        '{% filter_select "buyer" "Buyer" users selected field_id="buyer-main" %}',
        users=[user, people["owner"]],
        selected=user.pk,  # a number, compared with the option's text
    )
    assert f'<option value="{user.pk}" selected>' in html
    assert f'<option value="{people["owner"].pk}">' in html
    assert '<select id="filter-buyer-main" name="buyer">' in html


def test_text_is_escaped():
    html = render('{% filter_select "q" "Q" items "" %}', items=[("<x>", "<b>bold</b>")])
    assert "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
