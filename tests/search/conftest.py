from tests.followups.conftest import raise_issue  # noqa: F401
from tests.meetings.conftest import kinds, make_meeting, now  # noqa: F401
