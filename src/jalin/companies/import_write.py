"""The write side of a company import: building companies and certifications fast, their change-log
snapshots and rows, and what existing companies already have. Used by :mod:`jalin.companies.importer`."""

from __future__ import annotations

import datetime
import json
import operator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from jalin.core.middleware import current_request_id
from jalin.core.models import ObjectChange
from jalin.core.services import SECRET_FIELDS, change_label

from . import services
from .import_cells import Lookups
from .models import Certification, Company, Machine, Product

M2M = ("kbli", "processes", "materials")


@dataclass
class Plan:
    creates: list = field(default_factory=list)  # (company, m2m)
    updates: list = field(default_factory=list)  # (company, before, after, changed fields)
    cert_creates: list = field(default_factory=list)
    cert_updates: list = field(default_factory=list)  # (certification, before)
    refreshes: list = field(default_factory=list)  # (company, derived fields the change log omits)


class Snapshot:
    """:func:`jalin.core.services.snapshot` compiled for one model: the same keys and values (a test holds
    the two equal) without the per-object many-to-many queries (the import passes the ids it holds) and at
    a fraction of the cost per row. :meth:`json_many` writes the snapshots' JSON text directly."""

    def __init__(self, model):
        exclude = SECRET_FIELDS | set(getattr(model, "changelog_exclude", ()))
        fields = [f for f in model._meta.concrete_fields if f.name not in exclude and not getattr(f, "auto_now", False)]
        self.names = [f.name for f in fields]
        self.attnames = [f.attname for f in fields]
        self.read = operator.itemgetter(*self.attnames)  # one C-level call instead of a descriptor per field
        plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.FloatField)
        self.files = [f.name for f in fields if isinstance(f, models.FileField)]
        self.convert = [
            f.name
            for f in fields
            if not isinstance(f.target_field if f.is_relation else f, plain) and f.name not in self.files
        ]
        self.files_at = [self.names.index(name) for name in self.files]
        dates = (models.DateField, models.TimeField)  # DateTimeField is a DateField
        self.dates_at = [i for i, f in enumerate(fields) if isinstance(f, dates) and f.name in self.convert]
        self.templates: dict[tuple, str] = {}  # many-to-many names → JSON with a %s for each value

    def __call__(self, obj, m2m: dict[str, list[int]]) -> dict:
        try:
            values = self.read(obj.__dict__)
        except KeyError:  # a deferred field
            values = [getattr(obj, a) for a in self.attnames]
        data = dict(zip(self.names, values, strict=True))
        for name in self.convert:  # decimals, dates, UUIDs; text and numbers are JSON as they are
            value = data[name]
            if value is not None and type(value) not in _JSON_AS_IS:
                data[name] = _json_value(value)
        for name in self.files:
            data[name] = _file_name(data[name])
        for name, ids in m2m.items():
            data[name] = sorted(ids)
        return data

    def json_many(self, items: list[tuple]) -> list[str]:
        """``[json.dumps(self(obj, m2m)) for obj, m2m in items]``: the same texts (a test holds them equal), at
        a third of the cost, for items that all have the same many-to-many names (each batch's new
        companies, or certifications).

        Instead of a dictionary per object for the JSON encoder, the field values of all the objects go
        through it as one flat list (dates converted here, decimals and UUIDs by its ``default``, as
        :meth:`__call__` converts them) with NUL between the items, which occurs nowhere else in the output
        (the encoder escapes control characters in strings), and the many-to-many lists as one list of
        lists; the pieces then fill a template of the keys, repeated for every object, in one formatting
        operation. Should the pieces not come out one per value (a value that is itself a list or a
        dictionary), or the items differ in their many-to-many names, each object goes through
        ``json.dumps`` after all."""
        if not items:
            return []
        names = tuple(items[0][1])
        flat: list = []
        lists: list = []
        read, dates, files = self.read, self.dates_at, self.files_at
        last = last_text = None  # the same time stamp (created) on every object: written once
        try:
            for obj, m2m in items:
                if dates or files:
                    values = list(read(obj.__dict__))
                    for i in dates:
                        value = values[i]
                        if value is not None:
                            if value is not last:
                                last, last_text = value, value.isoformat()
                            values[i] = last_text
                    for i in files:
                        values[i] = _file_name(values[i])
                    flat += values
                else:
                    flat += read(obj.__dict__)
                if tuple(m2m) != names:
                    raise LookupError
                lists += map(sorted, m2m.values())
        except (LookupError, AttributeError):  # a deferred field, not a date in a date field, other names
            return [json.dumps(self(obj, m2m)) for obj, m2m in items]
        # str(): decimals and UUIDs as _json_value() writes them.
        pieces = json.dumps(flat, separators=("\x00", ": "), default=str)[1:-1].split("\x00")
        linked = json.dumps(lists)[2:-2].split("], [") if lists else []
        if len(pieces) != len(flat) or len(linked) != len(lists):
            return [json.dumps(self(obj, m2m)) for obj, m2m in items]
        width, extra = len(self.names), len(names)
        if extra:  # interleave: each object's values, then its lists
            step = width + extra
            merged = [""] * (step * len(items))
            for i in range(width):
                merged[i::step] = pieces[i::width]
            for i in range(extra):
                merged[width + i :: step] = linked[i::extra]
            pieces = merged
        template = self.templates.get(names)
        if template is None:
            template = self.templates[names] = self._template(names)
        return ("\x00".join([template] * len(items)) % tuple(pieces)).split("\x00")

    def _template(self, m2m: tuple) -> str:
        """The JSON text of a snapshot with a ``%s`` for each value (inside ``[…]`` for the lists)."""
        keys = [json.dumps(k).replace("%", "%%") + ": %s" for k in self.names]
        keys += [json.dumps(k).replace("%", "%%") + ": [%s]" for k in m2m]
        return "{" + ", ".join(keys) + "}"


_JSON_AS_IS = frozenset({str, int, float, bool})


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)  # Decimal, UUID, enum members


def _file_name(value):
    return getattr(value, "name", value) or None  # a FieldFile's name, or the stored path; None when empty


@dataclass(frozen=True, slots=True)
class _Ref:
    """A taxonomy entry by id: all :class:`jalin.companies.services.Deriver` reads of one."""

    id: int


@dataclass
class Stored:
    """What the batch's existing companies already have: many-to-many ids, certifications, products, machines."""

    m2m: dict[str, dict[int, list[int]]]
    certs: dict[int, list[Certification]]
    products: dict[int, list[Product]]
    machines: set[int]

    def related(self, company_id: int) -> services.Related:
        """The stored rows of one company as :func:`jalin.companies.services.derive` reads them (what
        :func:`~jalin.companies.services.related_rows` would read, without a query)."""
        certs = self.certs.get(company_id, [])
        return services.Related(
            kbli=bool(self.m2m["kbli"].get(company_id)),
            processes=[_Ref(i) for i in self.m2m["processes"].get(company_id, [])],
            materials=[_Ref(i) for i in self.m2m["materials"].get(company_id, [])],
            product_items=self.products.get(company_id, []),
            machines=company_id in self.machines,
            certifications=bool(certs),
            certification_types=[c.certification_type_id for c in certs],
        )


def stored_for(ids: list[int]) -> Stored:
    m2m: dict[str, dict[int, list[int]]] = {name: {} for name in M2M}
    certs: dict[int, list[Certification]] = {}
    products: dict[int, list[Product]] = {}
    machines: set[int] = set()
    if ids:
        for name in M2M:
            through, source, target = through_model(name)
            for company_id, target_id in through.objects.filter(**{f"{source}__in": ids}).values_list(source, target):
                m2m[name].setdefault(company_id, []).append(target_id)
        for cert in Certification.objects.filter(company_id__in=ids).order_by("pk"):
            certs.setdefault(cert.company_id, []).append(cert)
        for product in Product.objects.filter(company_id__in=ids):
            products.setdefault(product.company_id, []).append(product)
        machines = set(Machine.objects.filter(company_id__in=ids).values_list("company_id", flat=True).distinct())
    return Stored(m2m, certs, products, machines)


def through_model(name: str):
    f = Company._meta.get_field(name)
    return f.remote_field.through, f.m2m_column_name(), f.m2m_reverse_name()


class CompanyFactory:
    """Builds unsaved companies and certifications with positional arguments, the fast path of
    ``Model.__init__``, and caches their related objects the way the foreign-key descriptor would (without
    its per-assignment router checks): keyword construction costs several times more per row."""

    def __init__(self, lookups: Lookups):
        fields = Company._meta.concrete_fields
        self.defaults = [f.get_default() for f in fields]
        self.index = {f.name: i for i, f in enumerate(fields)}
        self.region_at = self.index.pop("region_id", None) or next(
            i for i, f in enumerate(fields) if f.name == "region"
        )
        self.region = Company._meta.get_field("region")
        cert_fields = Certification._meta.concrete_fields
        self.cert_defaults = [f.get_default() for f in cert_fields]
        self.cert_type_at = next(i for i, f in enumerate(cert_fields) if f.name == "certification_type")
        self.cert_until_at = next(i for i, f in enumerate(cert_fields) if f.name == "valid_until")
        self.cert_company = Certification._meta.get_field("company")
        self.cert_type = Certification._meta.get_field("certification_type")
        self.types = lookups.certifications.by_id
        self.attnames = [f.attname for f in fields]
        self.cert_attnames = [f.attname for f in cert_fields]
        self.new = _constructor(Company, self.attnames)
        self.new_cert = _constructor(Certification, self.cert_attnames)

    def __call__(self, values: dict) -> Company:
        args = list(self.defaults)
        index = self.index
        for name, value in values.items():
            args[index[name]] = value
        region = values.get("region")
        if region is not None:
            args[self.region_at] = region.pk
        company = self.new(args)
        if region is not None:
            self.region.set_cached_value(company, region)  # search_text() reads its name
        return company

    def certification(self, company: Company, type_id: int, valid_until) -> Certification:
        args = list(self.cert_defaults)
        args[self.cert_type_at], args[self.cert_until_at] = type_id, valid_until
        cert = self.new_cert(args)
        self.cert_company.set_cached_value(cert, company)  # its id is set once the company has one
        self.cert_type.set_cached_value(cert, self.types[type_id])  # str(cert) reads its name
        return cert


def _constructor(model, attnames: list[str]):
    """``model(*args)`` for a new instance, without ``Model.__init__`` when nothing listens to its
    ``pre_init``/``post_init`` signals: the same ``__dict__`` (every concrete field's attname, set as the
    plain and foreign-key descriptors would on a fresh instance) and a fresh ``_state``, at a third of the
    cost. A test holds the two equal."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return lambda args: model(*args)
    new = model.__new__

    def construct(args):
        obj = new(model)
        state = obj.__dict__
        state["_state"] = ModelState()
        state.update(zip(attnames, args, strict=True))
        return obj

    return construct


class ChangeLog:
    """Change-log rows (ObjectChange) as database-ready tuples: the values common to a whole import are
    converted once, the before/after snapshots per row."""

    columns = (
        "time",
        "actor_id",
        "actor_name",
        "request_id",
        "action",
        "content_type_id",
        "object_id",
        "object_repr",
        "before",
        "after",
    )

    def __init__(self, actor, now):
        meta = ObjectChange._meta
        request_id = current_request_id()
        wrapper = connections[DEFAULT_DB_ALIAS]  # the object itself: no thread-local lookup per row
        self.common = (
            meta.get_field("time").get_db_prep_save(now, wrapper),
            actor.pk if actor is not None and actor.pk else None,
            (actor.get_full_name() or actor.get_username()) if actor is not None else "system",
            meta.get_field("request_id").get_db_prep_save(request_id, wrapper) if request_id else None,
        )
        encoder = meta.get_field("after").encoder
        # What JSONField.get_db_prep_save() does for a dict, without its per-call checks.
        self.json = lambda value: wrapper.ops.adapt_json_value(value, encoder)
        self.content_types = {m: ContentType.objects.get_for_model(m).pk for m in (Company, Certification)}

    def __call__(self, action: str, obj, before: dict | str | None, after: dict | str) -> tuple:
        """The row; ``before`` and ``after`` are snapshots, or their JSON text (see :meth:`Snapshot.json_many`),
        which both databases take for a JSON column as it is."""
        return (
            *self.common,
            action,
            self.content_types[type(obj)],
            str(obj.pk),
            change_label(obj),
            None if before is None else before if type(before) is str else self.json(before),
            after if type(after) is str else self.json(after),
        )


class Deriver(services.Deriver):
    """:class:`jalin.companies.services.Deriver` for an import, which names each company's processes and
    materials by id: one per import, so what repeats from row to row is computed once."""

    def __init__(self, lookups: Lookups):
        super().__init__()
        self.processes, self.materials = lookups.processes.by_id, lookups.materials.by_id

    def row(
        self,
        company: Company,
        process_ids,
        material_ids,
        *,
        kbli: bool,
        certifications: bool,
        certification_types,
        product_items=(),
        machines: bool = False,
    ) -> None:
        """Set ``company``'s derived fields; ``process_ids`` and ``material_ids`` are its taxonomy ids (any
        order), ``certification_types`` the type ids of its certifications."""
        related = services.Related(
            kbli=kbli,
            processes=[self.processes[i] for i in process_ids],
            materials=[self.materials[i] for i in material_ids],
            product_items=product_items,
            machines=machines,
            certifications=certifications,
            certification_types=certification_types,
        )
        self(company, related)
