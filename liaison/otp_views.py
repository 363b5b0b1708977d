"""Sign-in by a one-time SMS link (liaison.otp): ask for it with the phone number, open it, sign in."""

from django import forms
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from . import clientip, otp


class SmsLoginForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "13812345678"}),
        help_text=_("The number the property office has on record for you."),
    )


@require_http_methods(["GET", "POST"])
def sms_login(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SmsLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            otp.request_link(form.cleaned_data["phone"], ip=clientip.client_ip(request), now=timezone.now())
        except otp.OtpError as exc:
            form.add_error("phone", str(exc))
        else:
            return render(request, "registration/sms_login_sent.html", {"minutes": 15})
    return render(request, "registration/sms_login.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def sms_login_open(request, token):
    """GET shows a button (link previews in chat apps open links by themselves: they must not use it up);
    POST signs in and opens the member's pending item."""
    if request.method == "GET":
        return render(request, "registration/sms_login_open.html", {"token": token})
    try:
        user = otp.open_link(token, ip=clientip.client_ip(request), now=timezone.now())
    except otp.OtpError as exc:
        return render(
            request, "registration/sms_login_refused.html", {"reason": str(exc), "code": exc.code}, status=400
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(otp.pending_url(user))
