def install_default_rules(estate):
    """Give a new estate the default cadence rules of shared/DOMAIN.md (filled in by the meetings app)."""
    return []
