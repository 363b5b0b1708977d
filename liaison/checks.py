from django.core.checks import Error, Warning, register

from . import clientip, health


@register()
def pdf_readiness(app_configs, **kwargs):
    problems = []
    if not health.harfbuzz_subset_available():
        problems.append(
            Warning(
                "WeasyPrint will run without HarfBuzz font subsetting: Chinese PDFs take seconds instead of "
                "a tenth of a second.",
                hint="apt-get install libharfbuzz-subset0 (make setup does this).",
                id="liaison.W001",
            )
        )
    if not health.cjk_fonts():
        problems.append(
            Warning(
                "No CJK font is installed: Chinese text in PDFs would print as empty boxes.",
                hint="apt-get install fonts-noto-cjk (make setup does this).",
                id="liaison.W002",
            )
        )
    return problems


@register()
def trusted_proxies(app_configs, **kwargs):
    bad = clientip.invalid_entries()
    if not bad:
        return []
    return [
        Error(
            f"LIAISON_TRUSTED_PROXIES has entries that are no address or network: {', '.join(map(str, bad))}",
            hint="A comma-separated list such as 127.0.0.1,10.0.0.0/24 (docs/deploy.md).",
            id="liaison.E001",
        )
    ]
