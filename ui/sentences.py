"""Sentences the domain writes in English (errors, notes, warnings, beat sync, the doctor's report) in the browser's
language, at the UI edge: ``studio/``, ``pipelines/`` and ``actions/`` stay English (the CLI, the API and the logs
read them), and the UI passes what it shows through ``translate``.

The Chinese catalogue (``ui/sentences_zh.py``) maps English *templates* to Chinese ones. A template is the source's
string literal or f-string with each ``{expression}`` written ``{0}``, ``{1}``, ... in order of appearance (literal
braces doubled), so tests/test_sentences.py derives every key from the source and fails on a sentence without a
Chinese entry or an entry whose sentence is gone. The Chinese template uses the same numbers, in any order.

A text is matched whole against the templates, most specific (longest literal text) first; the values a template
captures (file names, numbers, captions, model ids) go into the Chinese template as they are, except that a value
which is itself a known sentence (an error inside an error: ``f"{err} (effect {n})"``) is translated too. Templates
with no words of their own (``"{0}: {1}"``) apply only when they translate something inside them. A text of several
lines is translated line by line; a line the domain joined from clauses (``"; ".join``) clause by clause. Text no
template matches comes back unchanged: English beats a wrong or lost sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import chain, islice

_FIELD = re.compile(r"\{\{|\}\}|\{(\d+)\}")
_WORDS = re.compile(r"[A-Za-z]{2,}")
_ODD_VALUE = re.compile(r"^[\s:;,]|[\s:;,]$|[:;] ")
_MAX_SPLITS = 12  # ways to split a text between a template's values that are tried
_BUDGET = 50_000  # regular-expression tests per text: past it, what is read so far is the answer
_DEPTH = 12  # values inside values read as sentences; deeper, a value stays as it is (no real sentence nests so)


@dataclass(frozen=True)
class _Template:
    pieces: tuple[str, ...]  # the literal text around the values: one more than there are values
    pattern: re.Pattern[str]
    target: str  # the translation, a str.format template over the values in source order
    structural: bool  # no words of its own ("{0}: {1}"): it applies only when it translates a value

    def splits(self, text: str) -> Iterator[tuple[str, ...]]:
        """Every way of reading ``text`` as this template's values, the shortest first value first."""
        first, last = self.pieces[0], self.pieces[-1]
        if len(text) >= len(first) + len(last):
            yield from _fill(self.pieces[1:-1], text[len(first):len(text) - len(last)])


def _fill(middle: tuple[str, ...], body: str) -> Iterator[tuple[str, ...]]:
    if not middle:
        yield (body,)
        return
    literal, start = middle[0], 0
    while (at := body.find(literal, start)) >= 0:
        for rest in _fill(middle[1:], body[at + len(literal):]):
            yield (body[:at], *rest)
        start = at + 1


def _compile(key: str, target: str) -> _Template:
    pieces, literal, last, numbers = [], "", 0, []
    for m in _FIELD.finditer(key):
        literal += key[last:m.start()]
        last = m.end()
        if m.group(1) is None:  # a doubled brace: one literal brace
            literal += m.group()[0]
            continue
        numbers.append(int(m.group(1)))
        pieces.append(literal)
        literal = ""
    pieces.append(literal + key[last:])
    if numbers != list(range(len(numbers))) or not "".join(pieces):
        raise ValueError(f"the template {key!r} needs text of its own and values numbered 0, 1, ... in order")
    pattern = re.compile("(.*?)".join(re.escape(p) for p in pieces), re.DOTALL)
    return _Template(tuple(pieces), pattern, target, _WORDS.search("".join(pieces)) is None)


@cache
def _catalogue() -> tuple[_Template, ...]:
    """The Chinese catalogue compiled, most specific first, structural templates last; built on the first Chinese
    sentence, never at start-up."""
    from ui.sentences_zh import SENTENCES

    templates = [_compile(key, target) for key, target in SENTENCES.items()]
    return tuple(sorted(templates, key=lambda t: (t.structural, -sum(map(len, t.pieces)))))


def _english(text: str) -> int:
    return sum(len(w) for w in _WORDS.findall(text))


class _Reader:
    """Reads one text: each line as the reading that leaves the least English. Every value a template captures is
    strictly shorter than the text it came from (a template has text of its own), so the reading ends; the readings
    of a piece of text are kept, and a budget of template tests bounds the work on long English the catalogue does
    not know."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, bool], str] = {}
        self.budget = _BUDGET
        self.depth = 0

    def line(self, text: str, structural: bool = True) -> str:
        """One line as the best of its readings: one sentence of the catalogue, or clauses joined with "; " (a
        structural template only where ``structural``); else as it was."""
        if (text, structural) not in self.known:
            best = self._best(chain(self._readings(text, structural), self._clauses(text, structural)))
            self.known[text, structural] = text if best is None else best
        return self.known[text, structural]

    def _value(self, value: str, structural: bool) -> str:
        """A template's value: translated when it is a sentence (or piece) of the catalogue, else as it was."""
        if not _WORDS.search(value) or self.depth >= _DEPTH:
            return value
        self.depth += 1
        try:
            return self.line(value, structural)
        finally:
            self.depth -= 1

    def _readings(self, text: str, structural: bool) -> Iterator[tuple[str, int]]:
        """Each way the catalogue reads ``text`` as one sentence: (the translation, how many of its values begin or
        end with a separator, which a real value seldom does: "shot 1:" is a worse value than "shot 1"). The
        values of a structural template are read without structural templates: splitting stays cheap."""
        for template in _catalogue():
            if template.structural and not structural:
                break  # they come last
            first, last = template.pieces[0], template.pieces[-1]
            if not (text.startswith(first) and text.endswith(last)):
                continue
            if self.budget <= 0:
                return
            self.budget -= 1
            if template.pattern.fullmatch(text) is None:
                continue
            if len(template.pieces) == 1:
                yield template.target.format(), 0
                continue
            for values in islice(template.splits(text), _MAX_SPLITS):
                translated = [self._value(v, not template.structural) for v in values]
                if template.structural and translated == list(values):
                    continue
                yield template.target.format(*translated), sum(1 for v in values if _ODD_VALUE.search(v))

    def _clauses(self, text: str, structural: bool) -> Iterator[tuple[str, int]]:
        """``text`` as clauses the domain joined with "; ", each run of clauses read as one sentence where it can."""
        clauses = text.split("; ")
        if len(clauses) == 1:
            return
        out, i, changed = [], 0, False
        while i < len(clauses):  # the longest run of clauses that is one sentence, then the rest
            for j in range(len(clauses) - (i == 0), i, -1):
                run = self._best(self._readings("; ".join(clauses[i:j]), structural))
                if run is not None:
                    out.append(run)
                    changed, i = True, j
                    break
            else:
                out.append(clauses[i])
                i += 1
        if changed:
            yield "；".join(out), 0

    @staticmethod
    def _best(readings: Iterator[tuple[str, int]]) -> str | None:
        """The reading that leaves the least English; of those, the one with the fewest odd values; of those, the
        first (the most specific template). A reading with no English and no odd value ends the search."""
        best: tuple[int, int, str] | None = None
        for text, odd in readings:
            score = (_english(text), odd, text)
            if best is None or score[:2] < best[:2]:
                best = score
                if score[:2] == (0, 0):
                    break
        return None if best is None else best[2]


def to_chinese(text: str) -> str:
    """A domain-made English text in Chinese, as far as the catalogue knows it; the rest unchanged."""
    reader = _Reader()
    return "\n".join(reader.line(line) if _WORDS.search(line) else line for line in text.split("\n"))


def translate(text: str, words: dict[str, str]) -> str:
    """A domain-made sentence in the language of ``words`` (the UI's table for this browser): Chinese for the
    Chinese table, unchanged for English (at no cost)."""
    from ui.i18n import ZH

    if words is not ZH or not text:
        return text
    return to_chinese(text)
