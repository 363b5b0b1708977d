"""Shared personas: two estates (A and B), each with a 业委会 and a 居委会, and one person per role.

Tests ask for what they need by name: director_a, supervisor_a, dept_a, leader, assessor, admin_user,
chair_a, member_a, rc_member_a, chair_b, director_b, and the objects estate_a, oc_a, rc_a, estate_b, oc_b.
"""

import os

import pytest
from django.utils import translation

from liaison.models import Committee, CommitteeMember, Role

from .factories import PASSWORD, AssignmentFactory, CommitteeFactory, EstateFactory, MemberFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API in live-server tests

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# Debian's chromium driven by Playwright (no browser download). Module scope: Playwright's sync API
# allows one running instance at a time, and a module's tests share it.
@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"chromium not installed at {CHROMIUM} (make setup installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # rate-limit counts live in the (per-process) cache: one test's tries must not use up the next one's
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_and_lang(settings, tmp_path):
    # each test starts in the default language: a request in English would otherwise leave the
    # thread's active language behind for the next test
    translation.activate(settings.LANGUAGE_CODE)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = False  # re-enabled by the throttling tests
    # hashing is not what these tests are about; PBKDF2 per persona would dominate the suite's time
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def estate_a(db):
    return EstateFactory(name="翠湖花园")


@pytest.fixture
def estate_b(db):
    return EstateFactory(name="锦绣苑")


@pytest.fixture
def oc_a(estate_a):
    return CommitteeFactory(estate=estate_a, kind=Committee.Kind.OC, name="翠湖花园业主委员会")


@pytest.fixture
def rc_a(estate_a):
    return CommitteeFactory(estate=estate_a, kind=Committee.Kind.RC, name="粤海社区居委会", term_end=None)


@pytest.fixture
def oc_b(estate_b):
    return CommitteeFactory(estate=estate_b, kind=Committee.Kind.OC, name="锦绣苑业主委员会")


@pytest.fixture
def director_a(estate_a):
    user = UserFactory(username="director_a", name="王主任", role=Role.DIRECTOR)
    AssignmentFactory(estate=estate_a, user=user, role=Role.DIRECTOR)
    return user


@pytest.fixture
def supervisor_a(estate_a):
    user = UserFactory(username="supervisor_a", name="李主管", role=Role.SUPERVISOR)
    AssignmentFactory(estate=estate_a, user=user, role=Role.SUPERVISOR)
    return user


@pytest.fixture
def dept_a(estate_a):
    user = UserFactory(username="dept_a", name="赵工", role=Role.DEPARTMENT)
    AssignmentFactory(estate=estate_a, user=user, role=Role.DEPARTMENT)
    return user


@pytest.fixture
def director_b(estate_b):
    user = UserFactory(username="director_b", name="钱主任", role=Role.DIRECTOR)
    AssignmentFactory(estate=estate_b, user=user, role=Role.DIRECTOR)
    return user


@pytest.fixture
def leader(db):
    return UserFactory(username="leader", name="陈总", role=Role.LEADER)


@pytest.fixture
def assessor(db):
    return UserFactory(username="assessor", name="周考核", role=Role.ASSESSOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", name="管理员", role=Role.ADMIN, is_superuser=True, is_staff=True)


@pytest.fixture
def chair_a(oc_a):
    return MemberFactory(
        committee=oc_a,
        role=CommitteeMember.Role.CHAIR,
        user=UserFactory(username="chair_a", name="张喆", role=Role.COMMITTEE),
    ).user


@pytest.fixture
def member_a(oc_a):
    return MemberFactory(
        committee=oc_a,
        role=CommitteeMember.Role.MEMBER,
        user=UserFactory(username="member_a", name="刘堃", role=Role.COMMITTEE),
    ).user


@pytest.fixture
def rc_member_a(rc_a):
    return MemberFactory(
        committee=rc_a,
        role=CommitteeMember.Role.MEMBER,
        user=UserFactory(username="rc_member_a", name="马晓兰", role=Role.COMMITTEE),
    ).user


@pytest.fixture
def chair_b(oc_b):
    return MemberFactory(
        committee=oc_b,
        role=CommitteeMember.Role.CHAIR,
        user=UserFactory(username="chair_b", name="黄昇", role=Role.COMMITTEE),
    ).user


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def eager_celery():
    """Tasks run in the calling process when enqueued (the one-time SMS of liaison.otp leave from a task)."""
    from liaison.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
