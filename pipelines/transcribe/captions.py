"""A transcript as captions: Chinese in the script the creator chose, Hanzi grouped into words, cues that start
and end at pauses, two lines at most, punctuation as spoken (Whisper writes it), and SRT through the studio's
own subtitle writer (``studio.text.subtitles``).

Rules, in the order they apply to each next word:
    a pause of ``PAUSE_MS`` or more ends the cue; so does a sentence end once the cue holds half a line;
    a cue never holds more than two lines of ``line_chars`` (16 for Chinese, 42 otherwise: the usual subtitle
    guidelines) nor lasts more than ``MAX_CUE_MS``;
    a cue of two lines breaks at its longest pause among the places that keep both lines short enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from pipelines.voice.contract import WordTime

PAUSE_MS = 700  # a breath between phrases: a new cue (or, inside a shot's caption, a new line)
MAX_CUE_MS = 7000
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"[。！？!?….;；]['\"”’」』)）]*$")


class ChineseScript(StrEnum):
    SIMPLIFIED = "simplified"
    TRADITIONAL = "traditional"


@dataclass(frozen=True)
class Cue:
    """One caption on screen: its text (lines joined by "\\n"), its time and its words."""

    text: str
    start_ms: int
    end_ms: int
    words: tuple[WordTime, ...]


@cache
def _converter(script: ChineseScript):
    import opencc  # Apache-2.0; OpenCC's phrase tables (头发 → 頭髮, not 頭發)

    return opencc.OpenCC("s2t" if script is ChineseScript.TRADITIONAL else "t2s")


def convert_script(words: tuple[WordTime, ...], script: ChineseScript | str) -> tuple[WordTime, ...]:
    """Chinese words in Simplified or Traditional characters (Whisper writes either, whatever was asked).

    The whole text is converted at once, so phrases convert as phrases, then cut back into the words; where a
    conversion changed the length (rare), word by word."""
    script = ChineseScript(script)
    if not any(_HAN.search(w.text) for w in words):
        return words
    convert = _converter(script).convert
    whole = convert("".join(w.text for w in words))
    if len(whole) != sum(len(w.text) for w in words):
        return tuple(WordTime(convert(w.text), w.start_ms, w.end_ms) for w in words)
    out, at = [], 0
    for w in words:
        out.append(WordTime(whole[at:at + len(w.text)], w.start_ms, w.end_ms))
        at += len(w.text)
    return tuple(out)


def group_chinese_words(words: tuple[WordTime, ...]) -> tuple[WordTime, ...]:
    """Runs of Hanzi pieces (Whisper gives one or two characters at a time) merged into the words rjieba finds, so
    a word lights up as a word: 今|天|天|气 → 今天|天气. A piece is never split; pieces with spaces (English) stay."""
    if not any(_HAN.search(w.text) for w in words):
        return words
    from studio.text.segment import words as segment

    out: list[WordTime] = []
    run: list[WordTime] = []

    def flush() -> None:
        if not run:
            return
        text = "".join(w.text for w in run)
        bounds, at = set(), 0
        for piece in segment(text):
            at += len(piece)
            bounds.add(at)
        group: list[WordTime] = []
        at = 0
        for w in run:
            group.append(w)
            at += len(w.text)
            if at in bounds:
                out.append(WordTime("".join(g.text for g in group), group[0].start_ms, group[-1].end_ms))
                group = []
        if group:
            out.append(WordTime("".join(g.text for g in group), group[0].start_ms, group[-1].end_ms))
        run.clear()

    for w in words:
        if w.text[:1].isspace() or not _HAN.search(w.text):
            flush()
            out.append(w)
        else:
            run.append(w)
    flush()
    return tuple(out)


def line_chars_for(language: str) -> int:
    return 16 if language in ("zh", "yue", "ja") else 42


def _width(words: list[WordTime] | tuple[WordTime, ...]) -> int:
    return len("".join(w.text for w in words).strip())


def two_lines(words: tuple[WordTime, ...] | list[WordTime], line_chars: int, pause_ms: int = 0) -> str:
    """The words as text, with a line break at the longest pause (at least ``pause_ms``) that leaves both lines
    within ``line_chars``; one line when it fits and no such pause is inside."""
    text = "".join(w.text for w in words).strip()
    if len(words) < 2:
        return text
    best, best_key = None, None
    for i in range(1, len(words)):
        left, right = _width(words[:i]), _width(words[i:])
        gap = words[i].start_ms - words[i - 1].end_ms
        fits = left <= line_chars and right <= line_chars
        if len(text) <= line_chars and gap < max(pause_ms, 1):
            continue  # short enough for one line: break only at a real pause
        key = (fits, gap if fits else 0, -abs(left - right))
        if best_key is None or key > best_key:
            best, best_key = i, key
    if best is None:
        return text
    return "".join(w.text for w in words[:best]).strip() + "\n" + "".join(w.text for w in words[best:]).strip()


def caption_cues(words: tuple[WordTime, ...], language: str, *, pause_ms: int = PAUSE_MS,
                 line_chars: int | None = None) -> tuple[Cue, ...]:
    """The words as subtitle cues, cut at pauses, sentence ends and two lines' length."""
    line_chars = line_chars or line_chars_for(language)
    cues: list[Cue] = []
    current: list[WordTime] = []

    def close() -> None:
        if current:
            cues.append(Cue(two_lines(current, line_chars, pause_ms), current[0].start_ms, current[-1].end_ms,
                            tuple(current)))
            current.clear()

    for word in words:
        if current:
            gap = word.start_ms - current[-1].end_ms
            too_long = _width([*current, word]) > 2 * line_chars or word.end_ms - current[0].start_ms > MAX_CUE_MS
            sentence = _SENTENCE_END.search(current[-1].text.strip()) and _width(current) >= line_chars // 2
            if gap >= pause_ms or too_long or sentence:
                close()
        current.append(word)
    close()
    return tuple(cues)


def srt_text(cues: tuple[Cue, ...]) -> str:
    """The cues as an SRT file's text, written by the studio's subtitle writer (pysubs2)."""
    from studio.project.timeline import CaptionSpan, Timeline
    from studio.text.subtitles import subtitle_text

    spans = tuple(CaptionSpan(i, cue.text, cue.start_ms, max(cue.end_ms, cue.start_ms + 1))
                  for i, cue in enumerate(cues))
    return subtitle_text(Timeline((), spans, cues[-1].end_ms if cues else 0), "srt")
