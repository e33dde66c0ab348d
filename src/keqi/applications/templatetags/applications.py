"""Labels of workflow states and steps for the pages (from the case's definition)."""

from django import template

from keqi.applications.attachments import LABELS

register = template.Library()


@register.filter
def state_label(key, wf):
    if not key:
        return "—"
    try:
        return wf.state(key).label
    except KeyError:
        return key


@register.filter
def transition_label(key, wf):
    if key == "start":
        return "创建"
    try:
        return wf.transition(key).label
    except KeyError:
        return key


@register.filter
def attachment_kind(content_type):
    return LABELS.get(content_type, "文件")
