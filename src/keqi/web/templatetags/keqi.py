"""Template filters: dictionary look-up, and the figures written as ``keqi.policy.formats`` writes them."""

from django import template

from keqi.policy import formats

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if mapping else key


register.filter("wan", formats.wan)
register.filter("number", formats.number)
register.filter("percent", formats.percent)
