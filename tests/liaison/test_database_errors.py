from django.db import DatabaseError
from django.urls import reverse

from liaison.models import StaffAssignment


def test_a_one_button_action_that_fails_in_the_database_says_so_and_changes_nothing(
    client, admin_user, director_a, estate_a, monkeypatch
):
    assignment = StaffAssignment.objects.get(user=director_a)

    def broken_delete(self, *args, **kwargs):
        raise DatabaseError("simulated: connection lost")

    monkeypatch.setattr(StaffAssignment, "delete", broken_delete)
    client.force_login(admin_user)
    r = client.post(
        reverse("assignment_remove", args=[assignment.pk]),
        HTTP_REFERER=f"http://testserver/estates/{estate_a.pk}/",
    )
    assert r.status_code == 503
    body = r.content.decode()
    assert "未保存任何内容" in body and f'href="http://testserver/estates/{estate_a.pk}/"' in body
    assert StaffAssignment.objects.filter(pk=assignment.pk).exists()
    # the audit row written before the failure was rolled back with it
    from liaison.models import AuditEntry

    assert not AuditEntry.objects.filter(action="team_removed").exists()
