"""The sign-off panel on the home page: documents waiting for the user's signature and, for those who
manage estates, their open requests with who has not signed yet."""

from collections import namedtuple

from liaison import rawsql
from liaison.links import object_url
from liaison.views import home_scope

from .models import SignoffRequest


class Pending(namedtuple("Pending", "pk title created_at committee_name")):
    @property
    def url(self):
        return object_url("records:signoff_detail", self.pk)


Waiting = namedtuple("Waiting", "pk name")


class Outstanding(namedtuple("Outstanding", "pk title")):
    url = Pending.url


# the 20 newest open requests of the estates they manage
_REQUESTS = f"""
SELECT r.id, r.title FROM records_signoffrequest r
WHERE r.status = '{SignoffRequest.Status.OPEN}' AND {{managed}} AND {{visible}} ORDER BY r.created_at DESC, r.id DESC LIMIT 20
"""
# the user's signer rows on the open requests they may see, and every signer row of the requests
# {listed}, each with whether it holds a valid signature on its request's current (highest-numbered)
# version (signoff.valid_signatures), newest request first
_SIGNERS = f"""
SELECT s.id, s.name, s.user_id,
  EXISTS (
    SELECT 1 FROM records_signature g WHERE g.signer_id = s.id AND g.voided_at IS NULL AND g.version_id = (
      SELECT v.id FROM records_documentversion v WHERE v.request_id = s.request_id ORDER BY v.number DESC LIMIT 1
    )
  ),
  r.id, r.title, r.created_at, c.name
FROM records_signer s
JOIN records_signoffrequest r ON r.id = s.request_id
JOIN liaison_committee c ON c.id = r.committee_id
WHERE (s.user_id = %s AND r.status = '{SignoffRequest.Status.OPEN}' AND {{visible}}) OR {{listed}}
ORDER BY r.created_at DESC, r.id DESC, s.is_chair DESC, s.name
"""


def panel(request, now):
    """Signers: documents waiting for their signature (records.views.signoff_pending_for). Directors:
    the 20 newest open requests of the estates they manage and who has not signed the current version
    (signoff.outstanding for each). Two queries."""
    user = request.user
    if not user.is_authenticated:
        return None
    scope = home_scope(request)
    visible, visible_params = scope.where("r.estate_id", "r.committee_id")
    reqs = []
    if not user.is_committee:
        managed, managed_params = scope.managed_where("r.estate_id")
        sql = _REQUESTS.format(managed=managed, visible=visible)
        reqs = [Outstanding(*row) for row in rawsql.select(sql, [*managed_params, *visible_params])]
    waiting = {r.pk: [] for r in reqs}
    pending = {}
    listed, listed_params = rawsql.within("s.request_id", waiting)
    rows = rawsql.select(_SIGNERS.format(visible=visible, listed=listed), [user.pk, *visible_params, *listed_params])
    for pk, name, user_id, signed, request_id, title, created_at, committee_name in rows:
        if signed:
            continue
        if user_id == user.pk:
            pending.setdefault(request_id, Pending(request_id, title, rawsql.aware(created_at), committee_name))
        if request_id in waiting:
            waiting[request_id].append(Waiting(pk, name))
    if not pending and not reqs:
        return None
    return {
        "template": "records/home_panel.html",
        "pending": list(pending.values()),
        "outstanding": [(r, waiting[r.pk]) for r in reqs],
    }
