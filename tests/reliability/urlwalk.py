"""Walk the URL configuration: every pattern, its full name and the keyword arguments it takes."""

from django.urls import URLPattern, URLResolver, get_resolver

ID_KWARGS = {"pk", "id", "token", "code", "uuid", "object_id", "uidb64", "key", "secret"}


def is_id_kwarg(name):
    return name in ID_KWARGS or name.endswith(("_pk", "_id", "_token", "_code", "_uuid"))


def walk(resolver=None, prefix="", namespace=None):
    """Yield (name, route, kwarg names) for every URL pattern; name is "ns:name" (or "<route>" if unnamed)."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk(p, route, ns)
        elif isinstance(p, URLPattern):
            kwargs = set(p.pattern.regex.groupindex)
            # include the resolver's own kwargs (e.g. a prefix like "estates/<int:estate_pk>/")
            kwargs |= _prefix_kwargs(prefix)
            name = p.name or f"<{route}>"
            yield (f"{namespace}:{name}" if namespace else name), route, kwargs


def _prefix_kwargs(prefix):
    import re

    return set(re.findall(r"<(?:\w+:)?(\w+)>", prefix)) | set(re.findall(r"\(\?P<(\w+)>", prefix))


def object_urls():
    """{name: (route, kwargs)} of the URL patterns that name an object."""
    out = {}
    for name, route, kwargs in walk():
        if any(is_id_kwarg(k) for k in kwargs):
            out[name] = (route, kwargs)
    return out


def all_urls():
    return {name: (route, kwargs) for name, route, kwargs in walk()}
