"""The voice engines, on real audio: espeak-ng (a worker process), the bundled Piper voice (onnxruntime) and an
OpenAI-compatible speech server on 127.0.0.1; word times checked against the audio they describe and against
ground truth made by speaking each word alone and joining them with known gaps."""

from __future__ import annotations

import json
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from pipelines.voice.audio import read_wav, voiced_runs
from pipelines.voice.backends import VoiceBackends
from pipelines.voice.contract import Speech, SpeechRequest, TimingSource
from pipelines.voice.text import check_line, chunks, spoken
from pipelines.voice.timings import estimate
from studio.backends import VoiceBackendName
from studio.errors import VoiceBackendError, VoiceError
from studio.project.model import Language
from studio.settings import Settings
from tests.helpers.speech_server import Behaviour, start_speech_server

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="needs espeak-ng (apt-get install espeak-ng)")

EN = "The quick brown fox jumps over the lazy dog while seven children watch from the old bridge."
ZH = "今天天气很好，我们一起去公园散步。"
JOE = "en_US-joe-medium"
TOL_MS = 40.0
WORDS = "Quick Brown Fox Jumps Over Lazy Dog While Children Watch".split()  # noqa: SIM905


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path_factory.mktemp("data"))})


@pytest.fixture(scope="module")
def voices(settings: Settings) -> VoiceBackends:
    """One service for the module, as in one studio process: Piper loads once, espeak's worker starts once."""
    return VoiceBackends(settings)


def _check_audio(speech: Speech, sample_rate: int) -> np.ndarray:
    with wave.open(str(speech.audio)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, sample_rate)
        frames = w.getnframes()
    assert abs(frames * 1000 / sample_rate - speech.duration_ms) <= 1
    x, _ = read_wav(speech.audio)
    assert np.sqrt(np.mean(x ** 2)) > 0.02, "the speech is (nearly) silent"
    starts = [w.start_ms for w in speech.words]
    assert starts == sorted(starts), "words out of order"
    for word in speech.words:
        assert 0 <= word.start_ms <= word.end_ms <= speech.duration_ms, word
    return x


def test_espeak_speaks_english_and_chinese_with_engine_word_times(voices: VoiceBackends, tmp_path: Path):
    en = voices.speak(SpeechRequest(EN, Language.EN), tmp_path, VoiceBackendName.ESPEAK)
    _check_audio(en, 22050)
    assert (en.backend, en.voice, en.timing) == ("espeak", "en-us", TimingSource.ENGINE)
    assert " ".join(w.text for w in en.words).split() == EN.rstrip(".").split()  # merged pairs keep both words
    zh = voices.speak(SpeechRequest(ZH, Language.ZH), tmp_path, VoiceBackendName.ESPEAK)
    _check_audio(zh, 22050)
    assert zh.voice == "cmn-latn-pinyin"
    assert "".join(w.text for w in zh.words) == "今天天气很好我们一起去公园散步"
    assert zh.duration_ms > 2500  # 15 Hanzi spoken as Mandarin, not read out as letters and digits


def test_espeak_never_loads_into_the_studio_process(voices: VoiceBackends, tmp_path: Path):
    voices.speak(SpeechRequest("GPL stays outside.", Language.EN), tmp_path, VoiceBackendName.ESPEAK)
    assert "libespeak" not in Path("/proc/self/maps").read_text()


def test_the_bundled_piper_voice_speaks_with_model_word_times(voices: VoiceBackends, tmp_path: Path):
    speech = voices.speak(SpeechRequest(EN, Language.EN), tmp_path, VoiceBackendName.PIPER)
    _check_audio(speech, 22050)
    assert (speech.backend, speech.voice, speech.timing) == ("piper", JOE, TimingSource.MODEL)
    assert " ".join(w.text for w in speech.words).split() == EN.rstrip(".").split()
    faster = voices.speak(SpeechRequest(EN, Language.EN, speed=1.25), tmp_path, VoiceBackendName.PIPER)
    assert faster.duration_ms < speech.duration_ms * 0.95


def test_auto_picks_piper_for_english_and_espeak_for_chinese(voices: VoiceBackends):
    assert voices.choose(Language.EN) is VoiceBackendName.PIPER
    assert voices.choose(Language.ZH) is VoiceBackendName.ESPEAK
    listed = {(v.backend, v.name): v for v in voices.available()}
    assert listed[("piper", JOE)].commercial.value == "conditions" and "review" in listed[("piper", JOE)].licence
    assert "GPL-3.0" in listed[("espeak", "cmn-latn-pinyin")].licence


# ------------------------------------------------------------------------------------------------ timing accuracy


def _ground_truth(voices: VoiceBackends, words: list[str], language: Language, folder: Path, gap_ms: int = 120):
    """Each word spoken alone by espeak-ng, trimmed to its sound, joined with ``gap_ms`` of silence: the word
    boundaries are exact by construction."""
    parts, truth, at = [], [], 0
    gap = np.zeros(int(22050 * gap_ms / 1000), np.float32)
    for word in words:
        x, sr = read_wav(voices.speak(SpeechRequest(word, language), folder, VoiceBackendName.ESPEAK).audio)
        loud = np.flatnonzero(np.abs(x) > 300 / 32768)
        x = x[loud[0]:loud[-1] + 1]
        truth.append((round(at * 1000 / sr), round((at + len(x)) * 1000 / sr)))
        parts += [x, gap]
        at += len(x) + len(gap)
    return np.concatenate(parts), truth


def _p90(truth, predicted) -> float:
    errors = np.abs(np.array(truth, float) - np.array(predicted, float)).ravel()
    return float(np.percentile(errors, 90))


@pytest.mark.parametrize("language, words", [
    (Language.EN, ["quick", "brown", "fox", "jumps", "over", "lazy", "dog", "while", "children", "watch"]),
    (Language.ZH, ["今天", "天气", "很好", "我们", "一起", "公园", "散步"]),
])
def test_estimated_times_land_on_known_word_boundaries(voices, tmp_path, language, words):
    x, truth = _ground_truth(voices, words, language, tmp_path)
    assert _p90(truth, estimate(x, 22050, words)) <= TOL_MS
    # the same words with no pauses left to find: an estimate, and no better than one
    uniform = estimate(x[: truth[0][1] * 22], 22050, words)
    assert len(uniform) == len(words)


def _onset_errors(speech: Speech) -> tuple[np.ndarray, int]:
    """Each reported word start against the nearest detected speech onset (after >= 120 ms of silence), for the
    words that have one within 100 ms, and how many have none (the voice left too short a pause to detect)."""
    x, sr = read_wav(speech.audio)
    onsets = np.array([run[0] for run in voiced_runs(x, sr, min_gap_ms=120)], float)
    starts = np.array([w.start_ms for w in speech.words], float)
    nearest = np.array([np.min(np.abs(onsets - s)) for s in starts])
    return nearest[nearest <= 100], int((nearest > 100).sum())


@pytest.mark.parametrize("backend, language, words, separator", [
    (VoiceBackendName.ESPEAK, Language.EN, WORDS, "; "),
    (VoiceBackendName.PIPER, Language.EN, WORDS, "; "),
    (VoiceBackendName.ESPEAK, Language.ZH, list("今天气好我们公园"), "；"),
])
def test_engine_and_model_word_starts_match_the_speech_onsets(voices, tmp_path, backend, language, words, separator):
    # "; " leaves a pause both voices keep (Piper's ". " pause is sometimes too short to find an onset after)
    speech = voices.speak(SpeechRequest(separator.join(words) + ".", language), tmp_path, backend)
    assert [w.text for w in speech.words] == words
    errors, unmatched = _onset_errors(speech)
    assert unmatched <= 2, (errors, unmatched)
    assert errors.mean() <= 30 and np.percentile(errors, 90) <= TOL_MS, errors


def test_a_speech_server_gives_estimated_times(voices, tmp_path):
    state, server = start_speech_server()
    try:
        service = VoiceBackends(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_TTS_URL": state.url,
                                                   "STUDIO_TTS_KEY": "sk-test", "STUDIO_TTS_VOICE": "alloy,nova"}))
        words = ["Quick", "Brown", "Fox", "Jumps", "Over", "Lazy", "Dog"]
        speech = service.speak(SpeechRequest(". ".join(words) + ".", Language.EN), tmp_path / "c",
                               VoiceBackendName.OPENAI)
        _check_audio(speech, 22050)
        assert (speech.backend, speech.voice, speech.timing) == ("openai", "alloy", TimingSource.ESTIMATED)
        assert [w.text for w in speech.words] == words
        assert state.requests[0]["response_format"] == "wav" and state.requests[0]["model"] == "tts-1"
        assert state.headers[0]["Authorization"] == "Bearer sk-test"
        zh = service.speak(SpeechRequest(ZH, Language.ZH, voice="nova"), tmp_path / "c", VoiceBackendName.OPENAI)
        assert zh.voice == "nova" and "".join(w.text for w in zh.words) == "今天天气很好我们一起去公园散步"
    finally:
        server.shutdown()


@pytest.mark.parametrize("behaviour, message", [
    (Behaviour(delay_s=3), "did not answer within 1 s"),
    (Behaviour(status=500, body=b'{"error": {"message": "model exploded"}}'), "HTTP 500: model exploded"),
    (Behaviour(status=401, body=b"{}"), "refused the API key"),
    (Behaviour(body=b"ID3 this is an mp3, not a wav" * 4), "is not a WAV file"),
    (Behaviour(huge_mb=3), "sent more than 1 MiB"),
])
def test_a_failing_speech_server_gets_one_sentence_and_leaves_nothing(tmp_path, behaviour, message):
    from pipelines.voice.openai import OpenAIVoice

    state, server = start_speech_server()
    state.script(behaviour)
    try:
        engine = OpenAIVoice(state.url, timeout_s=1, max_reply_bytes=1 << 20)
        service = VoiceBackends(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path)}),
                                {VoiceBackendName.OPENAI: engine})
        with pytest.raises(VoiceBackendError, match=message):
            service.speak(SpeechRequest("Hello there.", Language.EN), tmp_path / "cache", VoiceBackendName.OPENAI)
        assert list((tmp_path / "cache").iterdir()) == []
    finally:
        server.shutdown()


@pytest.mark.parametrize("url, message", [
    ("http://user:secret@127.0.0.1:1/v1", "put the speech server's API key in STUDIO_TTS_KEY"),
    ("file:///etc/passwd", "STUDIO_TTS_URL follows the LLM URL's rules: LLM URL .* is not an http"),
    ("http://10.1.2.3:8880/v1", "points at a private address .*STUDIO_LLM_ALLOW_PRIVATE=on"),
])
def test_a_speech_url_is_held_to_the_url_rules(tmp_path, url, message):
    service = VoiceBackends(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_TTS_URL": url}))
    assert [v.name for v in service.available() if v.backend == "openai"] == ["alloy"]  # listing: no network
    with pytest.raises(VoiceError, match=message):
        service.speak(SpeechRequest("Hello.", Language.EN), tmp_path / "cache", VoiceBackendName.OPENAI)
    assert list((tmp_path / "cache").iterdir()) == []


# ------------------------------------------------------------------------------------------------ cache


def test_the_same_line_comes_from_the_cache_and_a_new_speed_is_spoken_again(voices, tmp_path):
    first = voices.speak(SpeechRequest("Cache me.", Language.EN), tmp_path, VoiceBackendName.ESPEAK)
    again = voices.speak(SpeechRequest("Cache me.", Language.EN), tmp_path, VoiceBackendName.ESPEAK)
    assert not first.cached and again.cached
    assert (again.audio, again.words, again.duration_ms, again.timing) == (first.audio, first.words,
                                                                           first.duration_ms, first.timing)
    slower = voices.speak(SpeechRequest("Cache me.", Language.EN, speed=0.85), tmp_path, VoiceBackendName.ESPEAK)
    assert not slower.cached and slower.audio != first.audio and slower.duration_ms > first.duration_ms
    first.audio.with_suffix(".json").write_text("{broken")  # a damaged entry is spoken again
    assert not voices.speak(SpeechRequest("Cache me.", Language.EN), tmp_path, VoiceBackendName.ESPEAK).cached
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".json", ".wav", ".wav"]  # no temporaries


# ------------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("text, language, message", [
    ("", Language.EN, "empty"),
    ("   \n\t ", Language.ZH, "empty"),
    ("!!! ...", Language.EN, "no words"),
    ("x" * 10_001, Language.EN, "10001 characters; the limit is 10000"),
    ("Hello 世界", Language.EN, "marked English but has Chinese characters"),
])
def test_bad_lines_are_refused_in_one_sentence(voices, tmp_path, text, language, message):
    with pytest.raises(VoiceError, match=message):
        voices.speak(SpeechRequest(text, language), tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_a_missing_voice_lists_the_ones_that_exist_and_a_voice_keeps_to_its_language(voices, tmp_path):
    with pytest.raises(VoiceError, match=r"no voice 'nobody'; the ones here are: .*en_US-joe-medium \(en\).*"
                                         r"cmn-latn-pinyin \(zh\)"):
        voices.speak(SpeechRequest("Hello.", Language.EN, voice="nobody"), tmp_path)
    with pytest.raises(VoiceError, match=r"speaks en, not zh; the voices here that speak zh: cmn-latn-pinyin \(zh\)"):
        voices.speak(SpeechRequest(ZH, Language.ZH, voice=JOE), tmp_path)
    with pytest.raises(VoiceError, match="no piper voice here speaks zh"):
        voices.speak(SpeechRequest(ZH, Language.ZH), tmp_path, VoiceBackendName.PIPER)
    with pytest.raises(VoiceError, match="speed 3 is outside"):
        voices.speak(SpeechRequest("Hello.", Language.EN, speed=3), tmp_path)
    with pytest.raises(VoiceError, match="no speech server is configured; set STUDIO_TTS_URL"):
        voices.choose(Language.EN, VoiceBackendName.OPENAI)
    with pytest.raises(VoiceError, match=r"no piper voice here speaks zh; the piper voices are: en_US-joe-medium"):
        voices.choose(Language.ZH, "piper")
    with pytest.raises(VoiceError, match="no voice backend 'kokoro'"):
        voices.speak(SpeechRequest("Hello.", Language.EN), tmp_path, "kokoro")
    assert list(tmp_path.iterdir()) == []


def test_a_5000_character_line_is_spoken_whole(voices, tmp_path):
    sentence = "Narration runs on, clause after clause, until the line is very long indeed. "
    text = (sentence * (5000 // len(sentence) + 1))[:5000].rsplit(" ", 1)[0]
    speech = voices.speak(SpeechRequest(text, Language.EN), tmp_path, VoiceBackendName.ESPEAK)
    _check_audio(speech, 22050)
    assert " ".join(w.text for w in speech.words).split() == [w.strip(",.") for w in text.split()]
    assert speech.duration_ms > 200_000
    pieces = chunks(spoken(text, Language.EN).said)
    assert len(pieces) > 10 and all(len(p) <= 400 for _, p in pieces)
    assert "".join(p for _, p in pieces).strip() == spoken(text, Language.EN).said.strip()


def test_markup_is_spoken_as_text_never_obeyed(voices, tmp_path):
    text = '<speak>Wait <break time="9s"/> here</speak>'
    speech = voices.speak(SpeechRequest(text, Language.EN), tmp_path, VoiceBackendName.ESPEAK)
    x, sr = read_wav(speech.audio)
    runs = voiced_runs(x, sr)
    longest_pause = max((b[0] - a[1] for a, b in zip(runs, runs[1:], strict=False)), default=0)
    assert speech.duration_ms < 8000 and longest_pause < 1000
    assert "break" in [w.text for w in speech.words]


@pytest.mark.parametrize("language, text, units", [
    (Language.EN, "I paid $12.50 on 2024-05-01 at 10:30, 35% more 😀 see https://example.com/x",
     ["I", "paid", "$12.50", "on", "2024-05-01", "at", "10:30", "35%", "more", "see", "https://example.com/x"]),
    (Language.ZH, "2024年花了￥12.5，涨了35%😀", ["2024", "年", "花", "了", "￥12.5", "涨", "了", "35%"]),
])
def test_numbers_dates_money_urls_and_emoji_are_read_out_and_captioned_as_written(voices, tmp_path, language, text,
                                                                                   units):
    said = spoken(text, language).said
    assert not any(ch.isdigit() for ch in said) and "😀" not in said and "http" not in said
    speech = voices.speak(SpeechRequest(text, language), tmp_path, VoiceBackendName.ESPEAK)
    assert [w.text for w in speech.words] == units


def test_a_chinese_line_with_english_words_is_spoken_in_one_voice(voices, tmp_path):
    speech = voices.speak(SpeechRequest("我们用ChatGPT做视频", Language.AUTO), tmp_path)
    assert speech.voice == "cmn-latn-pinyin"
    assert [w.text for w in speech.words][:3] == ["我", "们", "用"] and "做" in [w.text for w in speech.words]
    assert check_line(" 今天 ", Language.AUTO) == ("今天", Language.ZH)


# ------------------------------------------------------------------------------------------------ faces


def test_the_cli_speaks_a_line_and_lists_the_voices(offline_env, tmp_path, capsys):
    from cli.main import main

    out, timings = tmp_path / "line.wav", tmp_path / "line.json"
    assert main(["voice", "今天天气很好", "--lang", "zh", "-o", str(out), "--timings", str(timings)]) == 0
    assert "voice cmn-latn-pinyin (espeak), word times: engine" in capsys.readouterr().out
    words = json.loads(timings.read_text(encoding="utf-8"))
    assert [w["text"] for w in words] == list("今天天气很好")
    assert set(words[0]) == {"text", "start_ms", "end_ms"}
    with wave.open(str(out)) as w:
        assert w.getframerate() == 22050 and w.getnframes() > 22050 // 2
    assert main(["voices"]) == 0
    listing = capsys.readouterr().out
    assert "en_US-joe-medium" in listing and "cmn-latn-pinyin" in listing and "licence: GPL-3.0" in listing
    assert main(["voices", "--json"]) == 0
    assert {v["backend"] for v in json.loads(capsys.readouterr().out)} == {"piper", "espeak"}
    assert main(["voice", "Hello", "--voice", "nobody", "-o", str(tmp_path / "no.wav")]) == 2
    assert capsys.readouterr().err.startswith("error: there is no voice 'nobody'")
    assert not (tmp_path / "no.wav").exists()


def test_the_doctor_names_the_voices_here(settings):
    from pipelines.machine import doctor
    from studio.models import Stage

    report = doctor(settings).stage(Stage.VOICE)
    assert report.in_this_version and report.backend == "espeak (zh), piper (en)"
    assert "cmn-latn-pinyin (espeak, zh)" in report.found and f"{JOE} (piper, en)" in report.found
    assert report.missing == "a neural Chinese voice"


def test_a_folder_of_piper_voices_is_offered_beside_the_bundled_one(tmp_path):
    from pipelines.voice.piper import bundled_voice

    joe = bundled_voice()
    assert joe is not None
    folder = tmp_path / "voices" / "en_US-mine-medium"
    folder.mkdir(parents=True)
    (folder / "en_US-mine-medium.onnx").symlink_to(joe.model)
    (folder / "en_US-mine-medium.onnx.json").write_bytes(joe.config.read_bytes())
    (folder / "MODEL_CARD").write_text("* License: CC0\n")
    (tmp_path / "voices" / "half.onnx").write_bytes(b"no config beside it")
    service = VoiceBackends(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path),
                                               "STUDIO_PIPER_VOICE": str(tmp_path / "voices")}))
    piper = [v for v in service.available() if v.backend == "piper"]
    assert [v.name for v in piper] == [JOE, "en_US-mine-medium"]
    assert "MODEL_CARD" in piper[1].licence and piper[1].commercial.value == "conditions"
    speech = service.speak(SpeechRequest("Mine speaks too.", Language.EN, voice="en_US-mine-medium"), tmp_path / "c")
    _check_audio(speech, 22050)
    assert (speech.backend, speech.voice, speech.timing) == ("piper", "en_US-mine-medium", TimingSource.MODEL)


def test_the_espeak_worker_is_started_again_when_it_dies(tmp_path):
    from pipelines.voice.espeak import EspeakVoice

    engine = EspeakVoice()
    engine.speak(SpeechRequest("One.", Language.EN), tmp_path / "1.wav")
    process = engine._worker._proc
    assert process is not None
    process.kill()
    process.wait()
    assert engine.speak(SpeechRequest("Two.", Language.EN), tmp_path / "2.wav").duration_ms > 200
    assert engine._worker._proc is not process
    engine.close()


def test_the_studio_starts_without_loading_any_voice_engine():
    import subprocess
    import sys

    code = ("import sys; from pipelines.services import Services; from studio.settings import Settings; "
            "s = Services(Settings.from_env({'STUDIO_DATA_DIR': '/nonexistent'})); "
            "print(type(s.voice).__name__, sorted(m for m in ('onnxruntime', 'onnx', 'pipelines.voice.piper', "
            "'pipelines.voice.espeak', 'pipelines.voice.openai') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    assert out.strip() == "VoiceBackends []"


@pytest.mark.parametrize("text, blocks", [
    ("ChatGPT is great", [["ChatGPT"], ["is"], ["great"]]),  # espeak splits one word into two groups
    ("we jump from the old bridge", [["we"], ["jump"], ["from", "the"], ["old"], ["bridge"]]),  # and merges two
])
def test_piper_words_follow_espeaks_phoneme_groups(text, blocks):
    from pipelines.voice.piper import align_groups, espeak_ipa

    words, groups = text.split(), espeak_ipa(text, "en-us").split(" ")
    found = align_groups(words, groups, "en-us")
    assert [[words[i] for i in ws] for ws, _ in found] == blocks
    assert [g for _, gs in found for g in gs] == list(range(len(groups)))  # every phoneme group spoken, in order
