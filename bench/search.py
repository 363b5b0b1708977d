# ruff: noqa: I001 - _common sets Django up and must be imported before Django modules
"""The search box on the bulk data: a two-character and a four-character query, as a leader (every
estate) and as a committee chair (one committee), each next to the same person's issue list, first page,
timed in the same run.

    python bench/search.py

Its growth from 200 to 1,000 estates is in `pages.py --compare` (the same four searches are among its
pages; goal for search: at most 1.5x).
"""

from _common import client_for, need_bulk_data, report, time_get

from django.urls import reverse

from urllib.parse import quote

from pages import chair_and_director

QUERIES = ["渗水", "地下车库"]


def main():
    need_bulk_data()
    for who, username in (("leader", "b_leader1"), ("committee chair", chair_and_director()[0])):
        client = client_for(username)
        list_ms, list_q, _ = time_get(client, reverse("followups:list"), paired=False)
        report(f"issue list, first page ({who})", list_ms, queries=list_q)
        for q in QUERIES:
            ms, queries, status = time_get(client, reverse("search:search") + f"?q={quote(q)}", paired=False)
            if status != 200:
                print(f"search {q} ({who}): FAILED, answered {status}", flush=True)
                continue
            report(f"search {q} ({who})", ms, queries=queries, extra=f"= {ms / list_ms:.2f}x the issue list")


if __name__ == "__main__":
    main()
