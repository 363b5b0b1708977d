def panel(request, now):
    """This app's panel on the home page: a dict with 'template' and its context, or None."""
    return None
