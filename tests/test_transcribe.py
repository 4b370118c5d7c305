"""Captions from the creator's voice and word timings for known text, on tiny random models built here: a Whisper
checkpoint (transformers) and the same checkpoint converted by CTranslate2's converter for faster-whisper, and a
Qwen3 forced aligner, each loaded through the studio's own loaders; real speech from espeak-ng; real bad files.

Random weights hear nothing real: these tests hold the wiring (formats, times inside the audio and in order,
languages, the Chinese script, the SRT, the project's captions, the refusals), never accuracy.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pysubs2
import pytest

from pipelines.voice.contract import WordTime
from studio.errors import (
    CorruptMediaError,
    MediaTooLargeError,
    NoSpeechError,
    ProjectValidationError,
    TranscriberModelError,
    TranscriptionError,
)
from studio.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EN_TEXT = "The quick brown fox jumps over the lazy dog. Seven children watch from the old bridge."
ZH_PINYIN = "jin1 tian1 tian1 qi4 hen3 hao3, wo3 men2 yi4 qi3 qu4 gong1 yuan2"  # 今天天气很好，我们一起去公园


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real speech (espeak-ng) and real bad files, made once for the module."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is needed for real speech in these tests: apt-get install -y espeak-ng")
    folder = tmp_path_factory.mktemp("speech")
    files = {name: folder / name for name in ("en.wav", "zh.wav", "clip.mp4", "silence.wav", "noise.wav",
                                              "noaudio.mp4", "corrupt.wav", "garbage.mp3", "tenhours.flac")}
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(files["en.wav"]), EN_TEXT], check=True)
    subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-w", str(files["zh.wav"]), ZH_PINYIN], check=True)
    _ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=64x64:r=10", "-i", str(files["en.wav"]), "-shortest",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(files["clip.mp4"]))
    _ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "3", str(files["silence.wav"]))
    _ffmpeg("-f", "lavfi", "-i", "anoisesrc=d=3:c=white:a=0.3", "-ar", "16000", str(files["noise.wav"]))
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64:rate=10", "-t", "2", "-pix_fmt", "yuv420p", "-c:v", "libx264",
            str(files["noaudio.mp4"]))
    files["corrupt.wav"].write_bytes(files["en.wav"].read_bytes()[:3000])  # a header and a few ms: cut off
    files["garbage.mp3"].write_bytes(b"this is not audio at all " * 40)
    # a FLAC whose header says ten hours (its STREAMINFO's total samples): ffprobe reports 36000 s
    short = folder / "short.flac"
    _ffmpeg("-i", str(files["en.wav"]), "-ar", "16000", "-ac", "1", "-c:a", "flac", str(short))
    data = bytearray(short.read_bytes())
    field = int.from_bytes(data[18:26], "big")  # sample rate (20 bits), channels, bits, total samples (36 bits)
    rate = field >> 44
    data[18:26] = ((field & ~((1 << 36) - 1)) | 36_000 * rate).to_bytes(8, "big")
    files["tenhours.flac"].write_bytes(bytes(data))
    return files


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import torch

    from tests.helpers.tiny_whisper import build_tiny_aligner, build_tiny_whisper, convert_for_faster_whisper

    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("speech-models")
    hf = build_tiny_whisper(folder / "whisper-hf")
    return {"hf": hf, "ct2": convert_for_faster_whisper(hf, folder / "whisper-ct2"),
            "aligner": build_tiny_aligner(folder / "aligner")}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, models) -> Settings:
    data = tmp_path_factory.mktemp("data")
    return Settings.from_env({"STUDIO_DATA_DIR": str(data), "STUDIO_WHISPER_MODEL": str(models["ct2"]),
                              "STUDIO_ALIGNER_MODEL": str(models["aligner"])})


@pytest.fixture(scope="module")
def services(settings):
    from pipelines.services import Services

    return Services(settings)


def _inside_and_in_order(words: tuple[WordTime, ...], duration_ms: int) -> None:
    assert words
    for w in words:
        assert w.text.strip()
        assert 0 <= w.start_ms < w.end_ms <= duration_ms, w
    starts = [w.start_ms for w in words]
    assert starts == sorted(starts)


# -- the backends, through the service ---------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "zh"])
def test_faster_whisper_gives_words_inside_the_audio_in_order(services, media, language):
    transcript = services.transcriber.transcribe(media[f"{language}.wav"], language)
    assert transcript.backend == "faster-whisper" and transcript.language == language
    assert 1500 < transcript.duration_ms < 10_000
    _inside_and_in_order(transcript.words, transcript.duration_ms)
    assert transcript.text == "".join(w.text for w in transcript.words).strip()


def test_transformers_whisper_gives_words_inside_the_audio_in_order(services, media, models):
    transcript = services.transcriber.transcribe(media["en.wav"], "en", model=str(models["hf"]))
    assert transcript.backend == "transformers" and transcript.model == str(models["hf"])
    _inside_and_in_order(transcript.words, transcript.duration_ms)


def test_the_sound_of_a_clip_is_transcribed(services, media):
    transcript = services.transcriber.transcribe(media["clip.mp4"], "en")
    _inside_and_in_order(transcript.words, transcript.duration_ms)


def test_a_model_loads_once_per_process(services, media):
    first = services.transcriber.backend()
    loaded = first.loaded()
    services.transcriber.transcribe(media["en.wav"], "en")
    assert services.transcriber.backend() is first and first.loaded() is loaded


def test_a_cancelled_transcription_stops_with_nothing_returned(services, media):
    from studio.errors import TranscriptionCancelled

    with pytest.raises(TranscriptionCancelled):
        services.transcriber.transcribe(media["en.wav"], "en", cancel=lambda: True)


def test_the_backend_follows_the_models_format(settings, models, tmp_path):
    from pipelines.transcribe.service import choose_backend

    assert choose_backend(settings, str(models["ct2"])) == "faster-whisper"
    assert choose_backend(settings, str(models["hf"])) == "transformers"
    assert choose_backend(settings, "Systran/faster-whisper-base") == "faster-whisper"
    assert choose_backend(settings, "openai/whisper-base") == "transformers"
    with pytest.raises(TranscriberModelError, match="faster-whisper model; the transformers transcriber"):
        choose_backend(settings, str(models["ct2"]), "transformers")


def test_the_studio_starts_without_loading_any_of_it():
    code = ("import sys; from pipelines.services import Services; from studio.settings import Settings;"
            "s = Services(Settings.from_env({'STUDIO_DATA_DIR': '/tmp/x'}));"
            "print(sorted(m for m in ('faster_whisper', 'ctranslate2', 'pipelines.transcribe.service', 'opencc')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- captions from words -----------------------------------------------------------------------------------------

def test_chinese_in_the_script_chosen_with_phrases_converted_whole():
    from pipelines.transcribe.captions import convert_script

    words = (WordTime("头发", 0, 400), WordTime("很长", 400, 800), WordTime(" OK", 900, 1000))
    traditional = convert_script(words, "traditional")
    assert [w.text for w in traditional] == ["頭髮", "很長", " OK"]  # 发 as in hair is 髮, not 發
    assert [(w.start_ms, w.end_ms) for w in traditional] == [(0, 400), (400, 800), (900, 1000)]
    assert [w.text for w in convert_script(traditional, "simplified")] == ["头发", "很长", " OK"]


def test_hanzi_pieces_are_grouped_into_words():
    from pipelines.transcribe.captions import group_chinese_words

    pieces = tuple(WordTime(ch, i * 100, i * 100 + 90) for i, ch in enumerate("今天天气很好"))
    grouped = group_chinese_words(pieces)
    from studio.text.segment import words as segment

    assert [w.text for w in grouped] == segment("今天天气很好") and len(grouped) < len(pieces)
    first = len(grouped[0].text)
    assert (grouped[0].start_ms, grouped[0].end_ms) == (0, pieces[first - 1].end_ms)


def test_cues_break_at_pauses_and_at_two_lines():
    from pipelines.transcribe.captions import caption_cues

    words = (WordTime(" Hello", 0, 300), WordTime(" there.", 300, 600),  # then a long pause
             *(WordTime(f" word{i}", 2000 + i * 250, 2200 + i * 250) for i in range(20)))
    cues = caption_cues(words, "en")
    assert cues[0].text == "Hello there." and cues[0].end_ms == 600
    assert all(len(line) <= 42 for cue in cues for line in cue.text.split("\n"))
    assert all(cue.text.count("\n") <= 1 for cue in cues)
    assert sum(len(c.words) for c in cues) == len(words)


def test_the_srt_holds_every_cue_with_its_times(tmp_path):
    from actions.transcribe import captioned, write_subtitles
    from pipelines.transcribe.contract import Transcript

    words = (WordTime("今", 0, 200), WordTime("天", 200, 400), WordTime("天氣", 400, 900), WordTime("好。", 900, 1200),
             WordTime("我們", 2500, 2900), WordTime("走", 2900, 3300))
    transcript = Transcript("今天天氣好。我們走", "zh", words, (), 3500, "test", "test")
    result = captioned(transcript, "simplified")
    out = write_subtitles(result, tmp_path / "out.srt")
    subs = pysubs2.load(str(out))
    assert [e.plaintext for e in subs] == ["今天天气好。", "我们走"]  # Simplified, split at the pause
    assert [(e.start, e.end) for e in subs] == [(0, 1200), (2500, 3300)]
    vtt = pysubs2.load(str(write_subtitles(result, tmp_path / "out.vtt")))
    assert [(e.plaintext, e.start, e.end) for e in vtt] == [(e.plaintext, e.start, e.end) for e in subs]
    with pytest.raises(TranscriptionError, match=r"\.srt or \.vtt"):
        write_subtitles(result, tmp_path / "out.txt")


# -- the project's captions --------------------------------------------------------------------------------------

class _Heard:
    """A transcriber backend that hears fixed words (the action's logic is what is tested with it)."""

    name = "faster-whisper"

    def __init__(self, words, language="en"):
        self.words, self.language = tuple(words), language

    def __call__(self, speech, language, *, cancel=None):
        from pipelines.transcribe.contract import Transcript

        return Transcript("".join(w.text for w in self.words).strip(), self.language, self.words, (), 60_000,
                          "test", "test")


def _project(media_path: Path | None, seconds=(2, 2, 2), **voice):
    from studio.project.model import Project, Shot, Storyboard, VoiceOver

    shots = tuple(Shot(caption=f"old {i}", duration_ms=int(s * 1000)) for i, s in enumerate(seconds))
    over = VoiceOver(path=str(media_path), **voice) if media_path else None
    return Project(storyboard=Storyboard(shots=shots), voiceover=over)


def test_the_voice_over_fills_each_shot_under_which_it_is_spoken(settings, media):
    from actions.transcribe import captions_from_voice
    from pipelines.services import Services
    from pipelines.transcribe.service import Transcribers
    from studio.project.files import validate_project
    from studio.text.layout import word_spans

    heard = [WordTime(" Hello", 100, 400), WordTime(" world.", 400, 800), WordTime(" Next", 1700, 1900),
             WordTime(" shot", 2100, 2400), WordTime(" here", 2400, 2700), WordTime(" late", 6500, 6900)]
    transcriber = Transcribers(settings, backends={("faster-whisper", settings.whisper_model): _Heard(heard)})
    services = Services(settings, transcriber=transcriber)
    project = _project(media["en.wav"], start_ms=0)
    done = captions_from_voice(services, project, None)
    shots = done.project.shots
    assert [s.caption for s in shots] == ["Hello world.\nNext", "shot here", ""]  # a line break at the pause
    assert [w.text for w in shots[1].caption_words] == ["shot", "here"]
    assert shots[1].caption_words[0].start_ms == 100  # 2100 ms on the clip, 100 ms into shot 2
    assert done.captioned_shots == (1, 2)
    assert any("last 1 words" in n for n in done.notes) and any("shot(s) 3" in n for n in done.notes)
    for shot in shots:  # what the compositor checks before it highlights words
        word_spans(shot.caption, [w.text for w in shot.caption_words])
    validate_project(json.loads(done.project.model_dump_json()))
    assert project.shots[0].caption == "old 0"  # the project passed in is unchanged


def test_a_voice_over_that_starts_later_moves_its_words(settings, media):
    from actions.transcribe import captions_from_voice
    from pipelines.services import Services
    from pipelines.transcribe.service import Transcribers

    heard = [WordTime("你好", 100, 500), WordTime("世界", 500, 900)]
    transcriber = Transcribers(settings, backends={("faster-whisper", settings.whisper_model): _Heard(heard, "zh")})
    done = captions_from_voice(Services(settings, transcriber=transcriber), _project(media["zh.wav"], start_ms=2000),
                               None, chinese="traditional")
    assert [s.caption for s in done.project.shots] == ["", "你好世界", ""]
    assert done.project.shots[1].caption_words[0].start_ms == 100


def test_real_tiny_model_captions_validate_as_a_project(services, media):
    from actions.transcribe import captions_from_voice
    from studio.project.files import validate_project

    done = captions_from_voice(services, _project(media["en.wav"], seconds=(2, 2, 2)), None, language="en")
    assert done.captioned_shots
    validate_project(json.loads(done.project.model_dump_json()))


def test_a_project_without_voice_or_shots_is_refused(services):
    from actions.transcribe import captions_from_voice
    from studio.project.model import Project

    with pytest.raises(ProjectValidationError, match="no voice-over"):
        captions_from_voice(services, _project(None), None)
    with pytest.raises(ProjectValidationError, match="no shots"):
        captions_from_voice(services, Project(), None)


# -- bad input: one sentence, nothing written -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "error", "says"), [
    ("silence.wav", NoSpeechError, "is silent"),
    ("noise.wav", NoSpeechError, "no speech was heard"),
    ("tenhours.flac", MediaTooLargeError, "10:00:00 long"),
    ("corrupt.wav", CorruptMediaError, "could not be decoded"),
    ("garbage.mp3", CorruptMediaError, "not a readable media file"),
    ("noaudio.mp4", CorruptMediaError, "no audio stream"),
])
def test_bad_recordings_are_refused_with_one_sentence(services, media, name, error, says):
    with pytest.raises(error, match=says) as caught:
        services.transcriber.transcribe(media[name], "en")
    assert "\n" not in str(caught.value) and str(media[name].parent) not in str(caught.value)


def test_a_long_recording_is_refused_before_it_is_decoded(settings, media, monkeypatch):
    import dataclasses

    from pipelines.transcribe import audio

    monkeypatch.setattr(audio, "decode_audio", lambda *a, **k: pytest.fail("decoded a file over the limit"))
    with pytest.raises(MediaTooLargeError, match="at most 2 s"):
        audio.load_speech(media["en.wav"], dataclasses.replace(settings, max_transcribe_s=2))


def test_a_model_folder_that_is_not_whisper_is_refused(services, media, models, tmp_path):
    with pytest.raises(TranscriberModelError, match="holds a qwen3_asr model"):
        services.transcriber.transcribe(media["en.wav"], "en", model=str(models["aligner"]))
    odd = tmp_path / "weights"
    odd.mkdir()
    (odd / "model.safetensors").write_bytes(b"\0" * 16)
    with pytest.raises(TranscriberModelError, match="no Whisper model"):
        services.transcriber.transcribe(media["en.wav"], "en", model=str(odd))


def _cli(*args: str) -> int:
    from cli.main import main

    return main(list(args))


def test_the_command_writes_an_srt(media, models, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "voice.srt"
    assert _cli("transcribe", str(media["zh.wav"]), "-o", str(out), "--lang", "zh", "--model", str(models["ct2"]),
                "--chinese", "traditional") == 0
    subs = pysubs2.load(str(out))
    assert len(subs) >= 1 and all(0 <= e.start < e.end <= 5000 for e in subs)
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["silence.wav", "tenhours.flac", "noaudio.mp4", "corrupt.wav"])
def test_the_command_says_one_line_and_writes_nothing(media, models, tmp_path, monkeypatch, capsys, name):
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "out.srt"
    assert _cli("transcribe", str(media[name]), "-o", str(out), "--model", str(models["ct2"])) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out.srt*"))


def test_the_command_fills_a_projects_captions(media, models, tmp_path, monkeypatch, capsys):
    from studio.project.files import load_project, save_project

    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(media["en.wav"], folder / "voice.wav")
    save_project(_project(folder / "voice.wav"), folder / "p.json")
    assert _cli("transcribe", "--project", str(folder / "p.json"), "--model", str(models["ct2"]), "--lang", "en") == 0
    project, _ = load_project(folder / "p.json")
    assert any(s.caption_words for s in project.shots)


# -- forced alignment of known text ------------------------------------------------------------------------------

def test_the_aligner_times_every_word_of_the_known_text(settings, services, media):
    from pipelines.transcribe.align import align

    words = align(media["en.wav"], EN_TEXT, "en", settings=settings, aligner=services.transcriber.aligner)
    assert [w.text for w in words] == [w.strip(".") for w in EN_TEXT.split()]  # the text given, never re-heard
    _inside_and_in_order(words, 6000)
    hanzi = align(media["zh.wav"], "今天天气很好，我们一起去公园。", "auto", settings=settings,
                  aligner=services.transcriber.aligner)
    assert [w.text for w in hanzi] == list("今天天气很好我们一起去公园")  # one Hanzi each, punctuation dropped


def test_a_speech_servers_line_is_aligned_when_the_aligner_is_here(settings, tmp_path):
    """The voice service's estimate (a speech server gives no word times) is replaced by the aligner's reading of
    the known line; the line is never re-heard, and the cache keeps the aligned times."""
    import dataclasses

    from pipelines.services import Services
    from pipelines.voice.contract import SpeechRequest, TimingSource
    from studio.backends import VoiceBackendName
    from studio.project.model import Language
    from tests.helpers.speech_server import start_speech_server

    state, server = start_speech_server()
    try:
        services = Services(dataclasses.replace(settings, tts_url=state.url))
        line = "Quick brown fox. Jumps over the lazy dog."
        speech = services.voice.speak(SpeechRequest(line, Language.EN), tmp_path, VoiceBackendName.OPENAI)
        assert speech.timing is TimingSource.ALIGNED
        assert [w.text for w in speech.words] == [w.strip(".") for w in line.split()]
        _inside_and_in_order(speech.words, speech.duration_ms)
        again = services.voice.speak(SpeechRequest(line, Language.EN), tmp_path, VoiceBackendName.OPENAI)
        assert again.cached and again.timing is TimingSource.ALIGNED and len(state.requests) == 1
        without = Services(dataclasses.replace(settings, tts_url=state.url, aligner_model=str(tmp_path / "none")))
        estimated = without.voice.speak(SpeechRequest(line, Language.EN), tmp_path / "b", VoiceBackendName.OPENAI)
        assert estimated.timing is TimingSource.ESTIMATED
    finally:
        server.shutdown()


def test_without_aligner_weights_the_caller_keeps_its_estimate(settings, media, tmp_path, monkeypatch):
    import dataclasses

    from pipelines.transcribe.align import ForcedAligner, align

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    missing = dataclasses.replace(settings, aligner_model="Qwen/Qwen3-ForcedAligner-0.6B-hf")
    assert align(media["en.wav"], "hello", "en", settings=missing) is None
    assert align(media["en.wav"], "hello", "en", settings=settings, aligner=ForcedAligner(str(tmp_path))) is None


def test_a_model_that_is_not_an_aligner_is_refused(settings, media, models):
    from pipelines.transcribe.align import ForcedAligner, align

    with pytest.raises(TranscriberModelError, match="not a Qwen3 forced aligner"):
        align(media["en.wav"], "hello", "en", settings=settings, aligner=ForcedAligner(str(models["hf"])))


# -- the faces: the accordion and its API endpoints -------------------------------------------------------------

def test_the_accordion_and_its_endpoints_fill_a_project_over_the_api(settings, services, media, tmp_path):
    import gradio as gr
    from gradio_client import Client, handle_file

    from studio.project.limits import JobQuota
    from tests.helpers.net import free_port
    from ui.context import Studio
    from ui.session import RenderJobs, Workspace
    from ui.transcribe import build_captions_from_voice

    workspace = Workspace(settings)
    with gr.Blocks() as demo:
        studio = Studio(services, workspace, RenderJobs(JobQuota.from_settings(settings)), project=gr.State(None),
                        user=gr.BrowserState(None), selected=gr.State(None))
        build_captions_from_voice(studio)
        studio.wire_refresh()
    assert {"transcribe", "captions_from_voice"} <= {f.api_name for f in demo.fns.values()}
    for folder in (workspace.renders, workspace.projects):
        folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                        allowed_paths=[str(workspace.renders), str(workspace.projects)])
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        srt, text = client.predict(handle_file(str(media["en.wav"])), "en", "simplified", api_name="/transcribe")
        assert pysubs2.load(srt) and text
        project_json, notes = client.predict(_project(None).model_dump_json(), handle_file(str(media["en.wav"])),
                                             "en", "simplified", api_name="/captions_from_voice")
        assert any(s["caption_words"] for s in json.loads(project_json)["storyboard"]["shots"]) and "en.wav" in notes
        with pytest.raises(Exception, match="is silent"):
            client.predict(handle_file(str(media["silence.wav"])), "en", "simplified", api_name="/transcribe")
    finally:
        demo.close()


def test_the_doctors_transcription_line(settings, models, tmp_path):
    import dataclasses

    from pipelines.transcribe.service import doctor_stage
    from studio.settings import HubEnvironment

    hub = HubEnvironment(endpoint="https://huggingface.co", cache_dir=tmp_path / "empty-cache", offline=True)
    here = doctor_stage(settings, hub)
    assert here.backend == "faster-whisper" and not here.action
    assert here.found == (f"{models['ct2']} (folder)", f"{models['aligner']} (forced aligner)")
    absent = doctor_stage(dataclasses.replace(settings, whisper_model="Systran/faster-whisper-base"), hub)
    assert absent.action == "python -m studio models download Systran/faster-whisper-base"
    assert "captions" in absent.missing and "not on this machine" in absent.why
    wrong = doctor_stage(dataclasses.replace(settings, whisper_model=str(models["aligner"])), hub)
    assert wrong.backend == "none" and "qwen3_asr" in wrong.why
