"""The Excel export read back with openpyxl (issue 18): merged group headers, numbers and percentages
as such, panes frozen under the headers, a filter on the header row, the traffic light per row."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from assessment import table, views


@pytest.fixture(autouse=True)
def _clock(monkeypatch, now):
    monkeypatch.setattr(views, "current_time", lambda: now)


def _sheet(client):
    response = client.get(reverse("assessment:export_xlsx", args=[2026, 10]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def test_headers_are_merged_and_figures_formatted(client_for, october, leader):
    ws = _sheet(client_for(leader))
    merged = {str(r) for r in ws.merged_cells.ranges}
    # each group over its own columns (from column D, in table.COLUMNS order), the rest over both rows
    spans, col = [], 4
    for group in dict.fromkeys(c.group for c in table.COLUMNS):
        width = sum(1 for c in table.COLUMNS if c.group == group)
        spans.append((col, col + width - 1))
        col += width
    ranges = {f"{get_column_letter(a)}2:{get_column_letter(b)}2" for a, b in spans}
    assert len(spans) == 5 and ranges <= merged
    last = col + 1  # the two columns after the groups (light, score basis)
    outside = {f"{get_column_letter(c)}2:{get_column_letter(c)}3" for c in (1, 2, 3, col, last)}
    assert outside <= merged
    assert [ws.cell(row=2, column=a).value for a, _b in spans] == [
        "会议频次",
        "会议",
        "问题跟进",
        "签名确认",
        "满意度（回访）",
    ]
    assert ws.freeze_panes == "C4"
    assert (
        ws.auto_filter.ref == f"A3:{get_column_letter(last)}5"
    )  # two estates ranked; the total under them is not filtered
    rows = {r[1].value: r for r in ws.iter_rows(min_row=4)}
    a = rows["翠湖花园"]
    keys = [None, None, None] + [c.key for c in table.COLUMNS]
    reply = a[keys.index("reply_pct")]
    assert reply.value == 0.75 and reply.number_format == "0%"
    assert a[keys.index("raised")].value == 4 and a[keys.index("raised")].number_format == "0"
    assert a[2].value == 57.1 and a[2].number_format == "0.0"
    light = len(keys)  # the column after the figures
    assert a[light].value == "红灯" and a[light].fill.fgColor.rgb.endswith("F8D7DA")
    assert rows["锦绣苑"][light].value == "绿灯"
    total = rows["所列小区合计"]
    assert total[0].value is None and total[1].font.bold
