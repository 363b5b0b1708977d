"""The Excel export read back with openpyxl (issue 18): merged group headers, numbers and percentages
as such, panes frozen under the headers, a filter on the header row, the traffic light per row."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

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
    # the groups over their columns: cadence D–G, meetings H–L, issues M–U, sign-off V–X, satisfaction Y–AA
    assert {"D2:G2", "H2:L2", "M2:U2", "V2:X2", "Y2:AA2"} <= merged
    assert {"A2:A3", "B2:B3", "C2:C3", "AB2:AB3", "AC2:AC3"} <= merged  # outside a group: both rows
    assert [ws.cell(row=2, column=c).value for c in (4, 8, 13, 22, 25)] == [
        "会议频次",
        "会议",
        "问题跟进",
        "签名确认",
        "满意度（回访）",
    ]
    assert ws.freeze_panes == "C4"
    assert ws.auto_filter.ref == "A3:AC5"  # two estates ranked; the total under them is not filtered
    rows = {r[1].value: r for r in ws.iter_rows(min_row=4)}
    a = rows["翠湖花园"]
    keys = [None, None, None] + [c.key for c in table.COLUMNS]
    reply = a[keys.index("reply_pct")]
    assert reply.value == 0.75 and reply.number_format == "0%"
    assert a[keys.index("raised")].value == 4 and a[keys.index("raised")].number_format == "0"
    assert a[2].value == 57.1 and a[2].number_format == "0.0"
    assert a[27].value == "红灯" and a[27].fill.fgColor.rgb.endswith("F8D7DA")
    assert rows["锦绣苑"][27].value == "绿灯"
    total = rows["所列小区合计"]
    assert total[0].value is None and total[1].font.bold
