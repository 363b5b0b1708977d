"""Binding a member's WeChat from their profile page, and the official account's callback."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from . import actions, wechat
from .views import account_context


@login_required
@require_POST
def bind_start(request):
    try:
        row = actions.start_wechat_binding(request.user, now=timezone.now())
    except (wechat.WeChatError, ValidationError) as exc:
        messages.error(request, _("The WeChat QR code could not be made just now; please try again later."))
        if isinstance(exc, ValidationError):
            messages.error(request, " ".join(exc.messages))
        return redirect("account")
    ctx = account_context(request.user)
    ctx.update({"bind_ticket": row, "bind_qr": wechat.qr_data_uri(row.qr_url)})
    return render(request, "liaison/account.html", ctx)


@login_required
@require_POST
def unbind(request):
    if actions.unbind_wechat(request.user, now=timezone.now()):
        messages.success(request, _("Your WeChat is no longer bound; messages no longer go to WeChat."))
    return redirect("account")


@csrf_exempt  # WeChat's servers post here; the request is authenticated by its signature instead
@require_http_methods(["GET", "POST"])
def callback(request):
    token = wechat.token()
    try:
        if not token:
            raise InvalidSignatureException()
        check_signature(
            token, request.GET.get("signature", ""), request.GET.get("timestamp", ""), request.GET.get("nonce", "")
        )
    except InvalidSignatureException:
        return HttpResponseForbidden("invalid signature")
    if request.method == "GET":  # WeChat checks the server's address with an echo
        return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
    try:
        message = parse_message(request.body)
    except Exception:  # noqa: BLE001 - not XML: nothing to do
        return HttpResponse("success", content_type="text/plain")
    ticket = wechat.scene_of(message)
    if ticket:
        actions.bind_wechat(ticket, message.source, now=timezone.now())
    return HttpResponse("success", content_type="text/plain")  # WeChat's "received, no reply"
