"""transformers' Whisper: the ``automatic-speech-recognition`` pipeline with ``return_timestamps="word"`` (times
from cross-attention over the model's alignment heads), for a ``save_pretrained`` folder or a hub id such as
``openai/whisper-base``. CUDA with float16 when present, else CPU with float32; loaded once per process.
"""

from __future__ import annotations

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
from studio.settings import Settings


class TransformersWhisperTranscriber(LoadedOnce):
    name = TranscriberBackendName.TRANSFORMERS

    @classmethod
    def from_settings(cls, settings: Settings, model_ref: str) -> TransformersWhisperTranscriber:
        return cls(model_ref)

    def _load(self):
        try:
            import torch
            from transformers import pipeline
        except ImportError:
            raise TranscriberModelError('transformers is not installed: pip install ".[gpu]" (or set '
                                        "STUDIO_TRANSCRIBER=faster-whisper)") from None
        ref, _ = self.local_model()
        cuda = torch.cuda.is_available()
        try:
            pipe = pipeline("automatic-speech-recognition", model=ref, device="cuda" if cuda else "cpu",
                            dtype=torch.float16 if cuda else torch.float32)
        except Exception as err:  # noqa: BLE001 -- OSError, ValueError, KeyError: one sentence each
            raise self.load_failed("Whisper", err) from None
        if pipe.model.config.model_type != "whisper":
            raise TranscriberModelError(f"{self.model_ref!r} is a {pipe.model.config.model_type} model, not Whisper")
        return pipe

    def __call__(self, speech: np.ndarray, language: str | None, *, cancel: Cancel | None = None) -> Transcript:
        pipe = self.loaded()
        check_cancel(cancel)
        duration_ms = len(speech) * 1000 // SAMPLE_RATE
        generate = {"task": "transcribe", "num_beams": 1}  # num_beams explicit: word times need it (the recipe)
        if language:
            generate["language"] = language
        out = pipe({"raw": speech, "sampling_rate": SAMPLE_RATE}, return_timestamps="word",
                   chunk_length_s=30 if duration_ms > 30_000 else None, generate_kwargs=generate)
        check_cancel(cancel)
        raw = []
        for chunk in out.get("chunks") or []:
            start, end = chunk.get("timestamp") or (None, None)
            if start is None:
                continue
            raw.append((chunk.get("text") or "", start, end if end is not None else start))
        words = clean_words(raw, duration_ms)
        text = joined(words)
        segments = (TranscriptSegment(text, words[0].start_ms, words[-1].end_ms),) if words else ()
        return Transcript(text=text, language=language or "", words=words, segments=segments,
                          duration_ms=duration_ms, backend=self.name.value, model=self.model_ref)
