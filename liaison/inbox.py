"""The in-portal inbox and the notification preferences page.

Every query is limited to the signed-in user's own notifications: another user's message answers 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import access, people, preferences
from .models import KIND_CATEGORIES, Delivery, Estate, Notification, RobotWebhook, WeChatBinding, audit

PAGE_SIZE = 50


def _own(user):
    return Notification.objects.filter(recipient=user)


@login_required
def inbox(request):
    qs = _own(request.user)
    only_unread = request.GET.get("show") == "unread"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "liaison/inbox.html", {"page": page, "items": page.object_list, "only_unread": only_unread})


@login_required
def detail(request, pk):
    n = get_object_or_404(_own(request.user), pk=pk)
    sections = n.data.get("sections") if isinstance(n.data, dict) else None
    return render(request, "notifications/detail.html", {"n": n, "sections": sections, "link": _safe_link(request, n)})


def _safe_link(request, n):
    if n.url and url_has_allowed_host_and_scheme(n.url, allowed_hosts={request.get_host()}):
        return n.url
    return ""


@login_required
@require_POST
def inbox_read(request, pk=None):
    now = timezone.now()
    unread = _own(request.user).filter(read_at__isnull=True)
    if pk is None:
        count = unread.update(read_at=now)
        if count:
            messages.success(request, _("%(count)s messages marked as read.") % {"count": count})
        return redirect("inbox")
    n = get_object_or_404(_own(request.user), pk=pk)
    unread.filter(pk=n.pk).update(read_at=now)
    if request.POST.get("go"):
        link = _safe_link(request, n)
        if link:
            return redirect(link)
        return redirect("inbox_detail", pk=n.pk)
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("inbox")


# --- preferences -----------------------------------------------------------------------------------


class EmailChoicesForm(forms.Form):
    email = forms.MultipleChoiceField(
        label=gettext_lazy("Also send by email"),
        choices=KIND_CATEGORIES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    sms = forms.MultipleChoiceField(
        label=gettext_lazy("Also send by SMS"),
        choices=KIND_CATEGORIES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    wechat = forms.MultipleChoiceField(
        label=gettext_lazy("Also send to WeChat"),
        choices=KIND_CATEGORIES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def rows(self):
        """(label, email box, SMS box, WeChat box) per kind, for the table."""
        labels = [label for _c, label in KIND_CATEGORIES]
        return list(zip(labels, self["email"], self["sms"], self["wechat"], strict=True))


def _choices_form(user):
    return EmailChoicesForm(initial=preferences.channel_choices(user))


def _page(request, form, estates, status=200):
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "estates": estates,
            "has_email": bool(request.user.email),
            "mobile": people.mobile_number(request.user),
            "wechat_bound": WeChatBinding.objects.filter(user=request.user).exists(),
        },
        status=status,
    )


ALL = "*"


def mute_choices():
    categories = [(ALL, gettext_lazy("All kinds")), *KIND_CATEGORIES]
    return [
        (f"{ch}:{cat}", f"{ch_label} · {cat_label}")
        for ch, ch_label in Delivery.Channel.choices
        for cat, cat_label in categories
    ]


class EstateMuteForm(forms.Form):
    mute = forms.MultipleChoiceField(
        label=gettext_lazy("Muted channels"),
        choices=mute_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def pairs(self):
        result = set()
        for value in self.cleaned_data["mute"]:
            channel, category = value.split(":", 1)
            result.add((channel, "" if category == ALL else category))
        return result


def _estate_rows(user, forms_by_estate=None):
    forms_by_estate = forms_by_estate or {}
    rows = []
    for estate in access.managed_estates(user).order_by("name"):
        form = forms_by_estate.get(estate.pk)
        if form is None:
            current = preferences.estate_mutes(estate)
            initial = [f"{ch}:{cat or ALL}" for ch, cats in current.items() for cat in cats]
            form = EstateMuteForm(initial={"mute": initial}, prefix=f"e{estate.pk}")
        boxes = {box.data["value"]: box for box in form["mute"]}
        grid = [
            (label, [boxes[f"{ch}:{cat}"] for ch, _ch_label in Delivery.Channel.choices])
            for cat, label in [(ALL, _("All kinds")), *KIND_CATEGORIES]
        ]
        rows.append(
            {
                "estate": estate,
                "form": form,
                "grid": grid,
                "channels": [label for _ch, label in Delivery.Channel.choices],
                "robots": RobotWebhook.objects.filter(estate=estate).order_by("name"),
            }
        )
    return rows


@login_required
def preferences_page(request):
    user = request.user
    if request.method == "POST":
        form = EmailChoicesForm(request.POST)
        if form.is_valid():
            # the WeChat column is shown only to those bound: the others' WeChat choices stay as they were
            bound = WeChatBinding.objects.filter(user=user).exists()
            preferences.save_email_choices(
                user,
                form.cleaned_data["email"],
                form.cleaned_data["sms"],
                form.cleaned_data["wechat"] if bound else None,
            )
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notification_preferences")
        messages.error(request, _("Please correct the errors below."))
    else:
        form = _choices_form(user)
    return _page(request, form, _estate_rows(user))


@login_required
@require_POST
def estate_mutes(request, pk):
    estate = access.get_visible(Estate.objects.all(), request.user, pk, estate="pk", committee=None)
    if not access.manages_estate(request.user, estate):
        raise Http404
    form = EstateMuteForm(request.POST, prefix=f"e{estate.pk}")
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _page(request, _choices_form(request.user), _estate_rows(request.user, {estate.pk: form}), status=400)
    with transaction.atomic():
        before = sorted(f"{ch}:{cat or ALL}" for ch, cats in preferences.estate_mutes(estate).items() for cat in cats)
        preferences.save_estate_mutes(estate, form.pairs())
        after = sorted(form.cleaned_data["mute"])
        if before != after:
            audit(estate, "notifications.mutes", actor=request.user, changes={"before": before, "after": after})
    messages.success(request, _("Channel settings for %(estate)s are saved.") % {"estate": estate.name})
    return redirect("notification_preferences")
