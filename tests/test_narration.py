"""Narration without a voice engine: fitting shots to their lines, the exact tempo change, words grouped and matched
onto captions, the pop caption style and the ASS karaoke sidecar."""

from __future__ import annotations

import wave

import numpy as np
import pysubs2
import pytest

from pipelines.narration import NarrationOptions, caption_timings, reading_words, speaker_line
from pipelines.voice.contract import WordTime
from studio.errors import VoiceError
from studio.project.model import Bible, BibleEntry, Project, Shot, Storyboard, WordMode, WordTiming
from studio.project.presets import get_preset
from studio.project.styles import caption_style
from studio.project.timeline import build_timeline
from studio.settings import Settings
from studio.sound import fit
from studio.sound.fit import BREATH_MS, ShotNeed, fit_shots, rate_steps, stretch, tempo_steps
from studio.text.subtitles import subtitle_text

# -- fitting ---------------------------------------------------------------------------------------------------


def _needs(durations, speech, lead=0, tail=0):
    return [ShotNeed(d, s, lead, tail) for d, s in zip(durations, speech, strict=True)]


def test_every_shot_grows_to_its_line_plus_a_breath_when_nothing_must_hold():
    shots = _needs([3000, 2000, 4000], [3500, 0, 1000], lead=100, tail=150)
    found = fit_shots(shots)
    assert found.factor == 1.0 and not found.lengthened
    assert found.durations == (100 + 3500 + BREATH_MS + 150, 2000, 4000)  # only the short one grows
    for need, length in zip(shots, found.durations, strict=True):
        assert length >= need.minimum_ms()


def test_a_held_total_moves_time_between_shots_before_speaking_faster():
    shots = _needs([3000, 3000, 3000], [4000, 500, 0])
    found = fit_shots(shots, factors=rate_steps(1.0), hold_ms=9000)
    assert found.factor == 1.0 and sum(found.durations) == 9000
    assert all(d >= s.minimum_ms() for d, s in zip(found.durations, shots, strict=True))
    assert found.durations[2] >= 1000  # a shot without a line keeps a readable length


def test_a_held_total_speaks_faster_within_the_natural_range_then_needs_a_tempo_change():
    shots = _needs([3000, 3000], [3300, 3300])
    found = fit_shots(shots, factors=rate_steps(1.0), hold_ms=6000)
    assert found is not None and 1.0 < found.factor <= fit.MAX_RATE and sum(found.durations) == 6000
    assert all(d >= s.minimum_ms(found.factor) for d, s in zip(found.durations, shots, strict=True))
    too_long = _needs([3000, 3000], [3900, 3900])
    assert fit_shots(too_long, factors=rate_steps(1.0), hold_ms=6000) is None  # beyond 1.25x
    at_top = _needs([3000, 3000], [round(3900 / 1.25)] * 2)  # as re-spoken at 1.25x
    stretched = fit_shots(at_top, factors=tempo_steps(), hold_ms=6000)
    assert stretched is not None and 1.0 < stretched.factor <= fit.MAX_TEMPO
    assert fit_shots(_needs([3000, 3000], [6000, 6000]), factors=tempo_steps(), hold_ms=6000) is None
    grown = fit_shots(_needs([3000, 3000], [6000, 6000]), factors=(1.0,), hold_ms=6000, lengthen=True)
    assert grown.lengthened and sum(grown.durations) > 6000


def test_the_platform_ceiling_is_never_passed():
    shots = _needs([5000, 5000], [5500, 1000])
    found = fit_shots(shots, factors=rate_steps(1.0), cap_ms=10_000)
    assert sum(found.durations) <= 10_000 and found.durations[0] >= shots[0].minimum_ms(found.factor)
    assert fit_shots(_needs([5000, 5000], [9000, 9000]), factors=(1.0,), cap_ms=10_000, lengthen=True) is None


def test_rates_stay_in_the_natural_range():
    assert rate_steps(1.0)[0] == 1.0 and max(rate_steps(1.0)) == pytest.approx(1.25)
    assert max(rate_steps(1.1)) * 1.1 <= fit.MAX_RATE + 1e-9
    assert rate_steps(1.3) == (1.0,)  # a chosen speed past the range is never pushed further
    assert max(tempo_steps()) == pytest.approx(fit.MAX_TEMPO)


def test_atempo_lasts_exactly_the_scaled_length_and_keeps_the_pitch(tmp_path):
    rate, seconds = 22050, 2.3
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.4 * np.sin(2 * np.pi * 300 * t) * 32767).astype("<i2")
    source = tmp_path / "line.wav"
    with wave.open(str(source), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone.tobytes())
    out = tmp_path / "fast.wav"
    ms = stretch(source, out, 1.13)
    with wave.open(str(out)) as w:
        frames, out_rate = w.getnframes(), w.getframerate()
        pcm = np.frombuffer(w.readframes(frames), "<i2").astype(np.float64)
    assert out_rate == rate and frames == round(len(tone) / 1.13)  # exact to the sample (well within a frame)
    assert abs(ms - fit.stretched_ms(round(seconds * 1000), 1.13)) <= 1
    spectrum = np.abs(np.fft.rfft(pcm[rate // 4: rate // 4 + 8192]))
    assert abs(np.argmax(spectrum) * rate / 8192 - 300) < 6  # pitch kept: still 300 Hz, only shorter
    with pytest.raises(ValueError):
        stretch(source, out, 3.0)


# -- words -----------------------------------------------------------------------------------------------------

def _units(text: str, step: int = 200) -> list[WordTime]:
    return [WordTime(ch, i * step, (i + 1) * step) for i, ch in enumerate(text)]


def test_chinese_words_are_grouped_by_segmentation_not_single_hanzi():
    words = reading_words(_units("霓虹灯下我们一起散步"))
    texts = [w[0] for w in words]
    assert "霓虹灯" in texts and "一起" in texts and "散步" in texts
    assert all(len(t) > 1 for t in texts if t not in ("下",))
    neon = words[texts.index("霓虹灯")]
    assert neon[1:] == (0, 600)  # first character's start to last character's end
    mixed = reading_words([WordTime("Hello", 0, 300), *_units("世界你好", 100)])
    assert mixed[0] == ("Hello", 0, 300) and [w[0] for w in mixed[1:]] == ["世界", "你好"]


def test_spoken_words_are_matched_onto_the_caption_and_offset_inside_the_shot():
    words = [("One", 0, 300), ("two", 400, 700), ("three", 800, 1300), ("four", 1400, 1800)]
    timed = caption_timings("One, two, three…", words, offset_ms=250, duration_ms=2400)
    assert [w.text for w in timed] == ["One", "two", "three"]  # a shortened caption: the rest is not shown
    assert timed[0].start_ms == 250 and timed[-1].end_ms == 1550
    assert caption_timings("Something else entirely", words, 0, 3000) is None  # not the line: no highlight
    late = caption_timings("One two three four", words, offset_ms=250, duration_ms=1200)
    assert all(w.start_ms < 1200 for w in late)  # never a word after the shot ends


def test_a_character_line_speaks_in_the_characters_voice():
    project = Project(storyboard=Storyboard(bible=Bible(characters=(
        BibleEntry(name="Mimi", description="an orange cat", voice="espeak:en-gb"),))))
    assert speaker_line(project, "Mimi: I can surf!") == ("I can surf!", "espeak:en-gb", "Mimi")
    assert speaker_line(project, "mimi：我会冲浪") == ("我会冲浪", "espeak:en-gb", "Mimi")
    assert speaker_line(project, "Note: not a character") == ("Note: not a character", None, None)
    old = Project.model_validate({"storyboard": {"bible": {"characters": [{"name": "A", "description": "b"}]}}})
    assert old.storyboard.bible.characters[0].voice is None  # projects from before voices open unchanged


def test_voice_options_are_checked_with_a_clear_sentence():
    assert NarrationOptions.from_values("ESPEAK", " en-us ", "1.1").voice == "en-us"
    with pytest.raises(VoiceError, match="unknown voice backend 'robot'"):
        NarrationOptions.from_values("robot")
    with pytest.raises(VoiceError, match="outside 0.5-2"):
        NarrationOptions.from_values("auto", None, 3)
    with pytest.raises(VoiceError, match="must be a number"):
        NarrationOptions.from_values("auto", None, "fast")


# -- captions: pop style and the ASS sidecar -------------------------------------------------------------------

def _timed_project(style: str = "bold_stroke") -> Project:
    words = (WordTiming(text="One", start_ms=100, end_ms=400), WordTiming(text="two", start_ms=500, end_ms=800),
             WordTiming(text="three", start_ms=900, end_ms=1400))
    shots = (Shot(media="a.png", caption="One two three", caption_words=words, duration_ms=2000),
             Shot(media="a.png", caption="No timing here", duration_ms=1500))
    return Project(preset="draft", storyboard=Storyboard(shots=shots), caption_style=caption_style(style))


def test_the_pop_style_shows_one_word_at_a_time_in_its_highlight_colour():
    from studio.compose.compositor import POP_MS, build_overlays

    style = caption_style("word_pop")
    assert style.word_mode is WordMode.POP
    project = _timed_project("word_pop")
    timeline = build_timeline(project)
    overlays = build_overlays(project, get_preset(project.preset), timeline, Settings.from_env())
    first = [o for o in overlays if o.end_ms <= 2000]
    assert [(o.start_ms, o.end_ms) for o in first] == [(100, 100 + POP_MS), (100 + POP_MS, 500),
                                                         (500, 500 + POP_MS), (500 + POP_MS, 900),
                                                         (900, 900 + POP_MS), (900 + POP_MS, 2000)]
    assert first[0].image.width > first[1].image.width  # it pops in larger, then settles
    for a, b in zip(first, first[1:], strict=False):
        assert a.end_ms == b.start_ms  # never two words at once, never a gap between them
    ink = np.asarray(first[1].image)
    lit = (ink[..., 3] > 200) & (ink[..., 0] > 200) & (ink[..., 1] > 180) & (ink[..., 2] < 120)
    assert lit.sum() > 50  # the word is drawn in the highlight colour (#FFE14D)
    rest = [o for o in overlays if o.start_ms >= 2000]
    assert len(rest) == 1 and rest[0].image.width > first[1].image.width  # an untimed caption shows whole


def test_srt_keeps_phrase_cues_and_the_ass_sidecar_has_karaoke_timing():
    project = _timed_project()
    timeline = build_timeline(project)
    srt = pysubs2.SSAFile.from_string(subtitle_text(timeline, "srt"))
    assert [e.plaintext for e in srt] == ["One two three", "No timing here"]
    ass_text = subtitle_text(timeline, "ass", project.caption_style)
    ass = pysubs2.SSAFile.from_string(ass_text)
    assert ass.info["PlayResX"] == "1080" and ass.info["PlayResY"] == "1920"
    style = ass.styles["Default"]
    assert (style.primarycolor.r, style.primarycolor.g, style.primarycolor.b) == (0xFF, 0xD4, 0x00)  # highlight
    assert (style.secondarycolor.r, style.secondarycolor.g, style.secondarycolor.b) == (255, 255, 255)
    first = ass[0].text
    assert first == r"{\k10}{\k40}One {\k40}two {\k110}three"  # a word lasts until the next one starts
    assert sum(int(k) for k in __import__("re").findall(r"\\k(\d+)", first)) * 10 == ass[0].end - ass[0].start
    assert ass[1].text == "No timing here" and ass[1].plaintext == "No timing here"
    braces = _timed_project().model_copy(deep=True)
    shot = braces.shots[1].model_copy(update={"caption": "a {b} c"})
    escaped = subtitle_text(build_timeline(braces.with_shots([braces.shots[0], shot])), "ass")
    assert r"{b}" not in escaped  # a caption's braces never become override tags


def test_the_storyboard_bible_gives_a_character_a_voice_and_shows_it_back():
    from ui.storyboard import bible_lines, parse_bible

    bible = parse_bible("", "Mimi (espeak:en-gb): an orange cat\n小明（cmn-latn-pinyin）：一个男孩\nBob: a dog: big")
    assert [(c.name, c.voice, c.description) for c in bible.characters] == [
        ("Mimi", "espeak:en-gb", "an orange cat"), ("小明", "cmn-latn-pinyin", "一个男孩"),
        ("Bob", None, "a dog: big")]
    assert parse_bible("", bible_lines(bible)) == bible  # what the tab shows reads back the same
