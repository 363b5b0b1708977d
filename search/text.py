"""Matching a query in a text, for showing results: a short excerpt around the first match and the
text cut into parts that do or do not match (the template marks the matching ones)."""

import re

EXCERPT = 60  # characters around the first match in a long text


def parts(text, query):
    """`text` as [(piece, matched)] with every case-insensitive occurrence of `query` matched."""
    text = text or ""
    if not query:
        return [(text, False)]
    out, at = [], 0
    for found in re.finditer(re.escape(query), text, flags=re.IGNORECASE):
        if found.start() > at:
            out.append((text[at : found.start()], False))
        out.append((found.group(), True))
        at = found.end()
    if at < len(text):
        out.append((text[at:], False))
    return out


def excerpt(text, query):
    """About EXCERPT characters of `text` around the first match of `query`, with … where cut; the
    whole text when short or without a match (the start then)."""
    text = " ".join((text or "").split())
    if len(text) <= EXCERPT * 2:
        return text
    where = text.lower().find(query.lower()) if query else -1
    if where < 0:
        return text[: EXCERPT * 2] + "…"
    start = max(0, where - EXCERPT // 2)
    end = min(len(text), start + EXCERPT * 2)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def first_match(query, *texts):
    """The first of `texts` that contains `query` (case-insensitive), else the first text."""
    q = query.lower()
    for t in texts:
        if t and q in t.lower():
            return t
    return texts[0] if texts else ""
