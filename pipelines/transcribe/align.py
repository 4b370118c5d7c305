"""Word timings for text that is already known (a narration line and its audio): the Qwen3 forced aligner of
transformers (``Qwen3ASRForTokenClassification`` with ``Qwen3ASRProcessor``), which places each word of the given
text in the audio (one Hanzi at a time for Chinese, punctuation dropped; 80 ms classes). It aligns the text it is
given and never transcribes: a word the speaker skipped still gets a (short) span.

``align(audio, text, language, settings=..., aligner=...)`` is the one entry point: None when the aligner's weights
are not on this machine (the caller keeps its own estimate, labelled as one); nothing is ever downloaded here.
The aligner loads once per process (``Services.transcriber.aligner``).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from pipelines.transcribe.audio import load_speech
from pipelines.transcribe.contract import SAMPLE_RATE, clean_words, language_of
from pipelines.voice.contract import WordTime
from studio.errors import TranscriberModelError, TranscriptionError
from studio.settings import HubEnvironment, Settings

LANGUAGE_NAMES = {"zh": "Chinese", "en": "English", "yue": "Cantonese", "fr": "French", "de": "German",
                  "it": "Italian", "ja": "Japanese", "ko": "Korean", "pt": "Portuguese", "ru": "Russian",
                  "es": "Spanish"}  # the forced aligner's languages
MAX_TEXT_CHARS = 5000
MAX_AUDIO_S = 300  # the Qwen3 forced aligner's own limit: five minutes at once


def weights_present(model_ref: str, hub: HubEnvironment | None = None) -> bool:
    """Whether ``model_ref`` loads without the network: a folder with a config and safetensors, or a complete HF
    cache entry (huggingface_hub's cache lookup makes no request)."""
    path = Path(model_ref).expanduser()
    if path.is_dir():
        return (path / "config.json").is_file() and any(path.glob("*.safetensors"))
    if model_ref.count("/") != 1 or model_ref.startswith((".", "/", "~")):
        return False
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    cache_dir = (hub or HubEnvironment.from_env()).cache_dir
    try:
        found = [try_to_load_from_cache(model_ref, name, cache_dir=cache_dir) for name in
                 ("config.json", "model.safetensors", "model.safetensors.index.json")]
    except Exception:  # noqa: BLE001 -- an id huggingface_hub refuses as malformed is simply not there
        return False
    return isinstance(found[0], str) and (isinstance(found[1], str) or isinstance(found[2], str))


class ForcedAligner:
    """The Qwen3 forced aligner of one model, loaded on first use, once; CUDA in bfloat16 when present."""

    def __init__(self, model_ref: str):
        self.model_ref = model_ref
        self._loaded = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> ForcedAligner:
        return cls(settings.aligner_model)

    def available(self) -> bool:
        return self._loaded is not None or weights_present(self.model_ref)

    def _load(self):
        with self._lock:
            if self._loaded is None:
                try:
                    import torch
                    from transformers import AutoConfig, AutoModelForTokenClassification, AutoProcessor
                except ImportError:
                    raise TranscriberModelError('the forced aligner needs transformers: pip install ".[gpu]"'
                                                ) from None
                path = Path(self.model_ref).expanduser()
                ref = str(path) if path.is_dir() else self.model_ref
                cuda = torch.cuda.is_available()
                try:
                    kind = AutoConfig.from_pretrained(ref, local_files_only=True).model_type
                except Exception as err:  # noqa: BLE001 -- OSError, ValueError: one sentence each
                    reason = " ".join(str(err).split())[:200] or type(err).__name__
                    raise TranscriberModelError(f"cannot load the forced aligner {self.model_ref!r}: {reason}"
                                                ) from None
                if kind != "qwen3_asr":
                    raise TranscriberModelError(f"{self.model_ref!r} is not a Qwen3 forced aligner (it is a "
                                                f"{kind} model)")
                try:
                    processor = AutoProcessor.from_pretrained(ref, local_files_only=True)
                    model = AutoModelForTokenClassification.from_pretrained(
                        ref, local_files_only=True, dtype=torch.bfloat16 if cuda else torch.float32)
                except Exception as err:  # noqa: BLE001 -- OSError, ValueError, KeyError: one sentence each
                    reason = " ".join(str(err).split())[:200] or type(err).__name__
                    raise TranscriberModelError(f"cannot load the forced aligner {self.model_ref!r}: {reason}"
                                                ) from None
                if not hasattr(processor, "decode_forced_alignment"):
                    raise TranscriberModelError(f"{self.model_ref!r} is not a Qwen3 forced aligner (it is a "
                                                f"{kind} model)")
                self._loaded = (processor, model.to("cuda" if cuda else "cpu").eval())
            return self._loaded

    def __call__(self, samples: np.ndarray, text: str, language: str) -> tuple[WordTime, ...]:
        """Each word of ``text`` (each Hanzi in Chinese) with its span in ``samples`` (16 kHz mono), in order."""
        import torch

        processor, model = self._load()
        name = LANGUAGE_NAMES.get(language)
        if name is None:
            raise TranscriptionError(f"the forced aligner does not know the language {language!r}; it aligns "
                                     f"{', '.join(LANGUAGE_NAMES)}")
        inputs, word_lists = processor.prepare_forced_aligner_inputs(audio=samples, transcript=text, language=name)
        if not word_lists or not word_lists[0]:
            return ()
        inputs = inputs.to(model.device)
        if "input_features" in inputs:
            inputs["input_features"] = inputs["input_features"].to(model.dtype)
        with torch.inference_mode():
            logits = model(**inputs).logits
        spans = processor.decode_forced_alignment(logits.float().cpu(), inputs["input_ids"].cpu(), word_lists,
                                                  timestamp_token_id=model.config.timestamp_token_id)[0]
        duration_ms = len(samples) * 1000 // SAMPLE_RATE
        return clean_words([(d["text"], d["start_time"], d["end_time"]) for d in spans], duration_ms)


def align(audio: Path, text: str, language: str, *, settings: Settings,
          aligner: ForcedAligner | None = None) -> tuple[WordTime, ...] | None:
    """The words of ``text`` timed in ``audio`` by the forced aligner; None when its weights are not on this machine.

    ``language`` is a code (``zh``, ``en``, ...; ``auto`` reads the text: any Hanzi means Chinese). The audio is
    checked like any recording (length from its header, decodable, speech heard) before the model sees it.
    """
    aligner = aligner if aligner is not None else ForcedAligner.from_settings(settings)
    if not aligner.available():
        return None
    text = " ".join((text or "").split())
    if not text:
        raise TranscriptionError("there is no text to align; write the line first")
    if len(text) > MAX_TEXT_CHARS:
        raise TranscriptionError(f"the text to align has {len(text)} characters; the limit is {MAX_TEXT_CHARS}")
    code = str(language or "auto").lower()
    if code == "auto":
        code = language_of(text)
    speech = load_speech(Path(audio), settings)
    if speech.duration_ms > MAX_AUDIO_S * 1000:
        raise TranscriptionError(f"{speech.path.name} is {speech.duration_ms / 1000:.0f} s long; the forced aligner "
                                 f"times at most {MAX_AUDIO_S} s at once")
    return aligner(speech.samples, text, code)
