"""Calendar months in Asia/Shanghai as [start, end) aware datetimes."""

import dataclasses
import datetime
import re
import zoneinfo

from django.conf import settings
from django.utils import timezone


def local_tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclasses.dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text):
        """'2026-10' -> Month, or None when it is not a valid month."""
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", (text or "").strip())
        if not m:
            return None
        year, month = int(m.group(1)), int(m.group(2))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            return None
        return cls(year, month)

    @classmethod
    def containing(cls, moment):
        local = timezone.localtime(moment, local_tz())
        return cls(local.year, local.month)

    @classmethod
    def default(cls, now):
        """The month shown first: the last month that has ended."""
        return cls.containing(now).add(-1)

    def add(self, n):
        index = self.year * 12 + (self.month - 1) + n
        return Month(index // 12, index % 12 + 1)

    @property
    def start(self):
        return datetime.datetime(self.year, self.month, 1, tzinfo=local_tz())

    @property
    def end(self):
        return self.add(1).start

    @property
    def first_day(self):
        return datetime.date(self.year, self.month, 1)

    @property
    def last_day(self):
        return self.add(1).first_day - datetime.timedelta(days=1)

    def cutoff(self, now):
        """The moment the month's state is read at: its end, or now while it runs."""
        return min(self.end, now)

    def has_ended(self, now):
        return now >= self.end

    def __str__(self):
        return f"{self.year}-{self.month:02d}"

    def last(self, n):
        """The n months ending with this one, oldest first."""
        return [self.add(-i) for i in range(n - 1, -1, -1)]
