"""Home page panel: managers who close months see last month's state (one query)."""

from .compute import can_close
from .models import AssessmentMonth
from .months import Month


def panel(request, now):
    if not can_close(request.user):
        return None
    month = Month.default(now)
    closed = AssessmentMonth.objects.filter(year=month.year, month=month.month).first()
    return {"template": "assessment/home_panel.html", "month": month, "closed": closed}
