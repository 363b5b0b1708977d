import datetime
import functools
import html
import time
import uuid

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from liaison.models import Committee, Department, Estate, Role, StaffAssignment, User
from liaison.uploads import validate_upload

from .models import Callback, Category, Issue, OutsideBody, Satisfaction, Source, Urgency

DT_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DT_FORMAT)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DT_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
        kwargs.setdefault(
            "error_messages",
            {"invalid": _("Enter a date and time, e.g. 2026-10-09 14:30."), "required": _("Enter a date and time.")},
        )
        super().__init__(**kwargs)


def local_now():
    return timezone.localtime().replace(second=0, microsecond=0)


def staff_users():
    return (
        User.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.SUPERVISOR, Role.DEPARTMENT, Role.LEADER])
        .select_related("department")
        .order_by("role", "name", "username")
    )  # label shows the department


class Select(forms.Select):
    """Django's <select>, rendered in Python rather than through one template per option.

    The issue list's filters offer every visible estate and committee and every staff member (hundreds
    of options for a leader); the template renderer, and even building Django's per-option context
    (`optgroups` / `create_option`: one dict per option), was most of the page's time. The HTML and the
    choice of the selected option are those of Django's select.html / select_option.html / optgroups().
    (Named `Select` so that crispy-forms adds the same "select" CSS class as for Django's widget.)
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = set(self.format_value(value))
        parts = [f'<select name="{_esc(name)}"{_attrs(attrs)}>']
        if isinstance(self.choices, _FieldChoices) and not self.allow_multiple_selected:
            parts += self.choices.markup(chosen)
        else:
            parts += self._options(chosen)
        parts.append("\n</select>")
        return mark_safe("".join(parts))

    def _options(self, chosen):
        multiple = self.allow_multiple_selected
        has_selected = False
        parts = []
        for option_value, option_label in self.choices:
            if isinstance(option_label, (list, tuple)):
                parts.append(f'\n  <optgroup label="{_esc("" if option_value is None else str(option_value))}">')
                subchoices = option_label
            else:
                subchoices = (("" if option_value is None else option_value, option_label),)
            for subvalue, sublabel in subchoices:
                text = str(subvalue)
                selected = (multiple or not has_selected) and text in chosen
                has_selected |= selected
                mark = " selected" if selected else ""
                parts.append(f'\n  <option value="{_esc(text)}"{mark}>{_esc(sublabel)}</option>\n')
            if subchoices is option_label:
                parts.append("\n  </optgroup>")
        return parts


def _esc(value):
    """conditional_escape(value), without its per-call overhead for plain strings (most of the cost of
    a thousand options): Django's escape() is html.escape(str(value))."""
    return html.escape(value) if type(value) is str else esc(value)


class _FastInput:
    """Django's input.html + attrs.html, in Python (same context: get_context, so the same value
    formatting and attributes)."""

    def render(self, name, value, attrs=None, renderer=None):
        w = self.get_context(name, value, attrs)["widget"]
        shown = "" if w["value"] is None else f' value="{_esc(str(w["value"]))}"'
        return mark_safe(f'<input type="{_esc(w["type"])}" name="{_esc(w["name"])}"{shown}{_attrs(w["attrs"])}>')


class TextInput(_FastInput, forms.TextInput):
    pass


class DateInput(_FastInput, forms.DateInput):
    pass


class CheckboxInput(_FastInput, forms.CheckboxInput):
    pass


def _attrs(attrs):
    """Django's widgets/attrs.html: in order; False left out, True as a bare name."""
    return "".join(
        f" {_esc(k)}" if v is True else f' {_esc(k)}="{_esc(str(v))}"' for k, v in attrs.items() if v is not False
    )


class Options(BaseChoiceIterator):
    """Options [(pk, label)] read at most once, when first rendered or validated, with their <option>
    markup built once: the issue list shows the staff list twice (filter and bulk assignment).
    Yielded as they are: Django normalises a callable's choices again on every iteration."""

    def __init__(self, read):
        self._read = read

    @functools.cached_property
    def rows(self):
        return list(self._read())

    def __iter__(self):
        return iter(self.rows)

    @functools.cached_property
    def markup(self):
        """[(value as text, '<option value="…"', '>label</option>')]: Django's select_option.html."""
        return [_option(pk, label) for pk, label in self.rows]

    @functools.cached_property
    def by_text(self):
        return {str(pk): pk for pk, _label in self.rows}

    @functools.cached_property
    def labels(self):
        return dict(self.rows)


def _option(value, label):
    text = str(value)
    return text, f'\n  <option value="{_esc(text)}"', f">{_esc(label)}</option>\n"


class _FieldChoices(BaseChoiceIterator):
    """A field's empty label (if any) and then its Options."""

    def __init__(self, empty_label, options):
        self.empty = [] if empty_label is None else [("", empty_label)]
        self.options = options

    def __iter__(self):
        yield from self.empty
        yield from self.options

    def markup(self, chosen):
        """The <option>s, the first one whose value is in `chosen` selected (Django's optgroups())."""
        parts = []
        for text, start, end in [_option(v, label) for v, label in self.empty] + self.options.markup:
            if chosen and text in chosen:
                parts += [start, " selected", end]
                chosen = None
            else:
                parts += [start, end]
        return parts


def show_choices(field, rows):
    """Offer `rows` (Options, or a function giving [(pk, label)]) as the field's options: the options its
    queryset gives, empty label first, without building one model instance per option (hundreds on the
    issue list). The field's queryset still validates what is submitted (but see ListedChoice)."""
    field.widget.choices = _FieldChoices(field.empty_label, rows if isinstance(rows, Options) else Options(rows))


class ListedChoice:
    """For a ModelChoiceField given its options by show_choices(): a submitted value is checked against
    those options (read for the page anyway) instead of by a query; the cleaned value is the id."""

    def to_python(self, value):
        if not isinstance(self.widget.choices, _FieldChoices):
            return super().to_python(value)
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            return self.widget.choices.options.by_text[str(value)]
        except KeyError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


# --- option lists kept between requests -------------------------------------------------------------------
#
# The issue list offers the staff list (twice), the departments, and the estates and committees the user
# sees: about 800 options for a leader, the same for everyone who sees every estate, and the same on
# each visit for the others. Reading and rendering them was a third of the page's time, so each process
# keeps them as long as the token in the cache (shared by all processes when the cache is Redis) is
# unchanged, and at most SHARED_OPTIONS_SECONDS. Saving or deleting an estate, committee, user,
# department or staff assignment changes the token (the receivers below), at once and again when its
# transaction commits (a request in between may have read the rows as they were). Changes that send no
# signal (QuerySet.update(), the seeders' bulk_create(), other processes when the cache is per process)
# show within the time limit.

SHARED_OPTIONS_SECONDS = 60
_TOKEN = "followups:shared-options"
_SHARED_MAX = 5000  # entries per process (a few per user who has visited the list)
_shared = {}  # (name, language) -> (token, time.monotonic() when read, Options)


class SharedOptions:
    """This request's view of the shared option lists: the token is read once."""

    def __init__(self):
        try:
            self.token = cache.get(_TOKEN)
            if self.token is None:
                cache.add(_TOKEN, uuid.uuid4().hex, timeout=None)
                self.token = cache.get(_TOKEN)
        except Exception:  # noqa: BLE001 - the cache is down: every list is read for this request only
            self.token = None

    def get(self, name, read):
        """Options of `read()` ([(pk, label)]) kept under `name`: the same for whoever asks by that name."""
        if self.token is None:
            return Options(read)
        key = (name, translation.get_language())
        token, since, options = _shared.get(key, (None, 0, None))
        now = time.monotonic()
        if token != self.token or now - since > SHARED_OPTIONS_SECONDS:
            options = Options(read)
            options.rows  # noqa: B018 - read now, under this token
            if len(_shared) >= _SHARED_MAX:
                _shared.clear()
            _shared[key] = (self.token, now, options)
        return options


def _new_token(**kwargs):
    try:
        cache.set(_TOKEN, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001 - the cache is down; nothing is shared until it is back
        pass


def _options_changed(sender, using=None, update_fields=None, **kwargs):
    if sender is User and update_fields == frozenset({"last_login"}):
        return  # a login: nothing a list shows
    _new_token()
    transaction.on_commit(_new_token, using=using)


for _model in (Estate, Committee, User, Department, StaffAssignment):
    post_save.connect(_options_changed, sender=_model, dispatch_uid=f"followups-options-{_model.__name__}")
    post_delete.connect(_options_changed, sender=_model, dispatch_uid=f"followups-options-{_model.__name__}")


def staff_label(display_name, role_label, department_name):
    dept = f" · {department_name}" if department_name is not None else ""
    return f"{display_name} ({role_label}{dept})"


def staff_choices():
    """[(pk, label)] of staff_users(), labelled as StaffChoiceField labels them."""
    roles = {value: str(label) for value, label in Role.choices}
    rows = staff_users().values_list("pk", "name", "first_name", "last_name", "username", "role", "department__name")
    return [
        (pk, staff_label(name or f"{first} {last}".strip() or username, roles.get(role, role), dept))
        for pk, name, first, last, username, role, dept in rows
    ]


def department_choices():
    return Department.objects.values_list("pk", "name")


def estate_choices(estates):
    return estates.values_list("pk", "name")


def committee_choices(committees):
    """[(pk, "estate · committee")], as the filter's committee field labels them."""
    return [(pk, f"{estate} · {name}") for pk, estate, name in committees.values_list("pk", "estate__name", "name")]


def estates_and_committees(estates):
    """A function giving (estate_choices(estates), committee_choices(every committee of those estates)),
    read together in one query the first time it is called."""

    @functools.cache
    def read():
        rows = estates.values_list("pk", "name", "committees__pk", "committees__name")
        shown, committees = {}, []
        for pk, name, committee, committee_name in rows.order_by("name", "committees__kind"):
            shown.setdefault(pk, name)
            if committee is not None:
                committees.append((committee, f"{name} · {committee_name}"))
        return list(shown.items()), committees

    return read


class StaffChoiceField(forms.ModelChoiceField):
    widget = Select

    def label_from_instance(self, obj):
        return staff_label(obj.display_name, obj.get_role_display(), obj.department.name if obj.department_id else None)


class ListedChoiceField(ListedChoice, forms.ModelChoiceField):
    widget = Select


class ListedStaffChoiceField(ListedChoice, StaffChoiceField):
    pass


class IssueForm(forms.Form):
    committee = forms.ModelChoiceField(label=_("Committee"), queryset=None)
    raised_by = forms.CharField(label=_("Raised by"), max_length=100)
    raised_at = DateTimeLocalField(label=_("Raised at"), help_text=_("May be in the past; never in the future."))
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    source_ref = forms.CharField(
        label=_("Source reference"), max_length=100, required=False, help_text=_("e.g. the contact sheet's number")
    )
    title = forms.CharField(label=_("Subject"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—")] + Category.choices, required=False)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    answer_on_spot = forms.CharField(
        label=_("Answered on the spot"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("If the issue was answered on the spot, record the answer: the issue is closed at once."),
    )
    attachment = forms.FileField(label=_("Attachment"), required=False, validators=[validate_upload])

    def __init__(self, *args, user, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["committee"].queryset = committees
        self.fields["committee"].label_from_instance = lambda c: f"{c.estate.name} · {c.name}"
        if committees.count() == 1:
            self.fields["committee"].initial = committees.first().pk
        if user.is_committee:
            # a committee member raises online, now, in their own name
            for name in ("raised_by", "raised_at", "source", "source_ref", "answer_on_spot"):
                del self.fields[name]
        else:
            self.fields["raised_at"].initial = local_now()


class ClassifyForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)  # the issue's, as shown
    responsibility = forms.ChoiceField(
        label=_("Responsibility"),
        choices=[c for c in Issue.Responsibility.choices if c[0]],
        widget=forms.RadioSelect,
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, widget=Select
    )
    assignee = StaffChoiceField(label=_("Person responsible"), queryset=None, required=False)
    outside_reason = forms.CharField(
        label=_("Reason given to the committee"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when the issue is outside the company's responsibility."),
    )

    def __init__(self, *args, staff=staff_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_users()
        show_choices(self.fields["assignee"], staff)
        show_choices(self.fields["department"], department_choices)


class AssignForm(forms.Form):
    assignee = StaffChoiceField(label=_("Person responsible"), queryset=None)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, widget=Select
    )

    def __init__(self, *args, staff=staff_choices, departments=department_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_users()
        show_choices(self.fields["assignee"], staff)
        show_choices(self.fields["department"], departments)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply to the committee"), widget=forms.Textarea(attrs={"rows": 3}))


class OutsideBodyForm(forms.ModelForm):
    acted_at = DateTimeLocalField(label=_("When"))

    class Meta:
        model = OutsideBody
        fields = ["kind", "name", "contact", "action", "acted_at"]
        widgets = {"action": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acted_at"].initial = local_now()


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("How it was resolved"), widget=forms.Textarea(attrs={"rows": 3}))


class CallbackForm(forms.Form):
    called_at = DateTimeLocalField(label=_("When"))
    method = forms.ChoiceField(
        label=_("Method"), choices=[c for c in Callback.Method.choices if c[0] != Callback.Method.ONLINE]
    )
    person_reached = forms.CharField(label=_("Person reached"), max_length=100)
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 2}))
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    next_step = forms.CharField(label=_("Next step"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    resolved = forms.BooleanField(
        label=_("The matter is resolved (closes the issue if the committee is satisfied)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["called_at"].initial = local_now()


class ConfirmForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("If you are not satisfied, say what is still not resolved."),
    )


class CloseForm(forms.Form):
    decision = forms.CharField(
        label=_("Manager's decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed unless a satisfied callback was recorded after the resolution."),
    )


class AttachForm(forms.Form):
    file = forms.FileField(label=_("File"), validators=[validate_upload])


# a date filter outside these bounds would overflow the end-of-day arithmetic (9999-12-31 + 1 day)
FILTER_DATE_MIN = datetime.date(2000, 1, 1)
FILTER_DATE_MAX = datetime.date(2100, 12, 31)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=TextInput)
    estate = ListedChoiceField(label=_("Estate"), queryset=Estate.objects.none(), required=False)
    committee = ListedChoiceField(label=_("Committee"), queryset=None, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—"), ("open", _("All open"))] + Issue.Status.choices,
        required=False,
        widget=Select,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False, widget=CheckboxInput)
    assignee = ListedStaffChoiceField(label=_("Person responsible"), queryset=None, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—")] + Category.choices, required=False, widget=Select
    )
    date_from = forms.DateField(
        label=_("Raised from"), required=False, widget=DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Raised until"), required=False, widget=DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, estates, committees, staff=staff_choices, shown=None, **kwargs):
        """`shown` may give the estates' and committees' options ({"estate": Options, "committee": …})
        instead of reading them from `estates` and `committees`."""
        super().__init__(*args, **kwargs)
        shown = shown or {}
        self.fields["estate"].queryset = estates
        self.fields["committee"].queryset = committees.select_related("estate")
        self.fields["committee"].label_from_instance = lambda c: f"{c.estate.name} · {c.name}"
        self.fields["assignee"].queryset = staff_users()
        show_choices(self.fields["estate"], shown.get("estate") or functools.partial(estate_choices, estates))
        show_choices(
            self.fields["committee"], shown.get("committee") or functools.partial(committee_choices, committees)
        )
        show_choices(self.fields["assignee"], staff)

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            d = data.get(name)
            if d and not (FILTER_DATE_MIN <= d <= FILTER_DATE_MAX):
                self.add_error(name, _("Choose a date between 2000 and 2100."))
                data[name] = None
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("The start date is after the end date."))
        return data
