"""The authorisation matrix: every route × every named user, allowed or denied, and a denied request
changes nothing.

A later app adds its routes as :class:`Case` rows and calls :func:`assert_matrix`::

    assert_matrix(client_for, people, [
        Case("company detail", lambda o: f"/companies/{o['own'].pk}/", allowed={"officer", "owner"}),
        Case("company edit", lambda o: ..., method="post", data=lambda o: {...}, allowed={...}),
    ], objects={...}, watch=[Company])

Each case runs inside a rolled-back savepoint, so an allowed write does not leak into the next user's
case. A denied case must answer 403 or 404 (anonymous: a redirect to the sign-in page, or 401/403 for
the API) and must leave every watched table exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction

from jalin.core.models import ObjectChange

ALLOWED_STATUS = {200, 201, 204, 302}
DENIED_STATUS = {401, 403, 404}


@dataclass(frozen=True)
class Case:
    label: str
    url: Callable[[dict], str]
    allowed: frozenset[str] | set[str]
    method: str = "get"
    data: Callable[[dict], dict] | None = None
    content_type: str | None = None  # "application/json" for API writes
    allowed_status: frozenset[int] = field(default=frozenset(ALLOWED_STATUS))


def fingerprint(watch: Iterable[type[models.Model]]) -> dict[str, list[dict]]:
    volatile = {"last_login"}
    data = {}
    for model in [*watch, ObjectChange]:
        rows = list(model._default_manager.order_by("pk").values())
        data[model._meta.label] = [{k: v for k, v in row.items() if k not in volatile} for row in rows]
    return data


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response.get("Location", "")


def assert_matrix(
    client_for, people: dict, cases: list[Case], *, objects: dict, watch: Iterable[type[models.Model]]
) -> int:
    """Run every case for every person; raise one AssertionError listing every mismatch."""
    watch = list(watch)
    failures: list[str] = []
    checked = 0
    for case in cases:
        for name, user in people.items():
            url = case.url(objects)
            data = case.data(objects) if case.data else None
            with transaction.atomic():
                before = fingerprint(watch)
                client = client_for(user)
                kwargs = {"content_type": case.content_type} if case.content_type else {}
                response = (
                    getattr(client, case.method)(url, data, **kwargs)
                    if data is not None
                    else getattr(client, case.method)(url, **kwargs)
                )
                status = response.status_code
                expect_allowed = name in case.allowed
                if expect_allowed:
                    if status not in case.allowed_status or _is_login_redirect(response):
                        failures.append(
                            f"{case.label} [{case.method.upper()} {url}] as {name}: expected allowed, got {status}"
                        )
                else:
                    denied = status in DENIED_STATUS or (user is None and _is_login_redirect(response))
                    if not denied:
                        failures.append(
                            f"{case.label} [{case.method.upper()} {url}] as {name}: expected denied, got {status}"
                        )
                    elif fingerprint(watch) != before:
                        failures.append(
                            f"{case.label} [{case.method.upper()} {url}] as {name}: denied, but the database changed"
                        )
                transaction.set_rollback(True)
            checked += 1
    assert not failures, "Authorisation matrix mismatches:\n  " + "\n  ".join(failures)
    return checked
