from django import template

register = template.Library()


@register.filter
def get_badge(badges, key):
    """{{ nav_badges|get_badge:item.key }}: a navigation count by a key held in a variable."""
    return badges[key]
