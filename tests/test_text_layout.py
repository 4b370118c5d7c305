"""Caption text logic: clusters, font choice, kinsoku line breaking, bidi run order, word spans.

These tests use stand-in faces and a fake width function (every cluster is 10 px wide, an ASCII
letter 6 px) so each rule is checked in isolation from real font metrics; test_captions.py checks
the same rules end to end with real fonts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.text.fonts import FontFace
from studio.text.layout import (
    NO_LINE_END,
    NO_LINE_START,
    Cluster,
    Line,
    MissingGlyphs,
    break_lines,
    clusters_for,
    is_emoji_cluster,
    visual_runs,
    word_spans,
)

CJK = FontFace(Path("cjk.ttc"), 2, "cjk")
HEBREW_ARABIC = FontFace(Path("dejavu.ttf"), 0, "dejavu")
EMOJI = FontFace(Path("emoji.ttf"), 0, "emoji")


def _covers(face: FontFace, char: str) -> bool:
    code = ord(char)
    if face is EMOJI:
        return code >= 0x1F000 or code in {0x2764, 0x23, 0x31}
    if face is HEBREW_ARABIC:
        return 0x0590 <= code <= 0x06FF or char.isascii()
    return not (0x0590 <= code <= 0x06FF) and code < 0x1F000 and code != 0xE000


def clusters(text: str) -> list[Cluster]:
    return clusters_for(text, (CJK, HEBREW_ARABIC), EMOJI, _covers)


def measure(items: object) -> float:
    return sum(6.0 if c.text.isascii() else 10.0 for c in items)  # type: ignore[attr-defined]


def texts(lines: list[Line]) -> list[str]:
    return [line.text for line in lines]


# --- clusters and fonts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sequence",
    ["👨\u200d👩\u200d👧\u200d👦", "🇨🇳", "👍🏽", "1\ufe0f\u20e3", "❤\ufe0f", "😀", "🏳\ufe0f\u200d🌈"],
    ids=["zwj-family", "flag", "skin-tone", "keycap", "vs16", "default-emoji", "rainbow-flag"],
)
def test_emoji_sequences_are_one_emoji_cluster(sequence: str) -> None:
    result = clusters(f"a{sequence}b")
    assert [c.text for c in result] == ["a", sequence, "b"]
    assert result[1].emoji and result[1].face is EMOJI


@pytest.mark.parametrize("text", ["©", "A", "1", "❤\ufe0e", "中"])
def test_text_presentation_characters_are_not_emoji(text: str) -> None:
    assert not is_emoji_cluster(text)


def test_each_cluster_gets_the_first_font_that_covers_it_and_spaces_keep_the_run_font() -> None:
    result = clusters("中 שלום עולם x")
    faces = [(c.text, c.face.name) for c in result]
    assert faces[0] == ("中", "cjk")
    assert faces[2] == ("ש", "dejavu")
    assert faces[6] == (" ", "dejavu"), "the space inside a Hebrew phrase must not split its run"
    assert faces[-1] == ("x", "cjk")


def test_characters_no_font_covers_are_reported_not_drawn_as_tofu() -> None:
    with pytest.raises(MissingGlyphs, match="U\\+E000"):
        clusters("ok \ue000 ok")


# --- line breaking ---------------------------------------------------------------------------


def test_chinese_breaks_between_words_and_no_line_exceeds_the_width() -> None:
    lines = texts(break_lines(clusters("我们今天一起去公园散步吧"), 50, measure, balance=False))
    assert lines == ["我们今天", "一起去公园", "散步吧"]  # not 我们今天一|起去公园散|步吧: 一起 and 散步 stay whole
    assert texts(break_lines(clusters("霓虹灯下的城市"), 50, measure, balance=False)) == ["霓虹灯下的", "城市"]


def test_a_chinese_word_breaks_when_keeping_it_whole_would_cost_a_line() -> None:
    # 5 characters a line: three whole words of 3 need three lines; breaking inside one needs two
    lines = texts(break_lines(clusters("霓虹灯霓虹灯霓虹灯"), 50, measure, balance=False))
    assert lines == ["霓虹灯霓虹", "灯霓虹灯"]
    japanese = texts(break_lines(clusters("きょうはいいてんきですね"), 50, measure, balance=False))
    assert japanese == ["きょうはい", "いてんきで", "すね"]  # kana keep breaking between any two characters


def test_latin_breaks_at_spaces_and_drops_the_spaces_at_line_edges() -> None:
    lines = texts(break_lines(clusters("  hello world again  "), 70, measure, balance=False))
    assert lines == ["hello world", "again"]


def test_a_word_longer_than_the_line_breaks_by_character_as_a_last_resort() -> None:
    lines = texts(break_lines(clusters("go supercalifragilistic"), 40, measure, balance=False))
    assert lines == ["go", "superc", "alifra", "gilist", "ic"]
    assert all(measure(c for c in clusters(line)) <= 40 for line in lines)


def test_an_emoji_sequence_is_never_split_across_lines() -> None:
    family = "👨\u200d👩\u200d👧\u200d👦"
    lines = texts(break_lines(clusters(f"一二三{family}四"), 30, measure, balance=False))
    assert family in lines[1]
    assert "".join(lines) == f"一二三{family}四"


def test_explicit_newline_forces_a_break_even_when_the_text_would_fit() -> None:
    lines = texts(break_lines(clusters("第一行\n第二行"), 1000, measure))
    assert lines == ["第一行", "第二行"]


@pytest.mark.parametrize("closing", sorted("，。！？、；：）」』》】…—”’"))
def test_no_line_starts_with_closing_punctuation(closing: str) -> None:
    # 5 characters fit; the 6th is the closing mark, so a naive break would start line 2 with it.
    lines = texts(break_lines(clusters(f"一二三四五{closing}六七八"), 50, measure, balance=False))
    assert not any(line[0] in NO_LINE_START for line in lines[1:]), lines
    assert lines[0] == "一二三四", "the character before the mark moves down with it"


@pytest.mark.parametrize("opening", sorted("（「『《【“‘"))
def test_no_line_ends_with_opening_punctuation(opening: str) -> None:
    lines = texts(break_lines(clusters(f"一二三四{opening}五六七八"), 50, measure, balance=False))
    assert not any(line[-1] in NO_LINE_END for line in lines), lines
    assert lines[1].startswith(opening)


def test_balanced_breaking_evens_out_lines_without_adding_one() -> None:
    text = "这是一个很长的字幕需要两行"  # 13 characters at 10 px
    greedy = texts(break_lines(clusters(text), 120, measure, balance=False))
    balanced = texts(break_lines(clusters(text), 120, measure, balance=True))
    assert [len(x) for x in greedy] == [11, 2]  # 两行 is one word: it moves down whole
    assert len(balanced) == 2 and abs(len(balanced[0]) - len(balanced[1])) <= 1


# --- bidi --------------------------------------------------------------------------------------


def _order(text: str) -> list[tuple[str, bool]]:
    (line,) = break_lines(clusters(text), 10_000, measure)
    return [(run.text.strip(), run.rtl) for run in visual_runs(line) if run.text.strip()]


def test_hebrew_inside_an_ltr_line_stays_in_place_and_is_drawn_rtl() -> None:
    assert _order("Say שלום world") == [("Say", False), ("שלום", True), ("world", False)]


def test_an_rtl_paragraph_puts_latin_to_the_left_of_the_hebrew_before_it() -> None:
    assert _order("שלום world") == [("world", False), ("שלום", True)]


def test_two_rtl_words_around_an_ltr_word_read_right_to_left() -> None:
    # Logical: A(he) B(en) C(he) -> visual from the left: C, B, A.
    assert _order("אבג abc דהו") == [("דהו", True), ("abc", False), ("אבג", True)]


def test_numbers_in_arabic_stay_left_to_right_and_keep_their_decimal_point() -> None:
    assert _order("السعر 3.14 دولار") == [("دولار", True), ("3.14", False), ("السعر", True)]


# --- word spans --------------------------------------------------------------------------------


def test_word_spans_ignore_case_and_punctuation_and_follow_order() -> None:
    text = "Hello, world! The world is big."
    spans = word_spans(text, ["hello", "WORLD", "the", "world", "is", "big"])
    assert [text[a:b] for a, b in spans] == ["Hello", "world", "The", "world", "is", "big"]


def test_word_spans_map_chinese_words_across_punctuation() -> None:
    text = "你好，世界！我们来了"
    spans = word_spans(text, ["你好", "世界", "我们", "来了"])
    assert [text[a:b] for a, b in spans] == ["你好", "世界", "我们", "来了"]


def test_word_spans_prefer_whole_words_over_matches_inside_words() -> None:
    text = "that cat at home"
    spans = word_spans(text, ["at", "home"])
    assert spans[0] == (9, 11)


def test_word_spans_name_the_word_that_is_missing() -> None:
    with pytest.raises(ValueError, match="'banana'"):
        word_spans("apple pie", ["apple", "banana"])
