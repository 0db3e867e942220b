"""Every write to the registry. Views, the API, imports, the command line and the demo call these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jalin.core.services import create_object, delete_object, ensure_can, log_change, snapshot, update_object

from .classification import enterprise_class, industry_class
from .models import Certification, Company, CompanyKind, Machine, Material, Plant, Process, Product, Verification
from .search import certification_token, material_token, process_token, province_token, region_token

#: What a complete profile has, with its weight and the advice shown when it is missing.
COMPLETENESS: list[tuple[str, int, object]] = [
    ("npwp", 8, gettext_lazy("Add the company's NPWP.")),
    ("kbli", 6, gettext_lazy("Add the KBLI codes of the business licence.")),
    ("address", 5, gettext_lazy("Add the factory address.")),
    ("coordinates", 4, gettext_lazy("Add the factory's coordinates so buyers can see the distance.")),
    ("workforce", 6, gettext_lazy("Add the number of workers (it decides the industry class).")),
    ("investment", 6, gettext_lazy("Add the investment value (it decides the industry class).")),
    ("turnover", 4, gettext_lazy("Add the annual turnover.")),
    ("products", 12, gettext_lazy("Describe the products the company makes.")),
    ("hs_codes", 5, gettext_lazy("Add the HS codes of the products.")),
    ("processes", 12, gettext_lazy("Pick the processes the factory can do (e.g. turning, casting, stamping).")),
    ("materials", 8, gettext_lazy("Pick the materials the factory works with.")),
    ("machines", 8, gettext_lazy("List the main machines with their count and capacity.")),
    ("capacity", 6, gettext_lazy("Add the monthly capacity.")),
    ("certifications", 6, gettext_lazy("Add certifications (ISO 9001, SNI, …) with their validity and evidence.")),
    ("contact", 4, gettext_lazy("Add a contact person with phone or e-mail.")),
]


@dataclass(slots=True)
class Related:
    """A company's related rows as :func:`derive` needs them. :func:`related_rows` reads them for a saved
    company; the bulk import and the demo generator, which hold them in memory, build them themselves.

    ``processes`` and ``materials`` are entries with an ``id`` (the models, or anything shaped like them), in any
    order; ``product_items`` have ``name``, ``hs_code`` and ``description``, in the order their words go into
    the search text (``Product``'s, by name)."""

    kbli: bool = False
    processes: Sequence[Process] = ()
    materials: Sequence[Material] = ()
    product_items: Sequence[Product] = ()
    machines: bool = False
    certifications: bool = False
    certification_types: Sequence[int] = ()  # the certifications' type ids, for the filter tokens


def related_rows(company: Company) -> Related:
    """What :func:`derive` needs of a company's related rows, read from the database (none when unsaved)."""
    if company.pk is None:
        return Related()
    types = list(company.certifications.values_list("certification_type_id", flat=True))
    return Related(
        kbli=company.kbli.exists(),
        processes=list(company.processes.all()),
        materials=list(company.materials.all()),
        product_items=list(company.product_items.all()),
        machines=company.machines.exists(),
        certifications=bool(types),
        certification_types=types,
    )


def _present(profile, related: Related) -> dict[str, bool]:
    """Which of the :data:`COMPLETENESS` items ``profile`` (a company, or anything with its fields) has."""
    items = related.product_items
    return {
        "npwp": bool(profile.npwp),
        "kbli": related.kbli,
        "address": bool(profile.address),
        "coordinates": profile.latitude is not None and profile.longitude is not None,
        "workforce": profile.workforce is not None,
        "investment": profile.investment is not None,
        "turnover": profile.turnover is not None,
        "products": bool(profile.products.strip()) or bool(items),
        "hs_codes": bool(profile.hs_codes) or any(p.hs_code for p in items),
        "processes": bool(related.processes),
        "materials": bool(related.materials),
        "machines": related.machines,
        "capacity": profile.monthly_capacity is not None,
        "certifications": related.certifications,
        "contact": bool(profile.contact_name and (profile.phone or profile.email)),
    }


_TOTAL_WEIGHT = sum(weight for _, weight, _ in COMPLETENESS)


def _score(present: dict[str, bool]) -> int:
    return round(100 * sum(weight for key, weight, _ in COMPLETENESS if present[key]) / _TOTAL_WEIGHT)


def completeness(company: Company, related: Related | None = None) -> tuple[int, list[str]]:
    """The profile-completeness score (0–100) and, most valuable first, what to add next."""
    present = _present(company, related or related_rows(company))
    missing = sorted((item for item in COMPLETENESS if not present[item[0]]), key=lambda item: -item[1])
    return _score(present), [str(advice) for _, _, advice in missing]


#: The fields :func:`derive` sets, in the order :meth:`Deriver.values` gives them.
DERIVED_FIELDS = (
    "industry_class",
    "industry_class_rule",
    "enterprise_class",
    "enterprise_class_rule",
    "completeness",
    "search_text",
    "filter_tokens",
)


class Deriver:
    """The fields computed from a company's others: size classes with their rules, completeness, search text
    and filter tokens. The one implementation behind :func:`derive` (a company at a time), the bulk import
    and the demo generator (a Deriver per run): what repeats from company to company is computed once — the
    score of each set of present items, each set of processes or materials with its tokens, each region's
    and certification type's tokens.

    The search text holds the company's own words (names, products, HS codes, NIB, regency), not those of its
    processes and materials: a search finds those through the taxonomy at query time
    (:class:`jalin.companies.search.CompanySearch`), so that an officer's edit of a synonym reaches every
    company at once."""

    def __init__(self):
        self._scores: dict[tuple, int] = {}
        self._taxonomies: dict[tuple, frozenset] = {}
        self._regions: dict[int, frozenset] = {}
        self._certifications: dict[int, str] = {}

    def values(self, profile, region, related: Related) -> tuple:
        """The :data:`DERIVED_FIELDS` of ``profile`` (a company, or anything with its fields) in ``region``
        (``None``, or anything with ``id``, ``name`` and ``parent_id``)."""
        ic = industry_class(profile.workforce, profile.investment)
        ec = enterprise_class(profile.business_capital, profile.turnover)
        present = _present(profile, related)
        key = tuple(present.values())
        score = self._scores.get(key)
        if score is None:
            score = self._scores[key] = _score(present)
        parts = [profile.legal_name, profile.brand_name, profile.products, profile.hs_codes, profile.nib]
        tokens = self._taxonomy(related.processes, process_token) | self._taxonomy(related.materials, material_token)
        if region is not None:
            parts.append(region.name)
            tokens |= self._region(region)
        for product in related.product_items:
            parts += [product.name, product.hs_code, product.description]
        if related.certification_types:
            tokens |= {self._certification(t) for t in related.certification_types}
        return (
            ic.size or "",
            ic.rule,
            ec.size or "",
            ec.rule,
            score,
            " ".join([p for p in parts if p]).replace(",", " "),
            " ".join(sorted(tokens)),
        )

    def __call__(self, company: Company, related: Related | None = None) -> None:
        """Set ``company``'s derived fields; ``related`` defaults to :func:`related_rows`."""
        region = company.region if company.region_id else None
        (
            company.industry_class,
            company.industry_class_rule,
            company.enterprise_class,
            company.enterprise_class_rule,
            company.completeness,
            company.search_text,
            company.filter_tokens,
        ) = self.values(company, region, related if related is not None else related_rows(company))  # DERIVED_FIELDS

    def _taxonomy(self, entries, token) -> frozenset:
        """The filter tokens of ``entries``."""
        if not entries:
            return frozenset()
        key = (token, frozenset(e.id for e in entries))
        found = self._taxonomies.get(key)
        if found is None:
            found = self._taxonomies[key] = frozenset(token(i) for i in key[1])
        return found

    def _region(self, region) -> frozenset:
        found = self._regions.get(region.id)
        if found is None:
            tokens = {region_token(region.id)}
            if region.parent_id is not None:
                tokens.add(province_token(region.parent_id))
            found = self._regions[region.id] = frozenset(tokens)
        return found

    def _certification(self, type_id: int) -> str:
        found = self._certifications.get(type_id)
        if found is None:
            found = self._certifications[type_id] = certification_token(type_id)
        return found


def derive(company: Company, related: Related | None = None) -> None:
    """Set the fields computed from others (:class:`Deriver`); ``related`` defaults to reading them."""
    Deriver()(company, related)


def _refresh(company: Company) -> None:
    derive(company)
    Company.objects.filter(pk=company.pk).update(
        industry_class=company.industry_class,
        industry_class_rule=company.industry_class_rule,
        enterprise_class=company.enterprise_class,
        enterprise_class_rule=company.enterprise_class_rule,
        completeness=company.completeness,
        search_text=company.search_text,
        filter_tokens=company.filter_tokens,
        updated=timezone.now(),  # update() skips auto_now: child-row edits must reach the matching index
    )


def _check_region(actor, region) -> None:
    """A regional officer registers companies only inside its own region."""
    if actor is None or actor.is_programme_officer:
        return
    scope = actor.region_scope
    if region is None or scope is None or not (region.code == scope.code or region.code.startswith(scope.code + ".")):
        raise PermissionDenied(_("Regional officers register companies only inside their region."))


@transaction.atomic
def create_company(*, actor, **fields) -> Company:
    _check_region(actor, fields.get("region"))
    fields.setdefault("kind", CompanyKind.IKM)
    company = create_object(Company, actor=actor, **fields)
    _refresh(company)
    return company


@transaction.atomic
def update_company(company: Company, *, actor, **fields) -> Company:
    if "region" in fields and fields["region"] != company.region:
        _check_region(actor, fields["region"])
    for protected in ("verification", "verified_by", "verified_at"):
        fields.pop(protected, None)  # only verify_company() changes these
    company = update_object(company, actor=actor, **fields)
    _refresh(company)
    return company


@transaction.atomic
def verify_company(company: Company, *, actor, verified: bool = True) -> Company:
    ensure_can(actor, "verify", company)
    before = snapshot(company)
    if verified:
        company.verification, company.verified_by, company.verified_at = Verification.VERIFIED, actor, timezone.now()
    else:
        company.verification, company.verified_by, company.verified_at = Verification.SELF_DECLARED, None, None
    company.save(update_fields=["verification", "verified_by", "verified_at", "updated"])
    log_change(actor=actor, action="update", obj=company, before=before, after=snapshot(company))
    return company


@transaction.atomic
def delete_company(company: Company, *, actor) -> None:
    delete_object(company, actor=actor)


# Rows that belong to a company (certifications, machines, products, plants) are changed by whoever
# may change the company, and each write is logged against the row itself.
CHILD_MODELS = {"certification": Certification, "machine": Machine, "product": Product, "plant": Plant}


@transaction.atomic
def save_child(model, *, actor, company: Company, instance=None, **fields):
    ensure_can(actor, "change", company)
    if instance is None:
        obj = create_object(model, actor=actor, check=False, company=company, **fields)
    else:
        if instance.company_id != company.pk:
            raise PermissionDenied(_("You do not have permission to do this."))
        obj = update_object(instance, actor=actor, check=False, **fields)
    _refresh(company)
    return obj


@transaction.atomic
def delete_child(instance, *, actor) -> None:
    company = instance.company
    ensure_can(actor, "change", company)
    delete_object(instance, actor=actor, check=False)
    _refresh(company)
