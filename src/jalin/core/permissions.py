"""Object-level permissions as a queryset method, with role scopes as data.

Every model that users reach declares an :class:`AccessPolicy`: for each action (``view``,
``change``, ``delete``, ``add`` …) and each role, the *scopes* that grant it. A scope is one of

- ``all``     — every row;
- ``own``     — rows that belong to the user's organisation (``organisation_field``);
- ``region``  — rows located inside the regional officer's province or regency (``region_field``);
- ``public``  — rows the policy's ``public`` filter admits (e.g. verified profiles);
- ``self``    — the user's own row (for the user model, ``self_field``).

``Model.objects.restrict(user, action)`` turns the policy into one ``WHERE`` clause, so list pages,
detail pages, the API and exports all ask the same question the same way. Superusers see all;
anonymous and inactive users see nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

ALL = "all"
OWN = "own"
REGION = "region"
PUBLIC = "public"
SELF = "self"
SCOPES = frozenset({ALL, OWN, REGION, PUBLIC, SELF})


@dataclass(frozen=True)
class AccessPolicy:
    rules: Mapping[str, Mapping[str, Sequence[str]]]
    organisation_field: str | None = None
    region_field: str | None = None
    self_field: str | None = None
    public: Callable[[], Q] | None = None
    extra: Mapping[str, Callable[[object], Q]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for action, by_role in self.rules.items():
            for role, scopes in by_role.items():
                unknown = set(scopes) - SCOPES - set(self.extra)
                if unknown:
                    raise ValueError(f"Unknown scope(s) {sorted(unknown)} for {role}/{action}.")

    def scopes_for(self, role: str, action: str) -> Sequence[str]:
        return self.rules.get(action, {}).get(role, ())

    def q_for(self, user, action: str) -> Q | None:
        """The filter granting ``action`` to ``user``; ``None`` means nothing is granted."""
        q: Q | None = None
        for scope in self.scopes_for(user.role, action):
            part = self._scope_q(user, scope)
            if part is None:
                continue
            if scope == ALL:
                return Q()
            q = part if q is None else q | part
        return q

    def _scope_q(self, user, scope: str) -> Q | None:
        if scope == ALL:
            return Q()
        if scope == OWN:
            if not self.organisation_field or not user.organisation_id:
                return None
            return Q(**{self.organisation_field: user.organisation_id})
        if scope == REGION:
            if not self.region_field or not user.region_scope_id:
                return None
            code = user.region_scope.code
            return Q(**{f"{self.region_field}__code": code}) | Q(
                **{f"{self.region_field}__code__startswith": code + "."}
            )
        if scope == PUBLIC:
            return self.public() if self.public else None
        if scope == SELF:
            return Q(**{self.self_field or "pk": user.pk})
        return self.extra[scope](user)


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        policy: AccessPolicy | None = getattr(self.model, "access_policy", None)
        if policy is None:
            raise TypeError(f"{self.model.__name__} declares no access_policy.")
        q = policy.q_for(user, action)
        if q is None:
            return self.none()
        return self.filter(q)


def can(user, action: str, obj: models.Model) -> bool:
    """Whether ``user`` may perform ``action`` on ``obj``: the same question as ``restrict``."""
    return obj._meta.model._default_manager.filter(pk=obj.pk).restrict(user, action).exists()


def annotate_can(queryset: RestrictedQuerySet, user, action: str, name: str) -> RestrictedQuerySet:
    """Annotate each row with whether ``user`` may ``action`` it, in the same query (no N+1)."""
    from django.db.models import BooleanField, Case, Value, When

    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return queryset.annotate(**{name: Value(True, output_field=BooleanField())})
    policy = queryset.model.access_policy
    q = policy.q_for(user, action) if user is not None and user.is_authenticated and user.is_active else None
    if q is None:
        return queryset.annotate(**{name: Value(False, output_field=BooleanField())})
    if not q:  # Q() grants all
        return queryset.annotate(**{name: Value(True, output_field=BooleanField())})
    return queryset.annotate(
        **{name: Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())}
    )


def can_add(user, model: type[models.Model]) -> bool:
    """Whether ``user`` may create rows of ``model`` at all (the ``add`` rule names any scope)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(model.access_policy.scopes_for(user.role, "add"))
