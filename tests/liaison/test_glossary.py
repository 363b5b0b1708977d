"""The product's words (docs/glossary.md).

Every catalogue is merged into one table at run time (the project's locale/ first, then the apps in
INSTALLED_APPS order), so a contextless msgid has one rendering in the whole product. The tests read the
banned renderings from the glossary's table, so the page and the test are one source.
"""

import ast
import dataclasses
import re
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGUES = sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)
ANY = "*"


@dataclasses.dataclass
class Entry:
    context: str | None
    msgid: str
    plural: str | None
    msgstrs: list
    line: int


def read_po(path):
    """The live entries of a .po file (obsolete `#~` entries skipped), without a third-party parser."""
    entries, cur, key, start = [], {}, None, 0

    def flush():
        if cur.get("msgid"):
            strs = [v for k, v in sorted(cur.items()) if k.startswith("msgstr")]
            entries.append(Entry(cur.get("msgctxt"), cur["msgid"], cur.get("msgid_plural"), strs, start))
        cur.clear()

    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            continue
        m = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
        if m:
            key = m.group(1)
            # a new entry starts at its msgctxt, or at its msgid when it has none
            if key in ("msgctxt", "msgid") and "msgid" in cur:
                flush()
            if not cur:
                start = n
            cur[key] = ast.literal_eval(m.group(2))
        elif line.startswith('"') and key:
            cur[key] += ast.literal_eval(line)
    flush()
    return entries


def banned_rows():
    """[(msgid, context or None or ANY, banned msgstr, why)] from the glossary's banned table."""
    text = GLOSSARY.read_text(encoding="utf-8")
    block = text.split("<!-- banned:start -->", 1)[1].split("<!-- banned:end -->", 1)[0]
    rows = []
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("msgid", "") or set(cells[0]) <= set("-"):
            continue
        msgid, context, msgstr, why = cells
        rows.append((msgid, None if context == "—" else context, msgstr, why))
    return rows


def violations(context, msgid, msgstrs, rows=None):
    return [
        (b_msgid, b_ctx, b_str, why)
        for b_msgid, b_ctx, b_str, why in (banned_rows() if rows is None else rows)
        if b_msgid == msgid and (b_ctx == ANY or b_ctx == context) and b_str in msgstrs
    ]


def banned_in(catalogues, rows):
    """Lines saying where a catalogue renders a (context, msgid) the way the glossary bans."""
    return [
        f"{_label(po)}:{e.line} {e.context or '—'} {e.msgid!r} → {s} ({why})"
        for po in catalogues
        for e in read_po(po)
        for _m, _c, s, why in violations(e.context, e.msgid, e.msgstrs, rows)
    ]


def contradictions(catalogues):
    """Lines naming each (context, msgid) that two catalogues translate differently."""
    seen = {}
    for po in catalogues:
        for e in read_po(po):
            seen.setdefault((e.context, e.msgid), {}).setdefault(tuple(e.msgstrs), []).append(_label(po))
    return [
        f"{ctx or '—'} {msgid!r}: "
        + "; ".join(f"{'/'.join(s)} in {', '.join(files)}" for s, files in renderings.items())
        for (ctx, msgid), renderings in sorted(seen.items(), key=lambda kv: (kv[0][1], kv[0][0] or ""))
        if len(renderings) > 1
    ]


def _label(p):
    p = Path(p)
    try:
        p = p.relative_to(ROOT)
    except ValueError:
        return p.name
    return p.parts[0] if p.parts[1:2] == ("locale",) else str(p)


def test_the_banned_table_is_read():
    rows = [r[:3] for r in banned_rows()]
    assert ("Open", None, "打开") in rows and ("From", ANY, "来自") in rows and ("Name", "thing", "姓名") in rows
    assert len(rows) >= 10


OLD_WORDS = """
msgid "Open"
msgstr "打开"

msgid "Raised"
msgstr "提出时间"

msgctxt "thing"
msgid "Name"
msgstr "姓名"

msgid "From"
msgstr "来自"

msgctxt "issue"
msgid "Resolution"
msgstr "决议"
"""


def test_the_checks_find_the_words_the_project_catalogue_used_to_impose(tmp_path):
    # what locale/ and the apps said before the glossary: each is reported, and a catalogue that
    # contradicts another is reported too
    old = tmp_path / "project.po"
    old.write_text(OLD_WORDS, encoding="utf-8")
    app = tmp_path / "app.po"
    app.write_text('msgid "Open"\nmsgstr "未关闭"\n', encoding="utf-8")
    found = "\n".join(banned_in([old], banned_rows()))
    for word in ("打开", "提出时间", "姓名", "来自", "决议"):
        assert word in found, word
    assert contradictions([old, app]) == ["— 'Open': 打开 in project.po; 未关闭 in app.po"]


@pytest.mark.parametrize("po", CATALOGUES, ids=_label)
def test_no_catalogue_renders_a_word_the_glossary_bans(po):
    bad = banned_in([po], banned_rows())
    assert not bad, "\n".join(bad)


def test_what_the_user_reads_uses_no_banned_word():
    """The merged table: whatever catalogue wins for a msgid, its rendering is not banned."""
    rows, bad = banned_rows(), []
    with translation.override("zh-hans"):
        for po in CATALOGUES:
            for e in read_po(po):
                if e.plural:
                    shown = (
                        translation.npgettext(e.context, e.msgid, e.plural, 1)
                        if e.context
                        else translation.ngettext(e.msgid, e.plural, 1)
                    )
                else:
                    shown = translation.pgettext(e.context, e.msgid) if e.context else translation.gettext(e.msgid)
                for _m, _c, s, why in violations(e.context, e.msgid, [shown], rows):
                    bad.append(f"{e.context or '—'} {e.msgid!r} is shown as {s} ({why})")
    assert not bad, "\n".join(sorted(set(bad)))


def test_a_msgid_reads_the_same_in_every_catalogue():
    """Two catalogues translating one (context, msgid) differently: only the first in the merge order is
    ever shown, so the other app shows a word meant for somewhere else. Give the usages a context."""
    bad = contradictions(CATALOGUES)
    assert not bad, "\n".join(bad)
