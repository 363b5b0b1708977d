"""Load test: a mix of office directors, committee members and managers using the portal.

Run by bench/load.py against gunicorn on loopback (or by hand):
    locust -f bench/locustfile.py --headless -u 30 -r 10 -t 60s --host http://127.0.0.1:8000
Needs the bulk data (`manage.py seed_bulk`; every account's password is liaison-bench-2026).
Each simulated user logs in once through the login form, then browses with think time. Requests to the
baseline page are named "baseline: inbox" so load.py can report ratios against it.
"""

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "liaison-bench-2026")
ESTATES = int(os.environ.get("BENCH_ESTATES", "200"))
ISSUE_LINK = re.compile(r'href="/issues/(\d+)/"')


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def username(self):
        raise NotImplementedError

    def on_start(self):
        self.issue_ids = []
        self.client.headers["Accept-Language"] = "zh-hans"
        self.client.get("/login/", name="login form")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/login/",
            {"username": self.username(), "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"login as {self.username()} answered {r.status_code}")

    def page(self, path, name=None):
        with self.client.get(path, name=name or path, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
            elif "/issues/" in path:
                self.issue_ids = ISSUE_LINK.findall(r.text)[:20] or self.issue_ids
            return r

    def an_issue(self):
        if self.issue_ids:
            self.page(f"/issues/{random.choice(self.issue_ids)}/", name="issue detail")

    @task(2)
    def inbox(self):
        self.page("/inbox/", name="baseline: inbox")


class Director(PortalUser):
    weight = 3

    def username(self):
        return f"b_director{random.randint(1, ESTATES // 5):03d}"

    @task(3)
    def home(self):
        self.page("/", name="home (director)")

    @task(3)
    def issues(self):
        self.page("/issues/?status=open", name="issue list (director, open)")

    @task(2)
    def detail(self):
        self.an_issue()

    @task(1)
    def meetings(self):
        self.page("/meetings/", name="meetings (director)")


class CommitteeMember(PortalUser):
    weight = 5

    def username(self):
        # b_<estate number>_rc_01 exists for every estate (every estate has a residents' committee)
        return f"b_{self.estate_number:03d}_rc_01"

    def on_start(self):
        self.estate_number = random.randint(1, ESTATES)
        super().on_start()

    @task(3)
    def home(self):
        self.page("/", name="home (committee member)")

    @task(2)
    def issues(self):
        self.page("/issues/", name="issue list (committee member)")

    @task(2)
    def detail(self):
        self.an_issue()


class Manager(PortalUser):
    """Leaders in charge: every estate."""

    weight = 2

    def username(self):
        return f"b_leader{random.randint(1, 3)}"

    @task(2)
    def home(self):
        self.page("/", name="home (leader)")

    @task(3)
    def overdue(self):
        self.page("/issues/?overdue=on", name="issue list (leader, all overdue)")

    @task(1)
    def detail(self):
        self.an_issue()
