"""faster-whisper (CTranslate2, MIT): Whisper converted for fast CPU inference, int8 on a CPU, float16 on CUDA.

The model is a folder written by ``ct2-transformers-converter`` (``model.bin`` with ``config.json`` and the
tokenizer) or a hub id of such a folder (``Systran/faster-whisper-base``), loaded once per process. Word times come
from faster-whisper's own cross-attention alignment (``word_timestamps=True``); greedy decoding at temperature 0,
no conditioning on earlier text (a stuck model repeats itself less), no VAD filter (the recording was checked for
speech already, and cutting it would move the times).
"""

from __future__ import annotations

import os

import numpy as np

from pipelines.transcribe.contract import (
    SAMPLE_RATE,
    Cancel,
    LoadedOnce,
    Transcript,
    TranscriptSegment,
    check_cancel,
    clean_words,
    joined,
)
from studio.backends import TranscriberBackendName
from studio.errors import TranscriberModelError
from studio.settings import HubEnvironment, Settings


class FasterWhisperTranscriber(LoadedOnce):
    name = TranscriberBackendName.FASTER_WHISPER

    def __init__(self, model_ref: str, *, device: str = "auto", threads: int | None = None):
        super().__init__(model_ref)
        self.device = device
        self.threads = threads or min(4, os.cpu_count() or 1)

    @classmethod
    def from_settings(cls, settings: Settings, model_ref: str) -> FasterWhisperTranscriber:
        return cls(model_ref)

    def _load(self):
        try:
            import ctranslate2
            from faster_whisper import WhisperModel
        except ImportError:
            raise TranscriberModelError('faster-whisper is not installed: pip install ".[voice]" (or set '
                                        "STUDIO_TRANSCRIBER=transformers)") from None
        cuda = self.device in ("auto", "cuda") and ctranslate2.get_cuda_device_count() > 0
        device, compute = ("cuda", "float16") if cuda else ("cpu", "int8")
        ref, folder = self.local_model()
        try:
            return WhisperModel(ref, device=device, compute_type=compute, cpu_threads=self.threads,
                                local_files_only=folder or HubEnvironment.from_env().offline)
        except Exception as err:  # noqa: BLE001 -- CTranslate2 and the hub raise many kinds; one sentence each
            raise self.load_failed("faster-whisper", err) from None

    def __call__(self, speech: np.ndarray, language: str | None, *, cancel: Cancel | None = None) -> Transcript:
        model = self.loaded()
        check_cancel(cancel)
        duration_ms = len(speech) * 1000 // SAMPLE_RATE
        segments, info = model.transcribe(speech, language=language or None, task="transcribe",
                                          word_timestamps=True, beam_size=1, temperature=0.0,
                                          condition_on_previous_text=False, vad_filter=False)
        raw, parts = [], []
        for segment in segments:  # a generator: decoding happens while we read it, so cancel is honoured here
            check_cancel(cancel)
            seg_words = [(w.word, w.start, w.end) for w in (segment.words or [])]
            raw += seg_words
            text = segment.text.strip()
            if text:
                parts.append((text, segment.start, segment.end))
        words = clean_words(raw, duration_ms)
        segments_out = tuple(TranscriptSegment(text, int(max(0.0, s) * 1000), min(duration_ms, int(e * 1000)))
                             for text, s, e in parts)
        return Transcript(text=joined(words), language=language or info.language, words=words,
                          segments=segments_out, duration_ms=duration_ms, backend=self.name.value,
                          model=self.model_ref)
