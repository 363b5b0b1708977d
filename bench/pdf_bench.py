"""PDF speed and size: a warm one-page Chinese sign-in sheet vs the same layout in a Latin-only font.

Prints one line. Goal (issue 5): Chinese ≤ 1.5× the Latin time, ≤ 150 KiB; a 30-meeting batch in
proportion. Renders through records.pdf exactly as the portal does (forked child with a time limit).
Usage: .venv/bin/python bench/pdf_bench.py [repeats]
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("LIAISON_VAR_DIR", "/tmp/var-records-bench")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from records import pdf  # noqa: E402

LATIN_CSS = '@page { font-family: "DejaVu Sans"; } html { font-family: "DejaVu Sans"; }'
CJK_NAMES = ["张喆", "刘堃", "黄昇", "孙珺", "陈彧", "吴燊", "王建国", "李芳", "赵工", "马晓兰", "周敏", "钱立"]
LATIN_NAMES = [
    "Zhang Zhe",
    "Liu Kun",
    "Huang Sheng",
    "Sun Jun",
    "Chen Yu",
    "Wu Shen",
    "Wang Jianguo",
    "Li Fang",
    "Zhao Gong",
    "Ma Xiaolan",
    "Zhou Min",
    "Qian Li",
]


def sheet(i, cjk):
    names = CJK_NAMES if cjk else LATIN_NAMES
    unit = "翠湖花园业主委员会 委员" if cjk else "Green Lake Garden owners' committee, member"
    return {
        "company_name": "深圳市示范物业管理有限公司" if cjk else "Demo Property Management Co., Ltd.",
        "estate_name": "翠湖花园" if cjk else "Green Lake Garden",
        "docref": f"M-{i:05d}",
        "title": ("第三季度工作协调会议" if cjk else "Third-quarter coordination meeting") + f" {i}",
        "when": "2026年11月24日 14:30–16:00" if cjk else "24 November 2026 14:30-16:00",
        "place": "翠湖花园会所二楼会议室" if cjk else "Green Lake Garden clubhouse, 2nd floor meeting room",
        "host": "王建国" if cjk else "Wang Jianguo",
        "qr": QR,
        "rows": [{"name": names[k % len(names)], "unit": unit, "phone": f"1381234{k:04d}"} for k in range(10)],
        "blank_rows": range(11, 16),
    }


def render(n, cjk):
    with translation.override("zh-hans" if cjk else "en"):
        return pdf.render_pdf(
            "records/pdf/signin_sheet.html",
            {"sheets": [sheet(i, cjk) for i in range(n)], "form_code": "AM-02-R02"},
            extra_css=() if cjk else (LATIN_CSS,),
        )


def timed(n, cjk, repeats):
    render(n, cjk)  # warm
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        data = render(n, cjk)
        times.append(time.perf_counter() - t)
    return statistics.median(times), data


if __name__ == "__main__":
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    QR = pdf.qr_data_uri("http://127.0.0.1:8000/meetings/checkin/xxxxxxxx")
    t_zh, zh = timed(1, True, repeats)
    t_en, en = timed(1, False, repeats)
    t_batch, batch = timed(30, True, max(1, repeats // 3))
    ok = t_zh <= 1.5 * t_en and len(zh) <= 150 * 1024
    print(
        f"sign-in sheet, 1 page, warm, median of {repeats}: Chinese {t_zh * 1000:.0f} ms / Latin {t_en * 1000:.0f} ms"
        f" = {t_zh / t_en:.2f}x (goal <=1.5x); size {len(zh) / 1024:.0f} KiB (Latin {len(en) / 1024:.0f} KiB, goal"
        f" <=150 KiB); 30-meeting batch {t_batch * 1000:.0f} ms = {t_batch / t_zh:.1f}x one sheet,"
        f" {len(batch) / 1024:.0f} KiB; {'OK' if ok else 'GOAL MISSED'}"
    )
