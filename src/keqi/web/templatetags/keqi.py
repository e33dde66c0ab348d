"""Template filters: dictionary look-up, the figures written as ``keqi.policy.formats`` writes them, and the
names of policy things as ``keqi.policy.labels`` gives them (posted on the BULLETIN: use these, never a
hand-made format, in every template).

- ``wan`` (yuan → 万元 number), ``wan_unit`` (→ ``164.75 万元``), ``count`` (12,800), ``number``,
  ``percent`` (0.2462 → 24.62%);
- ``criterion_value`` / ``criterion_threshold`` (a verdict's criterion dict, in its own unit);
- ``evidence`` (SECONDARY → 转述), ``edition_label`` (hnte-2016 → 高新技术企业认定（2016年版）),
  ``field_label`` (financials[].rd_expense → 研究开发费用总额).
"""

from django import template

from keqi.policy import formats, labels

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if mapping else key


register.filter("wan", formats.wan)
register.filter("wan_unit", formats.wan_unit)
register.filter("count", formats.count)
register.filter("number", formats.number)
register.filter("percent", formats.percent)
register.filter("evidence", labels.evidence_label)
register.filter("edition_label", labels.edition_label)
register.filter("field_label", labels.field_label)


@register.filter
def criterion_value(criterion):
    return formats.criterion_text(criterion, "value")


@register.filter
def criterion_threshold(criterion):
    return formats.criterion_text(criterion, "threshold")


@register.simple_tag
def evidence_note():
    return labels.EVIDENCE_NOTE


register.filter("citation", labels.citation)


@register.filter
def count_of(counts, key):
    """``counts[key]`` as a count (0 when the key is absent; ``get_item`` would show the key)."""
    return formats.count((counts or {}).get(key, 0))
