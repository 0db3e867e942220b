"""Template tags of the lists' filter bars (``includes/filter_bar.html``)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("includes/filter_select.html")
def filter_select(name, label, choices, selected, all_label=None, field_id=None):
    """A labelled ``<select>`` of a filter bar, e.g.
    ``{% filter_select "process" _("Process") processes filters.process all_label=_("All processes") %}``.

    ``choices`` are ``(value, label)`` pairs (a model's ``choices``, a list of tuples) or objects: a taxonomy
    item or a region gives its ``code``, any other model instance its primary key, and its text is
    ``str(object)``; a plain value (a year) is both. The option whose value reads as ``selected`` is chosen;
    ``all_label`` adds a first, empty option (no filter). The select's id is ``filter-`` + ``field_id``
    (default: ``name``)."""
    current = "" if selected is None else str(selected)
    options = []
    for choice in choices:
        if isinstance(choice, (tuple, list)):
            value, text = choice
        elif hasattr(choice, "pk"):
            value, text = getattr(choice, "code", None) or choice.pk, choice
        else:
            value = text = choice
        options.append((value, text, str(value) == current))
    return {"id": field_id or name, "name": name, "label": label, "all_label": all_label, "options": options}
