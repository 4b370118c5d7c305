"""The studio's exceptions: one small hierarchy, translated to user messages at one edge each.

Every error carries a message written for the user: one sentence that names the offending item
(a shot, a file, a field) and what is wrong with it. The CLI prints it and exits non-zero; the UI
raises it as ``gr.Error``. Nothing below the edges formats errors for display.
"""

from __future__ import annotations


class StudioError(Exception):
    """Base class: a problem the user can act on. ``str(err)`` is the user-facing sentence."""

    exit_code = 2


class ProjectError(StudioError):
    """A project file or in-memory project is invalid."""


class ProjectValidationError(ProjectError):
    """A field of the project has a bad value; the message names the field."""


class SchemaVersionError(ProjectError):
    """The project was written by a newer studio than this one."""


class UnsafePathError(ProjectError):
    """A path in the project is absolute or escapes the project folder."""


class UnsafeReferenceError(StudioError):
    """A model id, folder or URL names something the studio will not load or contact (a file, a URL, a folder
    a visitor may not choose); the message quotes it and says why."""


class LimitError(StudioError):
    """A project or a user goes past a configured limit (shots, length, jobs); the message names the setting."""


class MediaError(StudioError):
    """A media file (image, clip, audio) is missing, corrupt, unsupported or too large."""


class MissingMediaError(MediaError):
    pass


class CorruptMediaError(MediaError):
    pass


class UnsupportedMediaError(MediaError):
    pass


class MediaTooLargeError(MediaError):
    pass


class CaptionError(StudioError):
    """A caption cannot be rendered as asked (too long, does not fit)."""


class RenderError(StudioError):
    """The encoder or a decoder failed while rendering; the message carries ffmpeg's reason."""

    exit_code = 1


class RenderCancelled(StudioError):
    """The caller cancelled a render; nothing was written at the output path."""

    exit_code = 130


class GenerationError(StudioError):
    """A video backend could not generate a shot (model missing, refused on this device, bad size)."""

    exit_code = 1


class OutOfMemory(GenerationError):
    """The GPU ran out of memory; the message names the setting to lower."""


class KeyframeError(GenerationError):
    """A keyframe or character reference cannot be made as asked: no image model here, a model folder that is not
    an image pipeline, a character the bible does not have, too many takes."""


class NonCommercialModel(KeyframeError):
    """A model with non-commercial weights was chosen while ``STUDIO_COMMERCIAL_USE`` is on."""


class ReferenceImageError(MediaError):
    """A character's reference picture is unusable: not a picture, corrupt, animated, too small or too large."""


class TranscriptionError(StudioError):
    """A recording cannot be turned into words or word timings (captions from a voice, forced alignment)."""


class NoSpeechError(TranscriptionError):
    """The recording holds silence or noise, not speech; nothing was written."""


class TranscriberModelError(TranscriptionError):
    """The speech model is missing, is not a Whisper (or aligner) model, or failed to load; the message names it."""

    exit_code = 1


class TranscriptionCancelled(TranscriptionError):
    """The caller cancelled a transcription; nothing was written."""

    exit_code = 130


class ScriptError(StudioError):
    """The script writer could not turn an idea into a storyboard."""


class ScriptInputError(ScriptError):
    """The script request is invalid (length, shot count, URL); the message quotes the bad value."""


class ScriptBackendError(ScriptError):
    """A script backend is not configured, cannot load its model, or its server failed or timed out."""

    exit_code = 1


class ScriptOutputError(ScriptError):
    """The model's reply was still not a valid storyboard after one repair round."""

    exit_code = 1


class ScriptCancelled(ScriptError):
    """The caller cancelled script writing; nothing was returned."""

    exit_code = 130


class VoiceError(StudioError):
    """A line cannot be spoken as asked: empty or too long, a voice or language this machine does not have, a
    speech server that failed; the message names the voice, the setting or the limit."""


class VoiceBackendError(VoiceError):
    """A voice backend failed while speaking (a crashed engine, a server that refused or timed out)."""

    exit_code = 1


class SafetyRefusal(StudioError):
    """A prompt safety rule refused a text; the message names the rule and its category, never the text."""

    def __init__(self, message: str, *, rule_id: str = "", category: str = ""):
        super().__init__(message)
        self.rule_id = rule_id
        self.category = category


class SigningError(StudioError):
    """Content credentials (C2PA) cannot be signed with the configured certificate and key; names the setting."""


class ModelError(StudioError):
    """A model cannot be fetched or removed as asked: an id the Hub does not have, a refused token, gated or
    non-commercial weights the settings rule out, a folder the studio does not own. The message names the model."""


class ModelDownloadError(ModelError):
    """A download could not finish (offline, the Hub unreachable, a full disk, an interrupted transfer). What was
    fetched stays as partial files the next download resumes; nothing incomplete is ever presented as a model."""

    exit_code = 1


class DownloadCancelled(ModelError):
    """The caller cancelled a download; the partial files stay for the next download to resume."""

    exit_code = 130


class EnvironmentProblem(StudioError):
    """Something the studio needs on this machine is missing (ffprobe, a font)."""

    exit_code = 3


class ClusterError(StudioError):
    """Rendering on the Ray cluster (``STUDIO_RAY_ADDRESS``) cannot go on; the message says what to check."""

    exit_code = 1


class ClusterUnreachable(ClusterError):
    """Nothing answers at the cluster's address within ``STUDIO_RAY_CONNECT_TIMEOUT_S``."""


class ClusterAuthError(ClusterError):
    """The cluster refused this studio's token (``RAY_AUTH_MODE=token``, ``RAY_AUTH_TOKEN``)."""


class SharedStorageError(ClusterError):
    """The shared folder (``STUDIO_SHARED_DIR``) is missing, not shared or not writable where a worker runs."""


class WorkerLost(ClusterError):
    """A Ray worker died more often than its retries allow; finished shots are kept in the shot cache."""
