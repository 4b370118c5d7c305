"""Caption text logic without drawing: clusters, font choice, line breaking, bidi order, word spans.

Everything here works on grapheme clusters (regex ``\\X``) so that an emoji ZWJ family, a flag,
a keycap or a letter with its combining accents is never split or given two fonts. Widths come
from a ``measure`` callable supplied by the drawing code, so breaking is by pixels, not characters,
and this module stays testable without fonts on screen.

Bidi is the two-level case of the Unicode Bidirectional Algorithm plus numbers: the base
direction is the first strong character of the paragraph, runs of the other direction are
reversed as units, and digits inside right-to-left text stay left-to-right. Each run is later
drawn by raqm with its own direction, which joins Arabic and orders the letters inside the run.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

from studio.text.fonts import FontFace
from studio.text.segment import inside_words

# --- character classes -----------------------------------------------------------------------

_CLUSTER = regex.compile(r"\X")
_EMOJI_PRESENTATION = regex.compile(r"\p{Emoji_Presentation}")
_EMOJI_MODIFIER = regex.compile(r"\p{Emoji_Modifier}")
_PICTOGRAPHIC = regex.compile(r"\p{Extended_Pictographic}")
# Scripts written without spaces, where a line may break between any two characters. Hangul is
# left out on purpose: Korean breaks at spaces.
_IDEOGRAPHIC = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef\u31f0-\u31ff]")

# Kinsoku shori: characters that may not start a line (closing brackets, stops, small kana,
# iteration marks, ellipsis, dash) and characters that may not end one (opening brackets).
NO_LINE_START = frozenset(
    "，。！？、；：）」』》】〕〉｝］〗〙…‥—–”’〞〟・ーゝゞヽヾ々〻‐゠〜～％‰℃°"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    ",.!?;:)]}%\u00bb\u203a‼⁇⁈⁉"
)
NO_LINE_END = frozenset("（「『《【〔〈｛［〖〘“‘([{\u00ab\u2039$￥¥£€＄")
# Glued to the word on both sides: which side they belong to is ambiguous.
_GLUE = frozenset("\"'")
_HYPHENS = frozenset("-\u2010")


def is_emoji_cluster(cluster: str) -> bool:
    """Whether a cluster asks for emoji presentation (drawn from the colour emoji font).

    True for characters that are emoji by default (😀), any sequence with VS16 (❤️), keycaps
    (1️⃣), skin-tone modifiers, regional-indicator flags and ZWJ sequences of pictographs; a VS15
    (U+FE0E) explicitly asks for the text form and wins.
    """
    if not cluster or "\ufe0e" in cluster:
        return False
    if "\ufe0f" in cluster or "\u20e3" in cluster:
        return True
    if _EMOJI_PRESENTATION.match(cluster) or _EMOJI_MODIFIER.search(cluster):
        return True
    return "\u200d" in cluster and bool(_PICTOGRAPHIC.match(cluster))


def _is_space(cluster: str) -> bool:
    return cluster.isspace()


# --- clusters and fonts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """One grapheme cluster of the caption, where it sits in the text and how it is drawn."""

    text: str
    start: int
    face: FontFace
    emoji: bool
    bidi: str  # resolved later; raw class here: "L", "R", "EN", "AN", "ES", "ET", "CS" or "N"

    @property
    def end(self) -> int:
        return self.start + len(self.text)


class MissingGlyphs(ValueError):
    """No installed font covers some characters of the text; ``chars`` lists them in order."""

    def __init__(self, chars: Sequence[str]) -> None:
        self.chars = tuple(chars)
        listed = ", ".join(f"{c!r} (U+{ord(c[0]):04X})" for c in self.chars)
        super().__init__(f"no installed font can draw {listed}")


def _bidi_class(cluster: str) -> str:
    raw = unicodedata.bidirectional(cluster[0])
    if raw == "L":
        return "L"
    if raw in {"R", "AL"}:
        return "R"
    if raw in {"EN", "AN", "ES", "ET", "CS"}:
        return raw
    return "N"


def clusters_for(
    text: str,
    chain: Sequence[FontFace],
    emoji_face: FontFace,
    covers: Callable[[FontFace, str], bool],
) -> list[Cluster]:
    """Split text into grapheme clusters and choose each one's font.

    Emoji-presentation clusters use the emoji font; other clusters use the first face in
    ``chain`` whose cmap has the cluster's base character. Whitespace keeps the previous
    cluster's face when it can, so a Hebrew phrase stays one run instead of being cut at every
    space. Raises MissingGlyphs listing the clusters no font covers (tofu is never drawn silently).
    """
    clusters: list[Cluster] = []
    missing: list[str] = []
    previous: FontFace | None = None
    for match in _CLUSTER.finditer(text):
        value, base = match.group(), match.group()[0]
        face: FontFace | None = None
        emoji = is_emoji_cluster(value) and covers(emoji_face, base)
        if emoji:
            face = emoji_face
        elif base.isspace() and previous is not None and previous != emoji_face and covers(previous, base):
            face = previous
        else:
            face = next((f for f in chain if covers(f, base)), None)
            if face is None and _PICTOGRAPHIC.match(base) and covers(emoji_face, base):
                face, emoji = emoji_face, True  # a text-default pictograph only the emoji font has
        if face is None:
            if base.isspace() or unicodedata.category(base) in {"Cf", "Mn", "Me"}:
                face = chain[0]  # invisible or combining: nothing to draw wrongly
            else:
                missing.append(value)
                continue
        previous = face
        clusters.append(Cluster(value, match.start(), face, emoji, "N" if emoji else _bidi_class(value)))
    if missing:
        raise MissingGlyphs(missing)
    return clusters


# --- line breaking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One laid-out line: its clusters in logical order and its paragraph's base direction."""

    clusters: tuple[Cluster, ...]
    rtl: bool

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.clusters)


Measure = Callable[[Sequence[Cluster]], float]


def _break_allowed(before: Cluster, after: Cluster, before_prev: Cluster | None) -> bool:
    """Whether a line may break between two adjacent clusters (a small subset of UAX #14)."""
    a, b = before.text, after.text
    if b[0] in NO_LINE_START or a[-1] in NO_LINE_END:
        return False
    if _is_space(b):
        return False  # break after a run of spaces, never inside it
    if _is_space(a):
        return True
    if a[-1] in _GLUE or b[0] in _GLUE:
        return False
    if before.emoji or after.emoji or _IDEOGRAPHIC.match(a[-1]) or _IDEOGRAPHIC.match(b[0]):
        return True
    # "well-|known": after a hyphen that follows a letter, before a letter.
    return a in _HYPHENS and before_prev is not None and before_prev.text[-1].isalpha() and b[0].isalpha()


def _paragraph_rtl(clusters: Sequence[Cluster]) -> bool:
    for cluster in clusters:
        if cluster.bidi in {"L", "R"}:
            return cluster.bidi == "R"
    return False


def _split_paragraphs(clusters: Sequence[Cluster]) -> list[list[Cluster]]:
    paragraphs: list[list[Cluster]] = [[]]
    for cluster in clusters:
        if cluster.text in {"\n", "\r\n", "\r", "\u2028", "\u2029"}:
            paragraphs.append([])
        else:
            paragraphs[-1].append(cluster)
    return paragraphs


def _strip(clusters: Sequence[Cluster]) -> tuple[Cluster, ...]:
    start, end = 0, len(clusters)
    while start < end and _is_space(clusters[start].text):
        start += 1
    while end > start and _is_space(clusters[end - 1].text):
        end -= 1
    return tuple(clusters[start:end])


class _Paragraph:
    """Break positions and a width cache for one paragraph, reused across balancing passes."""

    def __init__(self, clusters: Sequence[Cluster], measure: Measure) -> None:
        self.clusters = list(_strip(clusters))
        self.measure = measure
        self._widths: dict[tuple[int, int], float] = {}
        n = len(self.clusters)
        # Where the rules allow a break; inside a Chinese word only when nothing else fits (霓虹|灯 reads as a typo).
        self.allowed = [
            i
            for i in range(1, n)
            if _break_allowed(self.clusters[i - 1], self.clusters[i], self.clusters[i - 2] if i >= 2 else None)
        ] + [n]
        offsets = list(itertools.accumulate((len(c.text) for c in self.clusters), initial=0))
        inside = inside_words("".join(c.text for c in self.clusters))
        self.breaks = [i for i in self.allowed if offsets[i] not in inside]

    def width(self, start: int, end: int) -> float:
        """Width of clusters[start:end] with trailing spaces dropped, as the line would show."""
        while end > start and _is_space(self.clusters[end - 1].text):
            end -= 1
        key = (start, end)
        if key not in self._widths:
            self._widths[key] = self.measure(self.clusters[start:end]) if end > start else 0.0
        return self._widths[key]

    def widest_unbreakable(self, *, whole_words: bool = True) -> float:
        breaks = self.breaks if whole_words else self.allowed
        starts = [0, *breaks[:-1]]
        return max((self.width(a, b) for a, b in zip(starts, breaks, strict=True)), default=0.0)

    def _fill(self, start: int, max_width: float, breaks: Sequence[int]) -> int:
        """The furthest break in ``breaks`` after ``start`` whose line fits (``start`` when none does)."""
        end = start
        for position in breaks:
            if position <= start:
                continue
            if self.width(start, position) > max_width:
                break
            end = position
        return end

    def greedy(self, max_width: float, *, whole_words: bool = True) -> list[tuple[int, int]]:
        """First-fit lines as (start, end) cluster indices. With ``whole_words`` a Chinese word breaks only when it
        alone is wider than a line; words wider than a line break anywhere."""
        n, lines, start = len(self.clusters), [], 0
        while start < n:
            end = self._fill(start, max_width, self.breaks if whole_words else self.allowed)
            if end == start:  # a Chinese word wider than the line: break where the rules allow
                end = self._fill(start, max_width, self.allowed)
            if end == start:  # nothing fits: break the first unbreakable piece by cluster
                limit = next(p for p in self.allowed if p > start)
                end = start + 1
                while end < limit and self.width(start, end + 1) <= max_width:
                    end += 1
            lines.append((start, end))
            start = end
            while start < n and _is_space(self.clusters[start].text):
                start += 1
        return lines


def break_lines(
    clusters: Sequence[Cluster], max_width: float, measure: Measure, *, balance: bool = True
) -> list[Line]:
    """Break clusters into lines no wider than ``max_width`` pixels.

    Explicit newlines always break; Chinese breaks between words (``studio.text.segment``), Japanese between
    any two characters, other scripts at spaces (a word wider than the line breaks by character as a last
    resort); emoji clusters are
    never split; kinsoku keeps closing punctuation off line starts and opening punctuation off line
    ends. With ``balance`` a wrapped paragraph is re-broken at the narrowest width that keeps the
    same number of lines, so a caption reads as two even lines rather than a full line and a widow.
    """
    lines: list[Line] = []
    for raw in _split_paragraphs(clusters):
        paragraph = _Paragraph(raw, measure)
        rtl = _paragraph_rtl(paragraph.clusters)
        # Whole Chinese words, unless keeping them costs a line: then anywhere the rules allow.
        whole_words = True
        spans = paragraph.greedy(max_width)
        if paragraph.breaks != paragraph.allowed:
            anywhere = paragraph.greedy(max_width, whole_words=False)
            if len(anywhere) < len(spans):
                spans, whole_words = anywhere, False
        if balance and len(spans) > 1:
            low = paragraph.widest_unbreakable(whole_words=whole_words)
            if low <= max_width:
                high = max_width
                while high - low > 1:
                    middle = (low + high) / 2
                    if len(paragraph.greedy(middle, whole_words=whole_words)) <= len(spans):
                        high = middle
                    else:
                        low = middle
                spans = paragraph.greedy(high, whole_words=whole_words)
        if not spans:
            lines.append(Line((), rtl))
        for start, end in spans:
            lines.append(Line(_strip(paragraph.clusters[start:end]), rtl))
    return lines


# --- bidi ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Clusters drawn in one shaping call: same face, same direction. ``rtl`` is raqm's direction."""

    clusters: tuple[Cluster, ...]
    rtl: bool

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.clusters)

    @property
    def face(self) -> FontFace:
        return self.clusters[0].face

    @property
    def emoji(self) -> bool:
        return self.clusters[0].emoji


def _resolve_levels(clusters: Sequence[Cluster], rtl: bool) -> list[int]:
    """Embedding levels: 0/1 for the base direction, 2 for numbers and LTR text inside RTL."""
    kinds = [c.bidi for c in clusters]
    n = len(kinds)
    # W4/W5: a single separator between digits, and terminators (%, $) next to digits, are digits.
    for i in range(1, n - 1):
        if kinds[i] in {"ES", "CS"} and kinds[i - 1] == "EN" and kinds[i + 1] == "EN":
            kinds[i] = "EN"
        elif kinds[i] == "CS" and kinds[i - 1] == "AN" and kinds[i + 1] == "AN":
            kinds[i] = "AN"
    for i in range(n):
        if kinds[i] == "ET" and ((i > 0 and kinds[i - 1] == "EN") or (i + 1 < n and kinds[i + 1] == "EN")):
            j = i
            while j < n and kinds[j] == "ET":
                kinds[j] = "EN"
                j += 1
    # W7: digits after left-to-right text (or at the start of an LTR paragraph) are plain L.
    strong = "R" if rtl else "L"
    for i, kind in enumerate(kinds):
        if kind in {"L", "R"}:
            strong = kind
        elif kind in {"EN", "AN"}:
            kinds[i] = "L" if strong == "L" and kind == "EN" else "NUM"
    # N1/N2: neutrals between two equal directions take it, otherwise the base direction.
    base = "R" if rtl else "L"
    i = 0
    while i < n:
        if kinds[i] in {"L", "R", "NUM"}:
            i += 1
            continue
        j = i
        while j < n and kinds[j] not in {"L", "R", "NUM"}:
            j += 1
        left = base if i == 0 else ("R" if kinds[i - 1] == "NUM" else kinds[i - 1])
        right = base if j == n else ("R" if kinds[j] == "NUM" else kinds[j])
        for k in range(i, j):
            kinds[k] = left if left == right else base
        i = j
    if rtl:
        return [1 if k == "R" else 2 for k in kinds]
    return [0 if k == "L" else 1 if k == "R" else 2 for k in kinds]


def visual_runs(line: Line) -> list[Run]:
    """The line as runs in left-to-right display order, each with the direction raqm should use.

    Runs are cut where the face, the bidi level or emoji-ness changes; every emoji cluster is its
    own run because it is drawn from its own bitmap. Reordering (UAX #9 rule L2) treats runs as
    units; raqm reverses the clusters inside an RTL run itself.
    """
    clusters = line.clusters
    if not clusters:
        return []
    levels = _resolve_levels(clusters, line.rtl)
    groups: list[tuple[int, list[Cluster]]] = []
    for cluster, level in zip(clusters, levels, strict=True):
        last = groups[-1] if groups else None
        if (
            last
            and last[0] == level
            and not cluster.emoji
            and not last[1][-1].emoji
            and last[1][-1].face == cluster.face
        ):
            last[1].append(cluster)
        else:
            groups.append((level, [cluster]))
    order = list(range(len(groups)))
    lowest_odd = min(level for level, _ in groups if level % 2) if any(lv % 2 for lv, _ in groups) else None
    if lowest_odd is not None:
        for target in range(max(level for level, _ in groups), lowest_odd - 1, -1):
            i = 0
            while i < len(order):
                if groups[order[i]][0] >= target:
                    j = i
                    while j < len(order) and groups[order[j]][0] >= target:
                        j += 1
                    order[i:j] = reversed(order[i:j])
                    i = j
                else:
                    i += 1
    return [Run(tuple(groups[k][1]), groups[k][0] % 2 == 1) for k in order]


def logical_runs(clusters: Sequence[Cluster], rtl: bool = False) -> list[Run]:
    """The same runs as ``visual_runs`` in logical order: enough to measure a line's width."""
    return visual_runs(Line(tuple(clusters), rtl))


# --- word timing -----------------------------------------------------------------------------


def _is_skipped(char: str) -> bool:
    """Punctuation, spaces, controls, combining marks and ZWJ/VS do not take part in matching."""
    return unicodedata.category(char)[0] in {"P", "Z", "C"} or unicodedata.category(char) in {"Mn", "Me", "Sk"}


def _fold(text: str) -> tuple[str, list[int]]:
    """Case- and width-folded text without skipped characters, and each folded char's source index."""
    folded: list[str] = []
    sources: list[int] = []
    for index, char in enumerate(text):
        if _is_skipped(char):
            continue
        for piece in unicodedata.normalize("NFKC", char).casefold():
            if not _is_skipped(piece):
                folded.append(piece)
                sources.append(index)
    return "".join(folded), sources


def word_spans(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` in ``text`` for each word-timing word, in order.

    Matching ignores case, full/half width, punctuation and whitespace (speech recognisers drop
    punctuation and change case), and walks forward so repeated words map to successive
    occurrences. A match starting at a word boundary is preferred over one inside another word.
    A word with nothing but punctuation gets an empty span where the previous word ended.
    Raises ValueError naming the first word that cannot be found after the previous one.
    """
    folded, sources = _fold(text)
    spans: list[tuple[int, int]] = []
    cursor = 0  # index into folded
    for word in words:
        needle, _ = _fold(word)
        if not needle:
            at = sources[cursor - 1] + 1 if cursor else 0
            spans.append((at, at))
            continue
        found = -1
        position = folded.find(needle, cursor)
        first = position
        while position != -1:
            source = sources[position]
            if source == 0 or not text[source - 1].isalnum() or _IDEOGRAPHIC.match(text[source]):
                found = position
                break
            position = folded.find(needle, position + 1)
        if found == -1:
            found = first
        if found == -1:
            raise ValueError(
                f"caption word {word!r} was not found in the caption text {text!r} after word {len(spans)}"
            )
        end = found + len(needle)
        spans.append((sources[found], sources[end - 1] + 1))
        cursor = end
    return spans
