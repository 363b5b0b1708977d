from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

register = template.Library()


@register.simple_tag(takes_context=True)
def include_optional(context, name):
    """Render `name` with the current context if an app provides it (extension points for the apps)."""
    try:
        tmpl = get_template(name)
    except TemplateDoesNotExist:
        return ""
    # the flattened context already holds what the context processors gave (csrf_token, unread_count…);
    # passing the request again would run every context processor once more per include
    return tmpl.render(context.flatten())
