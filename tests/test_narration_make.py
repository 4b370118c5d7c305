"""Narration with real speech (espeak-ng): a composed frame lights the word being spoken, ``make`` narrates every
shot (Chinese and English) with the music ducked and the master at -14 LUFS, and editing one line re-speaks only
that line."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import actions
from pipelines.make import MakeOptions
from pipelines.narration import NarrationOptions, narrate
from pipelines.script.contract import ScriptRequest
from pipelines.services import Services
from pipelines.video.contract import VideoOptions
from studio.project.files import load_project
from studio.project.model import Project, Shot, Storyboard
from studio.project.timeline import build_timeline
from studio.settings import Settings
from tests.helpers.media import make_image

pytestmark = [pytest.mark.usefixtures("offline_env"),
              pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng (apt-get install "
                                                                           "espeak-ng)")]
RATE = 16_000


def _audio(video: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-vn", "-ac", "1", "-ar", str(RATE), "-f",
                          "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, "<f4").astype(np.float64)


def _frame(video: Path, t_s: float) -> np.ndarray:
    from io import BytesIO

    from PIL import Image

    png = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{t_s:.3f}", "-i", str(video), "-frames:v", "1", "-f",
                          "image2pipe", "-vcodec", "png", "-"], capture_output=True, check=True).stdout
    return np.asarray(Image.open(BytesIO(png)).convert("RGB")).astype(int)


def _onsets(samples: np.ndarray, min_gap_ms: int = 60) -> list[int]:
    """Where speech starts after at least ``min_gap_ms`` of quiet, in ms (10 ms frames, 30 dB under the peak)."""
    frame = RATE // 100
    n = len(samples) // frame
    level = 10 * np.log10(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    loud = level > level.max() - 30
    onsets, quiet = [], min_gap_ms // 10
    for i, on in enumerate(loud):
        if on and quiet >= min_gap_ms // 10:
            onsets.append(i * 10)
        quiet = 0 if on else quiet + 1
    return onsets


def _yellow(frame: np.ndarray) -> np.ndarray:
    r, g, b = frame[..., 0], frame[..., 1], frame[..., 2]
    return (r > 190) & (g > 150) & (g < 240) & (b < 90)  # the bold_stroke highlight, #FFD400, after x264


def test_a_composed_frame_lights_the_word_while_it_is_spoken(tmp_path):
    settings = Settings.from_env()
    services = Services(settings)
    make_image(tmp_path / "night.png", (540, 960), (10, 30, 80))
    line = "One, two, three, four."
    project = Project(preset="draft", storyboard=Storyboard(shots=(
        Shot(media="night.png", caption=line, voiceover=line, duration_ms=1200),)))
    narrated = narrate(services, project, tmp_path, NarrationOptions(backend="espeak", voice="en-us")).project
    shot = narrated.shots[0]
    assert [w.text for w in shot.caption_words] == ["One", "two", "three", "four"]
    assert shot.duration_ms > 1200 and shot.narration.timing == "engine"
    out = actions.compose_project(services, narrated, tmp_path, tmp_path / "words.mp4", draft=True)

    onsets = _onsets(_audio(out.video))
    centres = []
    for word in shot.caption_words:
        heard = min(onsets, key=lambda t: abs(t - word.start_ms))  # the word's onset in the mixed, encoded sound
        assert abs(heard - word.start_ms) <= 80, (word, onsets)
        lit = _yellow(_frame(out.video, (heard + 70) / 1000))  # the frame shown while it is being said
        assert lit.sum() > 40, f"no highlight while {word.text!r} is spoken"
        centres.append(np.nonzero(lit)[1].mean())
    assert centres == sorted(centres) and centres[-1] - centres[0] > 100  # the light moves word by word
    silent = _yellow(_frame(out.video, (shot.duration_ms - 60) / 1000))
    assert silent.sum() < 10  # after the last word: no word lit
    assert out.ass is not None and r"\k" in out.ass.read_text(encoding="utf-8")


def _band_db(samples: np.ndarray, rate: int, hi_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    return 10 * np.log10(spectrum[(freqs > 25) & (freqs < hi_hz)].sum() + 1e-20)


@pytest.mark.parametrize("idea, voice", [("一只橘猫在海边学冲浪，第一次就站上了浪尖", "cmn-latn-pinyin"),
                                         ("A tiny robot finds one living flower and keeps it safe", "en-us")])
def test_make_narrates_every_shot_ducks_the_music_and_masters_to_minus_14(tmp_path, idea, voice):
    import pyloudnorm

    from studio.compose.compositor import plan_render, render_sound
    from studio.sound.decode import SAMPLE_RATE
    from studio.sound.mix import voice_activity

    settings = Settings.from_env()
    services = Services(settings)
    options = MakeOptions.from_values(script_backend="template", music_library="sunny_pop", draft=True,
                                      voice="espeak", voice_name=voice)
    result = actions.make(services, ScriptRequest.from_values(idea, 15, "douyin", seed=5),
                          VideoOptions.from_values("still", settings=settings, visitor=False), options,
                          tmp_path / "clip.mp4")
    project, root = load_project(tmp_path / "clip.project.json")
    spoken = [s for s in project.shots if s.voiceover]
    assert spoken and all(s.voiceover_audio and s.narration and s.narration.backend == "espeak" for s in spoken)
    assert all((root / s.voiceover_audio).is_file() for s in spoken)
    for shot in project.shots:
        assert all(w.start_ms < shot.duration_ms and w.end_ms <= shot.duration_ms for w in shot.caption_words)
    assert sum(len(s.caption_words) for s in spoken) >= len(spoken)
    if voice.startswith("cmn"):  # Chinese is timed by words, not one Hanzi at a time
        assert any(len(w.text) > 1 for s in spoken for w in s.caption_words)
    assert abs(build_timeline(project).duration_ms - 15_000) <= 40  # the chosen length held

    sound = _audio(result.compose.video)
    lufs = pyloudnorm.Meter(RATE).integrated_loudness(sound)
    assert abs(lufs - -14) <= 1.0, lufs

    # the music under speech vs the same music without the voice (the same mastered mix, voice left out)
    plan = plan_render(project, settings, root)
    mixed, with_voice = render_sound(plan, settings)
    silent = project.with_shots([s.model_copy(update={"voiceover_audio": None}) for s in project.shots])
    plain_plan = plan_render(silent, settings, root)
    plain, without_voice = render_sound(plain_plan, settings)
    from studio.sound.mix import voice_track

    voice = voice_track(plan.timeline, plan.sound, settings, len(mixed))
    speaking = np.repeat(voice_activity(voice), SAMPLE_RATE // 100)[: len(mixed)]
    assert speaking.mean() > 0.1
    block = SAMPLE_RATE // 2
    ducks = []
    for start in range(0, len(mixed) - block, block):
        if speaking[start:start + block].all():  # half a second of speech: the bass below the voice is music alone
            ducks.append(_band_db(mixed[start:start + block, 0], SAMPLE_RATE, 70)
                         - _band_db(plain[start:start + block, 0], SAMPLE_RATE, 70))
    assert ducks
    master_gain = with_voice.gain_db - without_voice.gain_db  # the two masters differ by this much
    ducked = float(np.median(ducks)) - master_gain
    assert -16 <= ducked <= -8, ducked  # music.duck_db is 12 dB


def test_editing_one_line_re_speaks_only_that_line(tmp_path):
    settings = Settings.from_env()
    services = Services(settings)
    make_image(tmp_path / "a.png", (540, 960))
    lines = ["第一句话在这里。", "The second line is English.", "第三句也很短。"]
    project = Project(preset="draft", storyboard=Storyboard(shots=tuple(
        Shot(media="a.png", caption=line, voiceover=line, duration_ms=4000) for line in lines)))
    options = NarrationOptions(backend="espeak")
    first = narrate(services, project, tmp_path, options)
    assert first.spoken == 3
    edited = first.project.with_shots([first.project.shots[0], first.project.shots[1].model_copy(
        update={"voiceover": "The second line, edited.", "caption": "The second line, edited."}),
        first.project.shots[2]])
    again = narrate(services, edited, tmp_path, options)
    assert [s.cached for s in again.shots] == [True, False, True]
    assert again.project.shots[1].voiceover_audio != first.project.shots[1].voiceover_audio
    assert [w.text for w in again.project.shots[1].caption_words] == ["The", "second", "line", "edited"]
    own = again.project.shots[2].model_copy(update={"narration": None, "voiceover": "换一句"})  # the user's recording
    kept = narrate(services, again.project.with_shots([*again.project.shots[:2], own]), tmp_path, options)
    assert kept.project.shots[2].voiceover_audio == own.voiceover_audio and len(kept.shots) == 2


def test_a_held_length_speeds_the_voice_up_then_stretches_it_and_rescales_the_words(tmp_path):
    from studio.sound.fit import MAX_RATE, MAX_TEMPO, wav_duration_ms

    settings = Settings.from_env()
    services = Services(settings)
    make_image(tmp_path / "a.png", (540, 960))
    lines = ["We build small robots that water flowers every single morning.",
             "Then they sleep in the sun until the evening comes again."]
    shots = (Shot(media="a.png", caption=lines[0], voiceover=lines[0], duration_ms=2500),
             Shot(media="a.png", caption=lines[1], voiceover=lines[1], duration_ms=2500, transition="crossfade",
                  transition_ms=400),
             Shot(media="a.png", caption="The end", duration_ms=2000, transition="crossfade", transition_ms=400))
    project = Project(preset="draft", storyboard=Storyboard(shots=shots))
    natural = narrate(services, project, tmp_path, NarrationOptions(backend="espeak", voice="en-us"))
    held = narrate(services, project, tmp_path, NarrationOptions(backend="espeak", voice="en-us", hold_length=True))
    total = build_timeline(project).duration_ms
    assert abs(build_timeline(held.project).duration_ms - total) <= 34  # the length held, within a frame
    assert held.speed == pytest.approx(MAX_RATE) and 1.0 < held.tempo <= MAX_TEMPO, (held.speed, held.tempo)
    for fast, slow in zip(held.project.shots[:2], natural.project.shots[:2], strict=True):
        n = fast.narration
        assert (n.speed, n.tempo) == (held.speed, held.tempo)
        assert wav_duration_ms(tmp_path / fast.voiceover_audio) == n.speech_ms  # the stretched file, exact
        assert n.speech_ms < slow.narration.speech_ms / MAX_RATE  # faster than the rate alone
        assert fast.duration_ms >= n.offset_ms + n.speech_ms + 250  # the line plus a breath
        assert fast.caption_words[-1].end_ms <= n.offset_ms + n.speech_ms + 1  # times scaled with the sound
        assert all(w.start_ms < fast.duration_ms for w in fast.caption_words)
    assert held.project.shots[2].duration_ms >= 1000 and any("as fast" in note for note in held.notes)


def test_narrating_one_shot_never_squeezes_another_below_its_words(tmp_path):
    from ui.storyboard import update_shot

    settings = Settings.from_env()
    services = Services(settings)
    make_image(tmp_path / "a.png", (540, 960))
    lines = ["One small step.", "Two more steps to go.", "Three."]
    project = Project(preset="draft", storyboard=Storyboard(shots=tuple(
        Shot(media="a.png", caption=line, voiceover=line, duration_ms=2500) for line in lines)))
    first = narrate(services, project, tmp_path, NarrationOptions(backend="espeak")).project
    longer = "Three is where the robot finally stops, looks around and waters the very last flower."
    edited = update_shot(first, first.shots[2].id, voiceover=longer, caption=longer)
    assert edited.shots[2].narration is None and edited.shots[2].caption_words == ()  # the old speech is gone
    again = narrate(services, edited, tmp_path, NarrationOptions(backend="espeak", hold_length=True,
                                                                only=frozenset({edited.shots[2].id}))).project
    for before, after in zip(first.shots[:2], again.shots[:2], strict=True):
        assert after.caption_words == before.caption_words
        assert after.duration_ms > before.caption_words[-1].end_ms  # time came from elsewhere, never the words
    shorter = update_shot(again, again.shots[0].id, duration_ms=400)  # an edit: the words that fit stay
    assert all(w.start_ms < 400 for w in shorter.shots[0].caption_words)
    recaptioned = update_shot(again, again.shots[1].id, caption="Two more steps")
    assert [w.text for w in recaptioned.shots[1].caption_words] == ["Two", "more", "steps"]


def test_the_cli_refuses_a_bad_voice_before_writing_anything(capsys, tmp_path):
    from cli.main import main

    out = tmp_path / "x.mp4"
    base = ["make", "A kite over the sea", "--backend", "template", "--video-backend", "still", "-o", str(out)]
    with pytest.raises(SystemExit) as exited:
        main([*base, "--voice", "robot"])
    assert exited.value.code == 2 and "invalid choice: 'robot'" in capsys.readouterr().err
    assert main([*base, "--voice-speed", "5"]) == 2
    assert "voice speed 5 is outside 0.5-2" in capsys.readouterr().err
    assert main([*base, "--voice", "espeak", "--voice-name", "klingon"]) == 2
    assert "there is no voice 'klingon' here; the voices here are: " in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
