"""User text made safe for the format it is pasted into: one helper per format (issue 22).

- `safe_cell(value)`: a spreadsheet cell (openpyxl) that Excel shows as text, never evaluates;
- `robot_markdown(text)`: text inside a group robot's markdown (WeCom / DingTalk / Feishu);
- `header_text(text)`: one line for an e-mail header (the subject);
- `ical_text(text, one_line=False)`: a TEXT property of the iCalendar feed and attachments.

Each is applied where the format is written (the export, liaison/webhooks.py, liaison/delivery.py and
meetings/secretariat.py, meetings/ical.py), so every text that goes through them is covered, whatever
page or API it came in by.
"""

import re

from openpyxl.cell.cell import Cell

# --- spreadsheets --------------------------------------------------------------------------------------

# what Excel (and LibreOffice) read as the start of a formula or a command (OWASP "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """`value` for `Worksheet.append`: text that starts like a formula becomes a text cell with Excel's
    quote prefix (the cell shows the text as typed, without the apostrophe, and editing it keeps it
    text); anything else is returned unchanged.

    openpyxl stores a string starting with "=" as a formula (data_type "f"); here the cell's type is
    set back to a string, so the file carries it as text and Excel never evaluates it.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    cell = Cell(None, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def safe_row(values):
    return [safe_cell(v) for v in values]


# --- group robots (markdown) ---------------------------------------------------------------------------

# the robots' markdown dialects honour no backslash escapes reliably: the characters that make links,
# images, emphasis, code, HTML (<font>, <at>) and tables are replaced by their full-width forms, which
# read the same to people and mean nothing to the markdown
_MARKDOWN_INLINE = str.maketrans(
    {
        "\\": "＼",
        "`": "｀",
        "*": "＊",
        "_": "＿",
        "~": "～",
        "[": "［",
        "]": "］",
        "<": "＜",
        ">": "＞",
        "|": "｜",
    }
)
# a heading at the start of a line (">" quotes are replaced everywhere)
_MARKDOWN_HEADING = re.compile(r"^([ \t]*)#", re.MULTILINE)


def robot_markdown(text, *, one_line=False):
    """Plain `text` as markdown that shows it literally (no link, image, emphasis, HTML or heading)."""
    text = _controls(str(text or ""), keep_newlines=not one_line).translate(_MARKDOWN_INLINE)
    return _MARKDOWN_HEADING.sub(r"\1＃", text)


# --- e-mail headers ------------------------------------------------------------------------------------


def header_text(text):
    """One line for an e-mail header: CR, LF and other control characters become spaces (Django refuses
    a header with a newline, BadHeaderError, and the message would never go)."""
    return " ".join(_controls(str(text or ""), keep_newlines=False).split())


# --- iCalendar -----------------------------------------------------------------------------------------


def ical_text(text, *, one_line=False):
    """A TEXT value for icalendar: the library escapes LF (as \\n) but leaves a bare CR, which parsers
    may take as a line end (an injected `URL:` or `BEGIN:VALARM` line); CR LF and a bare CR become LF
    (escaped by the library), other control characters spaces. `one_line` (a parameter such as CN,
    where a line break cannot be escaped): line breaks become spaces too."""
    if text is None:
        return None
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _controls(text, keep_newlines=not one_line)


# --- shared --------------------------------------------------------------------------------------------

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROLS_AND_NEWLINES = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _controls(text, *, keep_newlines):
    """Control characters (C0 but tab, DEL, C1, line/paragraph separators) as spaces; LF kept when
    `keep_newlines` (CR LF and a bare CR count as LF)."""
    if keep_newlines:
        return _CONTROLS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROLS_AND_NEWLINES.sub(" ", text)
