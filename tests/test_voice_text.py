"""What a voice is given to say: numbers, dates, money and URLs read out in the line's language, emoji dropped, long
lines cut at sentences, and the words said folded back onto the words written (pure Python, no engine)."""

from __future__ import annotations

import pytest

from pipelines.voice.text import caption_words, check_line, chunks, en_int, en_ordinal, spoken, word_units, zh_int
from studio.errors import VoiceError
from studio.project.model import Language


@pytest.mark.parametrize("n, words", [(0, "zero"), (13, "thirteen"), (40, "forty"), (99, "ninety-nine"),
                                      (101, "one hundred one"), (1250, "one thousand two hundred fifty"),
                                      (2_000_005, "two million five")])
def test_english_numbers(n, words):
    assert en_int(n) == words


@pytest.mark.parametrize("n, words", [(1, "first"), (2, "second"), (12, "twelfth"), (20, "twentieth"),
                                      (22, "twenty-second"), (101, "one hundred first")])
def test_english_ordinals(n, words):
    assert en_ordinal(n) == words


@pytest.mark.parametrize("n, words", [(0, "零"), (10, "十"), (12, "十二"), (20, "二十"), (101, "一百零一"),
                                      (1010, "一千零一十"), (2000, "两千"), (10001, "一万零一"), (120000, "十二万"),
                                      (300_000_000, "三亿")])
def test_chinese_numbers(n, words):
    assert zh_int(n) == words


@pytest.mark.parametrize("language, text, said", [
    (Language.EN, "In 1999 it cost $3.05", "In nineteen ninety-nine it cost three dollars and five cents"),
    (Language.EN, "Meet 2024-05-01 at 09:05", "Meet May first, twenty twenty-four at nine oh five"),
    (Language.EN, "Up 35% & more", "Up thirty-five percent and more"),
    (Language.EN, "see www.example.com/a?b=1 now", "see link example dot com now"),
    (Language.ZH, "2024年涨了35%，￥12.5", "二零二四年涨了百分之三十五，十二点五元"),
    (Language.ZH, "10:30到2024-05-01", "十点三十分到二零二四年五月一日"),
    (Language.ZH, "开心😀🎉！", "开心 ！"),
])
def test_what_is_said(language, text, said):
    assert " ".join(spoken(text, language).said.split()) == said


def test_a_negative_number_keeps_its_sign_in_the_caption():
    line = spoken("-5 degrees", Language.EN)
    spans = [(a, b, 10 * i, 10 * i + 5) for i, (a, b) in enumerate(word_units(line.said))]
    assert line.said.split()[:2] == ["minus", "five"]
    assert [w.text for w in caption_words(line, spans)] == ["-5", "degrees"]


def test_words_said_fold_back_onto_the_words_written():
    line = spoken("Sold 1,250 units 😀!", Language.EN)
    said = line.said
    spans = [(a, b, 100 * i, 100 * i + 90) for i, (a, b) in enumerate(word_units(said))]
    words = caption_words(line, spans)
    assert [(w.text, w.start_ms, w.end_ms) for w in words] == [
        ("Sold", 0, 90), ("1,250", 100, 590), ("units", 600, 690)]  # "one thousand two hundred fifty": one word


def test_long_lines_are_cut_at_sentences_then_clauses_then_spaces():
    text = "One two three. " * 40 + "a, " * 200 + "word " * 200
    pieces = chunks(text, 100)
    assert all(len(p) <= 100 for _, p in pieces)
    assert all(text[offset:offset + len(p)] == p for offset, p in pieces)
    assert "".join(p for _, p in pieces).replace(" ", "") == text.replace(" ", "")
    assert pieces[0][1].endswith("three. ")  # whole sentences where they fit
    assert chunks("x" * 250, 100) == [(0, "x" * 100), (100, "x" * 100), (200, "x" * 50)]


@pytest.mark.parametrize("text, language, message", [
    ("", Language.EN, "empty"), ("\x00\x07", Language.ZH, "empty"), ("😀🎉", Language.EN, "no words"),
    ("Hello 世界", Language.EN, "has Chinese characters"), ("y" * 10_001, Language.ZH, "limit is 10000"),
])
def test_lines_that_cannot_be_spoken(text, language, message):
    with pytest.raises(VoiceError, match=message):
        check_line(text, language)


def test_the_language_follows_the_line_when_not_given():
    assert check_line("Hello  there\n", Language.AUTO) == ("Hello there", Language.EN)
    assert check_line("用 ChatGPT 做视频", Language.AUTO) == ("用 ChatGPT 做视频", Language.ZH)
