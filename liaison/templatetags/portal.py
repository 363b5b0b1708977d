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


@register.simple_tag
def submit_once():
    """A form's one-time token (liaison.submit_once): the same form sent twice makes one row."""
    from django.utils.html import format_html

    from liaison.submit_once import FIELD, new_token

    # autocomplete off: a browser restoring the page's fields must not bring back a used token
    return format_html('<input type="hidden" name="{}" value="{}" autocomplete="off">', FIELD, new_token())
