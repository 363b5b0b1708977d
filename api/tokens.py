"""The portal page where a user creates and revokes their own API tokens (session + CSRF)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from liaison.models import audit

from . import actions
from .models import ApiToken

MAX_ACTIVE_TOKENS = actions.MAX_ACTIVE_TOKENS


class TokenForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("thing", "Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “OA system” or “mini-program”."),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(gettext_lazy("Give the token a name."))
        return name


@never_cache
@login_required
def token_list(request):
    user = request.user
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = actions.create_token(user, form.cleaned_data["name"], now=timezone.now())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            form = TokenForm()
    tokens = user.api_tokens.all()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "raw": raw, "now": timezone.now()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    now = timezone.now()
    with transaction.atomic():
        if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) == 1:
            audit(token, "api_token_revoked", actor=request.user, now=now, changes={"name": token.name})
            messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("api:tokens")
