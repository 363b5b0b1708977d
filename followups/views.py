from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


issue_list = issue_export = bulk_assign = issue_create = policy_list = issue_detail = _todo
issue_classify = issue_assign = issue_reply = issue_coordinate = issue_resolve = _todo
issue_callback = issue_confirm = issue_close = issue_attach = attachment_download = _todo
