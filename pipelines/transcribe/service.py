"""The transcription service: picks a backend for the configured model, builds it once (a model loads once per
process), and runs it on a checked recording.

    1. check    the recording (``pipelines.transcribe.audio``): header length, decodable, speech heard
    2. choose   ``auto`` reads the model's format on disk: a CTranslate2 folder (``model.bin``) is faster-whisper,
                a ``save_pretrained`` folder (``model_type: whisper``) is transformers; a hub id named
                ``faster-whisper`` (or ``ct2``) is faster-whisper, any other hub id transformers
    3. run      the backend on 16 kHz mono samples; a transcript without words is "no speech", not an empty file

Adding a backend: one file with one class that follows ``pipelines.transcribe.contract.Transcriber``, its name in
``studio.backends.TranscriberBackendName`` and one line in ``TRANSCRIBER_BACKENDS``. ``pipelines.services.Services``
holds the one ``Transcribers`` of a process (built on first use).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

from pipelines.registry import BackendRegistry
from pipelines.transcribe.audio import Speech, load_speech
from pipelines.transcribe.contract import Cancel, Transcriber, Transcript, language_of
from studio.backends import TranscriberBackendName
from studio.errors import NoSpeechError, TranscriberModelError, TranscriptionError
from studio.machine import StageReport
from studio.models import Stage
from studio.safety.inputs import check_model_ref
from studio.settings import HubEnvironment, Settings

TRANSCRIBER_BACKENDS: BackendRegistry[TranscriberBackendName] = BackendRegistry("transcriber", {
    TranscriberBackendName.FASTER_WHISPER: "pipelines.transcribe.faster_whisper:FasterWhisperTranscriber",
    TranscriberBackendName.TRANSFORMERS: "pipelines.transcribe.transformers_whisper:TransformersWhisperTranscriber",
})

LANGUAGES = ("zh", "en", "ja", "ko", "fr", "de", "es", "it", "pt", "ru")  # what the faces offer; Whisper knows 99


def model_format(model_ref: str) -> TranscriberBackendName | None:
    """Which backend reads the Whisper model at ``model_ref`` (a folder), or None when it is not a folder.

    A folder that is neither is refused here, with what it holds: a user pointing at the wrong folder learns it
    before minutes of loading."""
    path = Path(model_ref).expanduser()
    if not path.is_dir():
        return None
    config = path / "config.json"
    if (path / "model.bin").is_file():
        return TranscriberBackendName.FASTER_WHISPER
    try:
        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type") if config.is_file() else None
    except (OSError, ValueError, AttributeError):
        model_type = None
    if model_type == "whisper":
        return TranscriberBackendName.TRANSFORMERS
    held = f"a {model_type} model" if model_type else "no Whisper model (no model.bin, no config.json of Whisper)"
    raise TranscriberModelError(f"the folder {path.name!r} holds {held}; STUDIO_WHISPER_MODEL must be a Whisper "
                                "model: a faster-whisper (CTranslate2) folder or a transformers Whisper folder")


def choose_backend(settings: Settings, model_ref: str,
                   requested: str | TranscriberBackendName | None = None) -> TranscriberBackendName:
    """The backend for ``model_ref``: the one asked for (or set), else by the model's format."""
    try:
        name = TranscriberBackendName(requested or settings.transcriber)
    except ValueError:
        known = ", ".join(b.value for b in TranscriberBackendName)
        raise TranscriptionError(f"unknown transcriber {requested!r}; choose one of: {known}") from None
    found = model_format(model_ref)
    if name is TranscriberBackendName.AUTO:
        if found is not None:
            return found
        lowered = model_ref.lower()
        return (TranscriberBackendName.FASTER_WHISPER if "faster-whisper" in lowered or "ct2" in lowered
                else TranscriberBackendName.TRANSFORMERS)
    if found is not None and found is not name:
        raise TranscriberModelError(f"the folder {Path(model_ref).name!r} is a {found.value} model; the "
                                    f"{name.value} transcriber cannot read it (set STUDIO_TRANSCRIBER=auto)")
    return name


class Transcribers:
    """The studio's transcription service: one backend per (backend, model) per process, built on first use.

    One per process, inside ``pipelines.services.Services``; ``backends`` replaces backends (tests, benches)."""

    def __init__(self, settings: Settings,
                 backends: dict[tuple[TranscriberBackendName, str], Transcriber] | None = None):
        self.settings = settings
        self._backends: dict[tuple[TranscriberBackendName, str], Transcriber] = dict(backends or {})
        self._lock = threading.Lock()
        self._aligner = None

    def backend(self, model: str | None = None,
                requested: str | TranscriberBackendName | None = None) -> Transcriber:
        ref = check_model_ref(model or self.settings.whisper_model, what="Whisper model")
        name = choose_backend(self.settings, ref, requested)
        with self._lock:
            if (name, ref) not in self._backends:
                self._backends[name, ref] = TRANSCRIBER_BACKENDS.load(name).from_settings(self.settings, ref)
            return self._backends[name, ref]

    def transcribe(self, media: Path, language: str | None = None, *, model: str | None = None,
                   backend: str | TranscriberBackendName | None = None, cancel: Cancel | None = None) -> Transcript:
        """What is said in ``media`` (an audio file or a clip with sound), word by word, in ``language`` (None:
        the model detects it). Nothing is written anywhere."""
        # 1. the recording, 2. the backend (loading the model the first time), 3. the words
        self.backend(model, backend)  # a model folder that is not Whisper is refused before any decoding
        speech = load_speech(Path(media), self.settings)
        return self.transcribe_speech(speech, language, model=model, backend=backend, cancel=cancel)

    def transcribe_speech(self, speech: Speech, language: str | None = None, *, model: str | None = None,
                          backend: str | TranscriberBackendName | None = None,
                          cancel: Cancel | None = None) -> Transcript:
        language = (language or "").strip().lower()
        language = None if language in ("", "auto") else language
        if language is not None and language not in LANGUAGES:
            raise TranscriptionError(f"unknown language {language!r}; choose one of: {', '.join(LANGUAGES)}")
        transcriber = self.backend(model, backend)
        transcript = transcriber(speech.samples, language, cancel=cancel)
        if not transcript.words:
            raise NoSpeechError(f"no words were recognised in {speech.path.name}; it may hold music or noise "
                                "rather than speech")
        if not transcript.language:
            transcript = dataclasses.replace(transcript, language=language_of(transcript.text))
        return transcript

    @property
    def aligner(self):
        """The forced aligner of ``STUDIO_ALIGNER_MODEL`` (``pipelines.transcribe.align.ForcedAligner``), built on
        first use; its weights load on its first alignment."""
        from pipelines.transcribe.align import ForcedAligner

        with self._lock:
            if self._aligner is None:
                self._aligner = ForcedAligner.from_settings(self.settings)
            return self._aligner


def doctor_stage(settings: Settings, hub: HubEnvironment | None = None) -> StageReport:
    """The transcription line of ``python -m studio doctor``: which transcriber runs the configured Whisper model,
    whether its weights are here (without loading them or touching the network), and the one action to get them."""
    import importlib.util

    from pipelines.transcribe.align import weights_present

    hub = hub if hub is not None else HubEnvironment.from_env()
    model = settings.whisper_model
    adds = "captions typed for you from your own voice-over or a clip with speech"
    try:
        name = choose_backend(settings, model)
    except TranscriptionError as err:
        return StageReport(Stage.TRANSCRIPTION, True, "none", str(err), (), adds,
                           "point STUDIO_WHISPER_MODEL at a Whisper model folder or hub id")
    found = []
    if _whisper_here(model, name, hub):
        found.append(f"{model} ({'folder' if Path(model).expanduser().is_dir() else 'HF cache'})")
    if weights_present(settings.aligner_model, hub):
        found.append(f"{settings.aligner_model} (forced aligner)")
    package = "faster_whisper" if name is TranscriberBackendName.FASTER_WHISPER else "transformers"
    if importlib.util.find_spec(package) is None:
        return StageReport(Stage.TRANSCRIPTION, True, name.value, f"{package} is not installed", tuple(found), adds,
                           'pip install ".[voice]"' if package == "faster_whisper" else 'pip install ".[gpu]"')
    if not found or not found[0].startswith(model):
        return StageReport(Stage.TRANSCRIPTION, True, name.value, f"{model} is not on this machine yet",
                           tuple(found), adds, f"python -m studio models download {model}")
    return StageReport(Stage.TRANSCRIPTION, True, name.value,
                       "your recordings become captions (Captions from my voice; python -m studio transcribe)",
                       tuple(found))


def _whisper_here(model: str, name: TranscriberBackendName, hub: HubEnvironment) -> bool:
    if Path(model).expanduser().is_dir():
        return True  # model_format accepted it as one of the two formats
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    weights = ("model.bin",) if name is TranscriberBackendName.FASTER_WHISPER else (
        "model.safetensors", "pytorch_model.bin")
    try:
        return isinstance(try_to_load_from_cache(model, "config.json", cache_dir=hub.cache_dir), str) and any(
            isinstance(try_to_load_from_cache(model, w, cache_dir=hub.cache_dir), str) for w in weights)
    except Exception:  # noqa: BLE001 -- an id huggingface_hub refuses as malformed is simply not there
        return False
