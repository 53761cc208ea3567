from django import template

from approvals.money import amount_in_words, format_yuan

register = template.Library()


@register.filter
def yuan(value):
    """¥1,234,567.89"""
    return format_yuan(value)


@register.filter
def capitals(value):
    """壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"""
    if value is None:
        return ""
    return amount_in_words(value)


@register.filter
def duration_zh(td):
    if td is None:
        return ""
    minutes = int(td.total_seconds() // 60)
    days, rem = divmod(minutes, 60 * 24)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{mins}分"
    return f"{mins}分钟"


@register.filter
def status_label(code):
    """A case status code as its label (for snapshots stored in the trail)."""
    from approvals.models import Case

    return dict(Case.Status.choices).get(code, code)
