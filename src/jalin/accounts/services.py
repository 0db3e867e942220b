"""Every write to users and organisations. Views, the API, the command line and the demo call these."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jalin.core.permissions import can
from jalin.core.roles import Role
from jalin.core.services import create_object, ensure_can, log_change, snapshot, update_object

from .models import Organisation, User

ORGANISATION_FIELDS = ("name", "kind", "region", "address", "email", "phone", "is_active")
USER_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "role",
    "organisation",
    "region_scope",
    "phone",
    "preferred_language",
    "is_active",
)


def _check_scope(actor, *, role: str, organisation: Organisation | None, region_scope) -> None:
    """A regional officer may only create or edit IKM users of organisations in its region."""
    if actor is None or actor.is_programme_officer:
        return
    if role != Role.IKM or organisation is None or not can(actor, "change", organisation):
        raise PermissionDenied(_("Regional officers manage only the IKM users of their region."))
    if region_scope is not None:
        raise PermissionDenied(_("Only programme officers give users a region scope."))


def _validate_role(*, role: str, organisation: Organisation | None, region_scope) -> None:
    if role == Role.REGIONAL_OFFICER and region_scope is None:
        raise ValidationError({"region_scope": _("A regional officer needs a province or regency to manage.")})
    if role in (Role.BUYER, Role.IKM) and organisation is None:
        raise ValidationError({"organisation": _("Buyer and IKM staff belong to an organisation.")})


@transaction.atomic
def create_organisation(*, actor, **fields) -> Organisation:
    if actor is not None and not actor.is_programme_officer:
        region = fields.get("region")
        scope = actor.region_scope
        if (
            actor.role != Role.REGIONAL_OFFICER
            or region is None
            or scope is None
            or not (region.code == scope.code or region.code.startswith(scope.code + "."))
        ):
            raise PermissionDenied(_("Regional officers add organisations only inside their region."))
    return create_object(Organisation, actor=actor, **fields)


def update_organisation(organisation: Organisation, *, actor, **fields) -> Organisation:
    return update_object(organisation, actor=actor, **fields)


@transaction.atomic
def create_user(*, actor, password: str | None = None, **fields) -> User:
    if actor is not None and not actor.is_officer:
        raise PermissionDenied(_("Only officers manage users."))
    _check_scope(
        actor,
        role=fields.get("role", Role.IKM),
        organisation=fields.get("organisation"),
        region_scope=fields.get("region_scope"),
    )
    _validate_role(
        role=fields.get("role", Role.IKM),
        organisation=fields.get("organisation"),
        region_scope=fields.get("region_scope"),
    )
    fields["email"] = User.objects.normalize_email(fields["email"]).lower()
    user = User(**fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    log_change(actor=actor, action="create", obj=user, before=None, after=snapshot(user))
    return user


@transaction.atomic
def update_user(user: User, *, actor, **fields) -> User:
    """Officers change anyone in their scope; a user changes only their own name, phone and language."""
    if actor is not None and actor.pk != user.pk:
        ensure_can(actor, "manage", user)
        _check_scope(
            actor,
            role=fields.get("role", user.role),
            organisation=fields.get("organisation", user.organisation),
            region_scope=fields.get("region_scope", user.region_scope),
        )
    elif actor is not None:
        forbidden = set(fields) - {"first_name", "last_name", "phone", "preferred_language"}
        if forbidden and not actor.is_programme_officer:
            raise PermissionDenied(_("You cannot change your own role, organisation or status."))
    if "email" in fields:
        fields["email"] = User.objects.normalize_email(fields["email"]).lower()
    merged = {
        "role": fields.get("role", user.role),
        "organisation": fields.get("organisation", user.organisation),
        "region_scope": fields.get("region_scope", user.region_scope),
    }
    _validate_role(**merged)
    return update_object(user, actor=actor, check=False, **fields)


@transaction.atomic
def set_password(user: User, *, actor, password: str) -> None:
    if actor is not None and actor.pk != user.pk:
        ensure_can(actor, "manage", user)
    user.set_password(password)
    user.save(update_fields=["password"])
    log_change(actor=actor, action="update", obj=user, before={"password": "…"}, after={"password": _("changed")})


@transaction.atomic
def replace_token(user: User, *, actor) -> str:
    """Give ``user`` a fresh API token (the old one stops working) and return its key."""
    from rest_framework.authtoken.models import Token

    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("Only the user can create their own API token."))
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    log_change(actor=actor, action="update", obj=user, before={"api_token": "…"}, after={"api_token": _("replaced")})
    return token.key


@transaction.atomic
def revoke_token(user: User, *, actor) -> None:
    from rest_framework.authtoken.models import Token

    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("Only the user can revoke their own API token."))
    if Token.objects.filter(user=user).delete()[0]:
        log_change(actor=actor, action="update", obj=user, before={"api_token": "…"}, after={"api_token": _("revoked")})
