"""Chinese words: where a caption line may break, and which words a text is about.

Chinese is written without spaces, so a line may break between any two characters, and a break inside a word
(霓虹|灯) reads as a typo. ``rjieba`` (MIT; the Rust port of jieba, with jieba's dictionary) segments text into
words in microseconds once loaded (about 0.1 s, 30 MB, once per process). Only runs of Han characters are
segmented; other scripts keep their own rules (``studio.text.layout``).
"""

from __future__ import annotations

import itertools
import re
from functools import cache

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Parts of speech (jieba's tag set) that name what a text is about: nouns, place, person and other proper names,
# noun-like verbs and idioms.
_TOPIC_TAGS = {"n", "nr", "ns", "nt", "nz", "ng", "s", "vn", "an", "i", "l", "j"}
# Words a piece of a split sentence may not start (Chinese particles that close what comes before: 开了|一家, not
# 开|了一家) or end with (English words that open what comes after: "before the|light", not "before|the light").
_CLOSING_PARTICLES = frozenset("了的地得着过吗呢吧啊呀嘛")
_OPENING_WORDS = frozenset({"a", "an", "the", "of", "to", "in", "on", "at", "for", "with", "from", "by", "into",
                            "before", "after", "and", "or", "but", "my", "his", "her", "its", "our", "their",
                            "your", "this", "that", "these", "those", "very", "so"})


@cache
def _jieba():
    import rjieba

    return rjieba


def words(text: str) -> list[str]:
    """``text`` cut into words (punctuation and other scripts come out as their own pieces)."""
    return list(_jieba().cut(text)) if text else []


def inside_words(text: str) -> frozenset[int]:
    """Offsets in ``text`` that fall between two Han characters of one word: a line should not break there."""
    inside: set[int] = set()
    for run in _HAN_RUN.finditer(text):
        if run.end() - run.start() < 2:
            continue
        offset = run.start()
        for word in words(run.group()):
            inside.update(range(offset + 1, offset + len(word)))
            offset += len(word)
    return frozenset(inside)


def split_at_words(text: str, parts: int) -> list[str]:
    """``text`` in ``parts`` consecutive pieces of about equal length, cut only between words; never an empty
    piece (fewer words than parts gives fewer pieces)."""
    pieces = _phrases([w for w in words(text) if w]) if _HAN.search(text) else _phrases(re.findall(r"\S+\s*", text))
    parts = max(1, min(parts, len(pieces)))
    ends = list(itertools.accumulate(len(p) for p in pieces))  # text length after each piece
    cuts: list[int] = []  # cut after piece cuts[k]
    for k in range(1, parts):
        earliest = cuts[-1] + 1 if cuts else 0
        latest = len(pieces) - 1 - (parts - k)  # a piece left for every part still to come
        target = ends[-1] * k / parts
        cuts.append(min(range(earliest, latest + 1), key=lambda i: abs(ends[i] - target)))
    bounds = [-1, *cuts, len(pieces) - 1]
    return ["".join(pieces[a + 1:b + 1]).strip() for a, b in zip(bounds, bounds[1:], strict=False)]


def _phrases(pieces: list[str]) -> list[str]:
    """Pieces no cut may separate from their neighbour: a closing particle joins the word before it, an opening
    word the word after it."""
    out: list[str] = []
    for piece in pieces:
        last = out[-1].split()[-1].lower() if out and out[-1].split() else ""
        if out and (piece.strip() in _CLOSING_PARTICLES or last in _OPENING_WORDS):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def keywords(text: str, limit: int = 3) -> list[str]:
    """The words ``text`` is about, in order of first use: nouns and names of two or more characters."""
    found: list[str] = []
    for word, tag in _jieba().tag(text):
        if tag in _TOPIC_TAGS and len(word) >= 2 and _HAN.search(word) and word not in found:
            found.append(word)
    return found[:limit]
