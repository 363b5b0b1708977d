from django import template
from django.template.loader import get_template
from django.template import TemplateDoesNotExist

register = template.Library()


@register.simple_tag(takes_context=True)
def include_optional(context, name):
    """Render `name` with the current context if an app provides it (extension points for the apps)."""
    try:
        tmpl = get_template(name)
    except TemplateDoesNotExist:
        return ""
    return tmpl.render(context.flatten(), context.get("request"))
