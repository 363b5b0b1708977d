import shutil
import subprocess

import pytest

from liaison.models import CommitteeMember, Role
from tests.factories import MemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _records_settings(settings):
    settings.SITE_URL = "https://portal.example.cn"
    settings.PDF_RENDER_TIMEOUT = 60


@pytest.fixture
def secretary_a(oc_a):
    return MemberFactory(
        committee=oc_a,
        role=CommitteeMember.Role.SECRETARY,
        user=UserFactory(username="secretary_a", name="孙珺", role=Role.COMMITTEE),
    ).user


def _tool(name):
    if not shutil.which(name):
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return name


@pytest.fixture
def pdftext():
    def run(data: bytes) -> str:
        return subprocess.run(
            [_tool("pdftotext"), "-layout", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode()

    return run


@pytest.fixture
def pdffonts(tmp_path):
    def run(data: bytes):
        path = tmp_path / "f.pdf"
        path.write_bytes(data)
        out = subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, check=True, text=True).stdout
        rows = []
        for line in out.splitlines()[2:]:
            parts = line.split()
            # name type... emb sub uni objid gen: the three yes/no columns are at -5..-3
            rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
        return rows

    return run
