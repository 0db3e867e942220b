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
from .search import filter_tokens

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


@dataclass(frozen=True)
class Related:
    """A company's related rows as :func:`derive` needs them, for callers that already hold them in memory
    (the bulk import); without it, derive() reads them from the database."""

    kbli: bool = False
    processes: Sequence[Process] = ()
    materials: Sequence[Material] = ()
    product_items: Sequence[Product] = ()
    machines: bool = False
    certifications: bool = False
    certification_types: Sequence[int] = ()  # the certifications' type ids, for the filter tokens


def _present(company: Company, related: Related | None = None) -> dict[str, bool]:
    saved = company.pk is not None
    r = related
    return {
        "npwp": bool(company.npwp),
        "kbli": r.kbli if r else saved and company.kbli.exists(),
        "address": bool(company.address),
        "coordinates": company.latitude is not None and company.longitude is not None,
        "workforce": company.workforce is not None,
        "investment": company.investment is not None,
        "turnover": company.turnover is not None,
        "products": bool(company.products.strip())
        or (bool(r.product_items) if r else saved and company.product_items.exists()),
        "hs_codes": bool(company.hs_codes)
        or (
            any(p.hs_code for p in r.product_items)
            if r
            else saved and company.product_items.exclude(hs_code="").exists()
        ),
        "processes": bool(r.processes) if r else saved and company.processes.exists(),
        "materials": bool(r.materials) if r else saved and company.materials.exists(),
        "machines": r.machines if r else saved and company.machines.exists(),
        "capacity": company.monthly_capacity is not None,
        "certifications": r.certifications if r else saved and company.certifications.exists(),
        "contact": bool(company.contact_name and (company.phone or company.email)),
    }


def _score(present: dict[str, bool]) -> int:
    total = sum(weight for _, weight, _ in COMPLETENESS)
    return round(100 * sum(weight for key, weight, _ in COMPLETENESS if present[key]) / total)


def completeness(company: Company, related: Related | None = None) -> tuple[int, list[str]]:
    """The profile-completeness score (0–100) and, most valuable first, what to add next."""
    present = _present(company, related)
    missing = sorted((item for item in COMPLETENESS if not present[item[0]]), key=lambda item: -item[1])
    return _score(present), [str(advice) for _, _, advice in missing]


def _taxonomies(company: Company, related: Related | None) -> tuple[Sequence[Process], Sequence[Material]]:
    if related is not None:
        return related.processes, related.materials
    if company.pk is not None:
        return list(company.processes.all()), list(company.materials.all())
    return (), ()


def search_text(company: Company, related: Related | None = None, taxonomies=None) -> str:
    parts = [company.legal_name, company.brand_name, company.products, company.hs_codes, company.nib]
    if company.region_id:
        parts.append(company.region.name)
    processes, materials = taxonomies if taxonomies is not None else _taxonomies(company, related)
    if related is not None:
        products = related.product_items
    elif company.pk is not None:
        products = company.product_items.all()
    else:
        products = ()
    for taxonomy in (*processes, *materials):
        parts += [taxonomy.name_id, taxonomy.name_en, taxonomy.synonyms]
    for product in products:
        parts += [product.name, product.hs_code, product.description]
    return " ".join(p for p in parts if p).replace(",", " ")


def company_filter_tokens(company: Company, related: Related | None = None, taxonomies=None) -> str:
    """``Company.filter_tokens`` (see ``companies.search``): region, province, processes, materials and the
    types of its certifications, by id."""
    processes, materials = taxonomies if taxonomies is not None else _taxonomies(company, related)
    if related is not None:
        types = related.certification_types
    elif company.pk is not None:
        types = company.certifications.values_list("certification_type_id", flat=True)
    else:
        types = ()
    return filter_tokens(
        region_id=company.region_id,
        province_id=company.region.parent_id if company.region_id else None,
        process_ids=[p.pk for p in processes],
        material_ids=[m.pk for m in materials],
        certification_type_ids=types,
    )


def derive(company: Company, related: Related | None = None) -> None:
    """Set the fields computed from others: size classes with their rules, completeness, search text and
    filter tokens."""
    ic = industry_class(company.workforce, company.investment)
    ec = enterprise_class(company.business_capital, company.turnover)
    company.industry_class, company.industry_class_rule = ic.size or "", ic.rule
    company.enterprise_class, company.enterprise_class_rule = ec.size or "", ec.rule
    company.completeness = _score(_present(company, related))
    taxonomies = _taxonomies(company, related)  # read once for both
    company.search_text = search_text(company, related, taxonomies)
    company.filter_tokens = company_filter_tokens(company, related, taxonomies)


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
