"""N+1 guards: every list page and endpoint answers in the same number of queries for 1 and 3 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jalin.accounts import services
from jalin.core.roles import Role
from tests.conftest import make_org


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_rows(start, stop, officer):
    for i in range(start, stop):
        org = make_org(f"CV Uji {i}", "ikm", "33.28")
        services.create_user(actor=None, email=f"uji{i}@test.id", role=Role.IKM, organisation=org)
        services.update_organisation(org, actor=officer, address=f"Jl. {i}")


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/organisations/",
        "/accounts/users/",
        "/changes/",
        "/api/organisations/",
        "/regions/",
        "/api/regions/",
        "/jobs/",
    ],
)
def test_list_queries_do_not_grow(client, officer, url):
    client.force_login(officer)
    add_rows(0, 1, officer)
    one = count_queries(client, url)
    add_rows(1, 3, officer)
    three = count_queries(client, url)
    assert one == three, f"{url}: {one} queries for 1 row, {three} for 3"
