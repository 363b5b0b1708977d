"""Look inside a PDF: the embedded CFF fonts and the ToUnicode maps, to prove that every character of a
text is drawn with a real glyph (no empty boxes / .notdef)."""

import io
import re
import zlib

from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont


def streams(data: bytes):
    for m in re.finditer(rb"stream\r?\n", data):
        head_start = data.rfind(b"obj", 0, m.start())
        head = data[head_start : m.start()]
        length = re.search(rb"/Length (\d+)", head)
        if not length or b"endstream" in head:
            continue
        raw = data[m.end() : m.end() + int(length.group(1))]
        if b"/FlateDecode" in head:
            try:
                raw = zlib.decompress(raw)
            except zlib.error:
                continue
        yield head, raw


def unicode_to_cids(data: bytes):
    mapping = {}
    for _head, raw in streams(data):
        if b"beginbfchar" not in raw:
            continue
        for cid, text in re.findall(rb"<([0-9a-f]{4})> <([0-9a-f]+)>", raw):
            chars = bytes.fromhex(text.decode()).decode("utf-16-be")
            for ch in chars:
                mapping.setdefault(ch, set()).add(int(cid, 16))
    return mapping


def glyph_outlines(data: bytes):
    """{cid: has_outline} over all embedded CFF fonts (bare CFF or OpenType-wrapped)."""
    found = {}
    for head, raw in streams(data):
        if b"/CIDFontType0C" in head:
            fs = CFFFontSet()
            fs.decompile(io.BytesIO(raw), None)
            top = fs[fs.fontNames[0]]
            charstrings = top.CharStrings
            for name in charstrings.keys():
                cid = 0 if name == ".notdef" else int(name[3:])
                cs = charstrings[name]
                cs.decompile()
                found[cid] = found.get(cid, False) or _has_outline(cs)
        elif b"/OpenType" in head:
            font = TTFont(io.BytesIO(raw))
            gs = font.getGlyphSet()
            for gid, name in enumerate(font.getGlyphOrder()):
                cs = gs[name]._glyph if hasattr(gs[name], "_glyph") else None
                found[gid] = found.get(gid, False) or (cs is not None and _has_outline(cs))
    return found


def _has_outline(charstring):
    ops = [t for t in charstring.program if isinstance(t, str)]
    return any(
        op.endswith(("lineto", "curveto", "moveto")) or op in ("rlinecurve", "rcurveline", "hflex", "flex")
        for op in ops
    )


def missing_glyphs(data: bytes, text: str):
    """Characters of `text` (ignoring spaces) that are not drawn with a real glyph."""
    cids = unicode_to_cids(data)
    outlines = glyph_outlines(data)
    bad = []
    for ch in sorted(set(text) - set(" \n\t　")):
        ids = cids.get(ch)
        if not ids or 0 in ids or not any(outlines.get(c) for c in ids):
            bad.append(ch)
    return bad
