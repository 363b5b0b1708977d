"""Smaller CJK PDFs: embed subset CID-keyed CFF fonts as bare CFF with their original CIDs.

WeasyPrint 70 subsets fonts *keeping glyph ids* (HarfBuzz RETAIN_GIDS) and embeds them as OpenType.
For Noto Sans CJK (65,535 glyphs, ideographs at high ids) the retained empty glyphs cost ~80 KiB in
every PDF, even for three Chinese characters. Here we subset to the used glyphs only (HarfBuzz keeps
each glyph's original CID in the CFF charset) and embed the bare CFF
(FontFile3 /CIDFontType0C): PDF viewers then select glyphs by CID through the charset, and the CIDs
WeasyPrint wrote in the page content stay valid. TrueType and non-CID fonts keep WeasyPrint's path.

install() is idempotent and checked: on any unexpected WeasyPrint version or failure it leaves
WeasyPrint untouched (bigger PDFs, same text). HarfBuzz may add a few glyphs to the subset (layout
closure): harmless, the charset still maps each glyph to its own CID.
"""

import io
import logging

log = logging.getLogger(__name__)
_installed = None
CFF_MARK = "_liaison_bare_cff"
DROP = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GDEF", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT")
DROP += (b"SVG ", b"VORG", b"cmap", b"vhea", b"vmtx", b"kern", b"name", b"post", b"OS/2")


def _bare_cff(font, to_unicode, hinting):
    from fontTools.ttLib import TTFont
    from weasyprint.pdf.fonts import get_hb_object_data
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    gids = sorted(set(to_unicode) | {0})
    plan = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(plan)
    array = ffi.new(f"hb_codepoint_t[{len(gids)}]", gids)
    harfbuzz.hb_set_add_sorted_array(glyphs, array, len(gids))
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    harfbuzz_subset.hb_subset_input_set_flags(plan, flags)
    drop_set = harfbuzz_subset.hb_subset_input_set(plan, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = sorted(harfbuzz.hb_tag_from_string(t, -1) for t in DROP)
    tag_array = ffi.new(f"hb_codepoint_t[{len(tags)}]", tags)
    harfbuzz.hb_set_add_sorted_array(drop_set, tag_array, len(tags))
    face = ffi.gc(harfbuzz_subset.hb_subset_or_fail(font.hb_face, plan), harfbuzz.hb_face_destroy)
    data = get_hb_object_data(face) if face else None
    if not data or data[:4] != b"OTTO":
        return None
    ttf = TTFont(io.BytesIO(data))
    top = ttf["CFF "].cff.topDictIndex[0]
    names = set(ttf.getGlyphOrder())
    # HarfBuzz keeps each glyph's original CID in the charset of a CID-keyed CFF; WeasyPrint writes
    # glyph ids as CIDs, so this only works when the font's CIDs equal its glyph ids (Noto CJK: yes).
    if not hasattr(top, "ROS") or any(f"cid{g:05d}" not in names for g in gids[1:]):
        log.info("bare CFF not used for %s", font.family)
        return None
    return ttf.getTableData("CFF ")


def install():
    """Patch WeasyPrint (70.x) once; returns True when the smaller embedding is active."""
    global _installed
    if _installed is not None:
        return _installed
    _installed = False
    try:
        import pydyf
        import weasyprint
        from weasyprint.pdf import fonts as wf
        from weasyprint.text.ffi import harfbuzz_subset

        if not weasyprint.__version__.startswith("70.") or not harfbuzz_subset:
            return False
        original_subset = wf.Font._harfbuzz_subset
        original_type = wf.Font.type

        def _harfbuzz_subset(self, to_unicode, hinting):
            try:
                cff = _bare_cff(self, to_unicode, hinting)
            except Exception:  # noqa: BLE001 - never lose a PDF over an optimisation
                log.warning("bare CFF subsetting failed for %s; using WeasyPrint's", self.family, exc_info=True)
                cff = None
            if cff is None:
                return original_subset(self, to_unicode, hinting)
            self.file_content = cff
            setattr(self, CFF_MARK, True)

        def _type(self):
            return "otf" if getattr(self, CFF_MARK, False) else original_type.fget(self)

        class _Stream(pydyf.Stream):
            # fonts.py builds the font file stream as Stream([content], {'Subtype': '/OpenType'}):
            # a bare CFF (header 01 00 04) must be declared /CIDFontType0C instead.
            def __init__(self, stream=None, extra=None, compress=False):
                if extra is not None and extra.get("Subtype") == "/OpenType" and stream and len(stream) == 1:
                    first = stream[0]
                    if isinstance(first, bytes) and first[:1] == b"\x01" and first[:4] != b"OTTO":
                        extra["Subtype"] = "/CIDFontType0C"
                super().__init__(stream, extra, compress)

        class _Pydyf:
            def __getattr__(self, name):
                return _Stream if name == "Stream" else getattr(pydyf, name)

        wf.Font._harfbuzz_subset = _harfbuzz_subset
        wf.Font.type = property(_type)
        wf.pydyf = _Pydyf()
        _installed = True
    except Exception:  # noqa: BLE001
        log.warning("could not install the CJK font embedding; PDFs stay larger", exc_info=True)
    return _installed
