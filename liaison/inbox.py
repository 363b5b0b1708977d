"""The in-portal inbox: every notification a user received."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import Notification

# --- inbox -----------------------------------------------------------------------------------------


@login_required
def inbox(request):
    items = Notification.objects.filter(recipient=request.user)[:200]
    return render(request, "liaison/inbox.html", {"items": items})


@login_required
@require_POST
def inbox_read(request, pk=None):
    qs = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    if pk is not None:
        n = get_object_or_404(Notification, pk=pk, recipient=request.user)
        qs.filter(pk=n.pk).update(read_at=timezone.now())
        if n.url and request.POST.get("go"):
            return redirect(n.url)
    else:
        qs.update(read_at=timezone.now())
    return redirect("inbox")
