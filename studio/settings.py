"""Settings: each declared once, as a field of ``Settings`` with its environment variable, parser, default and
help; read once from the environment and passed down as one frozen object.

This module is the only reader of ``os.environ`` in the studio. ``SETTINGS`` lists the declarations in order;
``settings_table`` is the README's settings table made from them, and ``tests/test_docs.py`` fails when the
README's table (names, defaults, help) differs from it. ``python -m studio settings`` prints the values in use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from studio.backends import (
    ImageBackendName,
    ScriptBackendName,
    TranscriberBackendName,
    VideoBackendName,
    VoiceBackendName,
)
from studio.errors import StudioError

REQUIRED: Any = MISSING  # a setting without a default (``from_env`` derives it)


def _path(value: str) -> Path:
    return Path(value).expanduser()


def _paths(value: str) -> tuple[Path, ...]:
    return tuple(_path(p) for p in value.split(os.pathsep) if p)


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be a positive integer")
    return number


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip().lower()
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    return parse


def _enum(kind: type[StrEnum]) -> Callable[[str], StrEnum]:
    def parse(value: str) -> StrEnum:
        try:
            return kind(value.strip().lower())
        except ValueError:
            raise ValueError(f"must be one of {', '.join(kind)}") from None

    return parse


def setting(env: str, default: Any, parse: Callable[[str], Any], help: str, *, shown: str | None = None,
            secret: bool = False) -> Any:
    """One setting: the dataclass field, with what ``from_env`` and the docs need in its metadata. ``shown`` is
    the default as the docs say it when it is derived; a ``secret`` stays out of reprs and printouts."""
    return field(default=default, repr=not secret,
                 metadata={"env": env, "parse": parse, "help": help, "shown": shown, "secret": secret})


def _default_data_dir(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "shortstudio"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = setting("STUDIO_DATA_DIR", REQUIRED, _path,
        "Folder for the studio's projects and renders.", shown="`$XDG_DATA_HOME/shortstudio`")
    host: str = setting("STUDIO_HOST", "127.0.0.1", str,
        "Address the studio UI listens on.")
    port: int = setting("STUDIO_PORT", 7860, _positive_int,
        "Port the studio UI listens on.")
    ffmpeg: str | None = setting("STUDIO_FFMPEG", None, str,
        "ffmpeg used to encode and decode (needs libx264 and aac).", shown="imageio-ffmpeg's binary")
    ffprobe: str = setting("STUDIO_FFPROBE", "ffprobe", str,
        "ffprobe used to inspect media files.")
    font_dirs: tuple[Path, ...] = setting("STUDIO_FONT_DIRS", (), _paths,
        "Extra folders searched for caption fonts before the system's (`:`-separated).")
    max_image_pixels: int = setting("STUDIO_MAX_IMAGE_PIXELS", 40_000_000, _positive_int,
        "Largest image (or video frame) accepted, in pixels.")
    max_media_mb: int = setting("STUDIO_MAX_MEDIA_MB", 2048, _positive_int,
        "Largest media file accepted, in megabytes.")
    content_producer: str = setting("STUDIO_CONTENT_PRODUCER", "shortstudio", str,
        "Producer name in the AIGC metadata label of every export.")
    probe_timeout_s: int = setting("STUDIO_PROBE_TIMEOUT_S", 20, _positive_int,
        "Seconds ffprobe may take to inspect one media file.")
    video_backend: VideoBackendName = setting("STUDIO_VIDEO_BACKEND", VideoBackendName.AUTO, _enum(VideoBackendName),
        "Video backend for shots: `auto` (LTX with a CUDA GPU, still-image drafts without), `ltx`, `wan`,"
        " `still`.")
    ltx_model: str = setting("STUDIO_LTX_MODEL", "Lightricks/LTX-Video-0.9.7-distilled", str,
        "LTX-Video model (hub id or diffusers folder) for text, image, extend and bridge shots.")
    wan_model: str = setting("STUDIO_WAN_MODEL", "Wan-AI/Wan2.2-TI2V-5B-Diffusers", str,
        "Wan model for text and restyled-clip shots (and image shots, unless the next row is set).")
    wan_image_model: str | None = setting("STUDIO_WAN_IMAGE_MODEL", None, str,
        "Wan image-to-video model (set it when `STUDIO_WAN_MODEL` is a text-only model such as "
        "Wan2.1-T2V-1.3B).", shown="`STUDIO_WAN_MODEL`")
    wan_bridge_model: str = setting("STUDIO_WAN_BRIDGE_MODEL", "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", str,
        "Wan first-last-frame model for bridge shots.")
    wan_vace_model: str | None = setting("STUDIO_WAN_VACE_MODEL", None, str,
        "Wan VACE model (e.g. `Wan-AI/Wan2.1-VACE-1.3B-diffusers`) that carries the character sheet's pictures into"
        " `wan` shots showing those characters (reference-to-video); none: such shots are made without them.")
    cpu_offload: str = setting("STUDIO_CPU_OFFLOAD", "auto", _choice("auto", "on", "off"),
        "Model CPU offload for LTX/Wan: `auto` turns it on for GPUs under 24 GB; `on`, `off`.")
    vae_tiling: str = setting("STUDIO_VAE_TILING", "auto", _choice("auto", "on", "off"),
        "Tiled VAE decoding (less GPU memory): `auto` turns it on for GPUs under 24 GB; `on`, `off`.")
    shot_cache_dir: Path | None = setting("STUDIO_SHOT_CACHE_DIR", None, _path,
        "Generated shots, keyed by a hash of what affects their pixels.", shown="`$STUDIO_DATA_DIR/shots`")
    cpu_max_model_mb: int = setting("STUDIO_CPU_MAX_MODEL_MB", 512, _positive_int,
        "Largest diffusion model (MB of weights) run without CUDA; bigger ones are refused with a pointer"
        " to `still`.")
    gpu_concurrency: int = setting("STUDIO_GPU_CONCURRENCY", 1, _positive_int,
        "GPU jobs (script writing, shot generation, make) the UI runs at once; they share one queue.")
    compose_concurrency: int = setting("STUDIO_COMPOSE_CONCURRENCY", 1, _positive_int,
        "CPU compositing jobs (exports) the UI runs at once, on their own queue.")
    ray_address: str | None = setting("STUDIO_RAY_ADDRESS", None, str,
        "Render shots on a Ray cluster: `local` (a cluster on this machine), `auto` (inside a Ray job or pod),"
        " `HOST:6379` or `ray://HOST:10001` (see [Scale out on Ray](#scale-out-on-ray)); unset: in this process.")
    shared_dir: Path | None = setting("STUDIO_SHARED_DIR", None, _path,
        "Folder every Ray worker and the studio see at the same path (NFS, EFS, a shared volume); with a Ray"
        " cluster the shot cache lives in it (`$STUDIO_SHARED_DIR/shots`).", shown="`STUDIO_SHOT_CACHE_DIR`")
    ray_connect_timeout_s: int = setting("STUDIO_RAY_CONNECT_TIMEOUT_S", 20, _positive_int,
        "Seconds connecting to the Ray cluster may take before the studio says it cannot reach it.")
    ray_gpu_workers: int | None = setting("STUDIO_RAY_GPU_WORKERS", None, _positive_int,
        "Most GPU workers (one GPU each, the model loaded once) per video model on the Ray cluster; set it for a"
        " cluster that adds GPU nodes on demand.", shown="the cluster's GPUs when the studio joins it")
    render_max_age_h: int = setting("STUDIO_RENDER_MAX_AGE_H", 24, _positive_int,
        "Hours the UI keeps exports and uploads before cleaning them up; projects are kept.")
    max_bundle_mb: int = setting("STUDIO_MAX_BUNDLE_MB", 4096, _positive_int,
        "Largest project bundle (zip) the UI opens, in megabytes once unpacked.")
    max_clip_s: int = setting("STUDIO_MAX_CLIP_S", 900, _positive_int,
        "Longest video clip accepted for a shot, in seconds (music is read only as far as the clip "
        "needs).")
    max_total_s: int = setting("STUDIO_MAX_TOTAL_S", 600, _positive_int,
        "Longest project (the sum of its shots), in seconds, whatever the platform preset allows.")
    max_shots: int = setting("STUDIO_MAX_SHOTS", 100, _positive_int,
        "Most shots one project may have (the file format's own ceiling is 200).")
    max_jobs_per_user: int = setting("STUDIO_MAX_JOBS_PER_USER", 2, _positive_int,
        "Jobs (renders, generations, exports) one browser or API session may run at once.")
    llm_allow_private: str = setting("STUDIO_LLM_ALLOW_PRIVATE", "loopback", _choice("loopback", "on", "off"),
        "Where `STUDIO_LLM_URL` may point: `loopback` (this machine, e.g. Ollama), `on` (also the LAN and"
        " link-local addresses), `off` (public addresses only).")
    visitor_models: str = setting("STUDIO_VISITOR_MODELS", "off", _choice("off", "hub"),
        "Whether UI/API visitors may name a video model: `off` (the configured models only) or `hub` (any"
        " hub id, never a folder on the server).")
    models_panel: str = setting("STUDIO_MODELS_PANEL", "auto", _choice("auto", "manage", "view"),
        "What the UI's Models panel lets the page do: `manage` (download and remove models; the report shows the"
        " server's folders), `view` (the list and the report without folders; downloads through the command"
        " line), `auto` (`manage` when the studio serves this machine only: a loopback `STUDIO_HOST`, no"
        " `--share`, not a Hugging Face Space).")
    commercial_use: str = setting("STUDIO_COMMERCIAL_USE", "off", _choice("off", "on"),
        "Whether you publish for money: `on` refuses to download models with non-commercial weights (see"
        " [What this machine can do, and the models](#what-this-machine-can-do-and-the-models)).")
    image_backend: ImageBackendName = setting("STUDIO_IMAGE_BACKEND", ImageBackendName.AUTO, _enum(ImageBackendName),
        "Keyframe model family: `auto` (FLUX.2-klein with a CUDA GPU; on a CPU only when `STUDIO_IMAGE_MODEL` is"
        " set), `flux2`, `qwen` (Qwen-Image; references through Qwen-Image-Edit-Plus), `sd-turbo` (CPU drafts;"
        " non-commercial weights, opt-in), `flux`, `diffusers`.")
    image_model: str | None = setting("STUDIO_IMAGE_MODEL", None, str,
        "Keyframe model (hub id or diffusers folder); none: the family's default model.",
        shown="the family's default")
    ip_adapter: str | None = setting("STUDIO_IP_ADAPTER", None, str,
        "IP-Adapter (hub id or folder: `h94/IP-Adapter` layout for SD, XLabs layout for FLUX.1) that carries"
        " character references into SD and FLUX.1 keyframes.")
    qwen_edit_model: str = setting("STUDIO_QWEN_EDIT_MODEL", "Qwen/Qwen-Image-Edit-2509", str,
        "Qwen-Image-Edit-Plus model (hub id or folder) that draws `qwen` keyframes of shots with character"
        " references (the character sheet's pictures as its input images).")
    scorer_model: str = setting("STUDIO_SCORER_MODEL", "openai/clip-vit-base-patch32", str,
        "CLIP or SigLIP model (hub id or folder) that scores takes against the character reference and prompt.")
    max_takes: int = setting("STUDIO_MAX_TAKES", 8, _positive_int,
        "Most takes (or keyframe candidates) made of one shot in one request.")
    consistency_model: str | None = setting("STUDIO_CONSISTENCY_MODEL", None, str,
        "Image model (hub id or folder: DINOv2, e.g. `facebook/dinov2-small`, or CLIP/SigLIP) that measures how"
        " alike a take is to the character references.", shown="`STUDIO_SCORER_MODEL`")
    reward_model: str | None = setting("STUDIO_REWARD_MODEL", None, str,
        "Learned judge of prompt adherence (hub id or folder of a vision-language model, e.g. VideoScore2 or a"
        " Qwen2.5-VL for VQAScore); none: CLIP/SigLIP text-image similarity from `STUDIO_SCORER_MODEL`.")
    script_backend: ScriptBackendName = setting(
        "STUDIO_SCRIPT_BACKEND", ScriptBackendName.AUTO, _enum(ScriptBackendName),
        "Script writer: `auto`, `local`, `openai` or `template` (see [Script writer](#script-writer)).")
    script_model: str = setting("STUDIO_SCRIPT_MODEL", "Qwen/Qwen2.5-1.5B-Instruct", str,
        "Chat model of the local script writer: a Hugging Face id or a local folder.")
    llm_url: str | None = setting("STUDIO_LLM_URL", None, str,
        "Base URL of an OpenAI-compatible chat endpoint, e.g. `http://127.0.0.1:11434/v1` (Ollama).")
    llm_model: str | None = setting("STUDIO_LLM_MODEL", None, str,
        "Model name sent to that endpoint, e.g. `qwen2.5:3b`, `deepseek-chat`, `qwen-plus`.")
    llm_api_key: str | None = setting("STUDIO_LLM_API_KEY", None, str,
        "API key for that endpoint; never written to logs, errors or projects.", shown="`$OPENAI_API_KEY`",
        secret=True)
    llm_timeout_s: int = setting("STUDIO_LLM_TIMEOUT_S", 60, _positive_int,
        "Seconds one reply of the endpoint may take, start to finish.")
    voice_backend: VoiceBackendName = setting(
        "STUDIO_VOICE_BACKEND", VoiceBackendName.AUTO, _enum(VoiceBackendName),
        "Voice for narration: `auto` (a Piper voice for the language, else the speech server of `STUDIO_TTS_URL`,"
        " else espeak-ng), `espeak`, `piper` or `openai` (see [Voice](#voice)).")
    piper_voice: Path | None = setting("STUDIO_PIPER_VOICE", None, _path,
        "A folder of Piper voices (`NAME.onnx` with `NAME.onnx.json`), e.g. a zh_CN voice, offered beside the"
        " bundled English one.")
    tts_url: str | None = setting("STUDIO_TTS_URL", None, str,
        "Base URL of an OpenAI-compatible speech endpoint (`/v1/audio/speech`), e.g. `http://127.0.0.1:8880/v1`;"
        " it may point where `STUDIO_LLM_ALLOW_PRIVATE` allows.")
    tts_model: str | None = setting("STUDIO_TTS_MODEL", None, str,
        "Model name sent to that speech endpoint, e.g. `kokoro`, `tts-1-hd`.", shown="`tts-1`")
    tts_voice: str = setting("STUDIO_TTS_VOICE", "alloy", str,
        "Voice names that endpoint speaks (`,`-separated; the first is the default).")
    tts_api_key: str | None = setting("STUDIO_TTS_KEY", None, str,
        "API key for that speech endpoint; never written to logs, errors or projects.",
        shown="`STUDIO_LLM_API_KEY`", secret=True)
    safety: str = setting("STUDIO_SAFETY", "on", _choice("on", "off"),
        "Prompt safety filter (see [Safety and content credentials](#safety-and-content-credentials)): "
        "`on` or `off`. **Warning**: `off` removes the only check against sexual content involving minors"
        " and fakes of real people; you are then responsible for every prompt.")
    safety_rules: Path | None = setting("STUDIO_SAFETY_RULES", None, _path,
        "A JSON file of extra terms, patterns, allow spans and rules, merged over "
        "`assets/safety/rules.json`.")
    c2pa_cert: Path | None = setting("STUDIO_C2PA_CERT", None, _path,
        "PEM certificate chain (signing certificate first, then its CA) for signed C2PA content "
        "credentials.")
    c2pa_key: Path | None = setting("STUDIO_C2PA_KEY", None, _path,
        "PEM private key of that certificate; with both set, every export carries a signed C2PA manifest.")
    c2pa_tsa_url: str | None = setting("STUDIO_C2PA_TSA_URL", None, str,
        "RFC 3161 time-stamp authority for C2PA signatures; none by default (signing makes no network "
        "call).")
    transcriber: TranscriberBackendName = setting(
        "STUDIO_TRANSCRIBER", TranscriberBackendName.AUTO, _enum(TranscriberBackendName),
        "Speech to text for captions from your voice: `auto` (by the model's format), `faster-whisper` or"
        " `transformers`.")
    whisper_model: str = setting("STUDIO_WHISPER_MODEL", "Systran/faster-whisper-base", str,
        "Whisper model for captions from your voice: a hub id or a folder (CTranslate2 for faster-whisper,"
        " `save_pretrained` for transformers).")
    aligner_model: str = setting("STUDIO_ALIGNER_MODEL", "Qwen/Qwen3-ForcedAligner-0.6B-hf", str,
        "Forced aligner that times known narration text; used only when its weights are on this machine.")
    max_transcribe_s: int = setting("STUDIO_MAX_TRANSCRIBE_S", 1800, _positive_int,
        "Longest recording transcribed or aligned, in seconds (read from the file's header before decoding).")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in SETTINGS:
            raw = environ.get(spec.env)
            if raw is None or raw == "":
                values[spec.field] = None if spec.default is REQUIRED else spec.default
                continue
            try:
                values[spec.field] = spec.parse(raw)
            except ValueError as err:
                raise StudioError(f"setting {spec.env}={raw!r} is invalid: {err}") from None
        if values["data_dir"] is None:
            values["data_dir"] = _default_data_dir(environ)
        if values["llm_api_key"] is None:  # the variable most OpenAI-compatible tools already read
            values["llm_api_key"] = environ.get("OPENAI_API_KEY") or None
        if values["tts_api_key"] is None:  # one key for one provider's chat and speech
            values["tts_api_key"] = values["llm_api_key"]
        if values["shot_cache_dir"] is None:
            values["shot_cache_dir"] = values["data_dir"] / "shots"
        return cls(**values)

    def ffmpeg_exe(self) -> str:
        """The ffmpeg binary: the configured one, else imageio-ffmpeg's (has libx264 and aac)."""
        if self.ffmpeg:
            return self.ffmpeg
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class SettingSpec:
    """A setting's declaration, read from its field."""

    env: str
    field: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    shown: str | None
    secret: bool

    @property
    def shown_default(self) -> str:
        """The default as the docs show it: derived defaults in words, none as "(none)", values in backticks."""
        if self.shown:
            return self.shown
        if self.default in (None, (), REQUIRED):
            return "(none)"
        value = self.default.value if isinstance(self.default, StrEnum) else self.default
        return f"`{value}`"


SETTINGS: tuple[SettingSpec, ...] = tuple(
    SettingSpec(f.metadata["env"], f.name, f.default, f.metadata["parse"], f.metadata["help"], f.metadata["shown"],
                f.metadata["secret"])
    for f in fields(Settings)
)


def settings_table() -> list[str]:
    """The README's settings table, one Markdown row per setting, made from the declarations."""
    return [f"| `{s.env}` | {s.shown_default} | {s.help} |" for s in SETTINGS]


def in_hugging_face_space(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the studio runs as a Hugging Face Space (the Space runtime sets ``SPACE_ID``): its page is public."""
    return bool((os.environ if environ is None else environ).get("SPACE_ID"))


def _is_true(value: str | None) -> bool:
    return (value or "").strip().upper() in {"1", "ON", "YES", "TRUE"}


@dataclass(frozen=True)
class HubEnvironment:
    """Where models come from and go: huggingface_hub's own variables (``HF_ENDPOINT``, ``HF_TOKEN``,
    ``HF_HUB_CACHE`` / ``HF_HOME``, ``HF_HUB_OFFLINE``), read here when the studio lists, fetches or removes a
    model and handed to huggingface_hub explicitly, because huggingface_hub reads them once, when it is imported.
    They are the Hub's variables, not the studio's, so they are not in the settings table."""

    endpoint: str
    cache_dir: Path
    offline: bool
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubEnvironment:
        environ = os.environ if environ is None else environ
        home = environ.get("HF_HOME") or str(
            Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "huggingface")
        cache = environ.get("HF_HUB_CACHE") or environ.get("HUGGINGFACE_HUB_CACHE") or str(Path(home) / "hub")
        return cls(endpoint=(environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/"),
                   cache_dir=Path(os.path.expandvars(cache)).expanduser(),
                   offline=_is_true(environ.get("HF_HUB_OFFLINE") or environ.get("TRANSFORMERS_OFFLINE")),
                   token=environ.get("HF_TOKEN") or environ.get("HUGGING_FACE_HUB_TOKEN") or None)
