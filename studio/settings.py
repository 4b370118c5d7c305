"""Settings: declared once, read once from the environment, passed down as one frozen object.

This module is the only reader of ``os.environ`` in the studio. Every setting is declared in
``SETTINGS`` with its environment variable, default and meaning; ``tests/test_docs.py`` fails when
one is missing from the README's settings table.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from studio.errors import StudioError


@dataclass(frozen=True)
class SettingSpec:
    env: str
    field: str
    default: Any
    parse: Callable[[str], Any]
    help: str


def _path(value: str) -> Path:
    return Path(value).expanduser()


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


def _default_data_dir(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "shortstudio"


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("STUDIO_DATA_DIR", "data_dir", None, _path,
                "Folder for the studio's projects and renders (default: $XDG_DATA_HOME/shortstudio)."),
    SettingSpec("STUDIO_HOST", "host", "127.0.0.1", str, "Address the studio UI listens on."),
    SettingSpec("STUDIO_PORT", "port", 7860, _positive_int, "Port the studio UI listens on."),
    SettingSpec("STUDIO_FFMPEG", "ffmpeg", None, str,
                "ffmpeg binary used to encode and decode (default: the one bundled by imageio-ffmpeg)."),
    SettingSpec("STUDIO_FFPROBE", "ffprobe", "ffprobe", str, "ffprobe binary used to inspect media files."),
    SettingSpec("STUDIO_FONT_DIRS", "font_dirs", (), lambda v: tuple(_path(p) for p in v.split(os.pathsep) if p),
                "Extra folders searched for caption fonts before the system's, separated by the OS path separator."),
    SettingSpec("STUDIO_MAX_IMAGE_PIXELS", "max_image_pixels", 40_000_000, _positive_int,
                "Largest image accepted, in pixels (width x height); bigger images are refused."),
    SettingSpec("STUDIO_MAX_MEDIA_MB", "max_media_mb", 2048, _positive_int,
                "Largest media file accepted, in megabytes."),
    SettingSpec("STUDIO_CONTENT_PRODUCER", "content_producer", "shortstudio", str,
                "Producer name written into the AIGC metadata label of every export (GB 45438-2025)."),
    SettingSpec("STUDIO_PROBE_TIMEOUT_S", "probe_timeout_s", 20, _positive_int,
                "Seconds ffprobe may take to inspect one media file."),
    SettingSpec("STUDIO_SCRIPT_BACKEND", "script_backend", "auto", _choice("auto", "local", "openai", "template"),
                "Script writer: auto (the local model if its weights are on this machine, else the LLM endpoint "
                "if STUDIO_LLM_URL is set, else the offline template writer), local, openai or template."),
    SettingSpec("STUDIO_SCRIPT_MODEL", "script_model", "Qwen/Qwen2.5-1.5B-Instruct", str,
                "Chat model of the local script writer: a Hugging Face id or a local folder."),
    SettingSpec("STUDIO_LLM_URL", "llm_url", None, str,
                "Base URL of an OpenAI-compatible chat endpoint, e.g. http://127.0.0.1:11434/v1 for Ollama."),
    SettingSpec("STUDIO_LLM_MODEL", "llm_model", None, str, "Model name sent to the OpenAI-compatible endpoint."),
    SettingSpec("STUDIO_LLM_API_KEY", "llm_api_key", None, str,
                "API key for the LLM endpoint (falls back to OPENAI_API_KEY); never written to logs or projects."),
    SettingSpec("STUDIO_LLM_TIMEOUT_S", "llm_timeout_s", 60, _positive_int,
                "Seconds one reply of the LLM endpoint may take, start to finish."),
    SettingSpec("STUDIO_VIDEO_BACKEND", "video_backend", "auto", _choice("auto", "ltx", "wan", "still"),
                "Video backend for shots: auto (LTX on a CUDA GPU, still-image motion otherwise), ltx, wan, still."),
    SettingSpec("STUDIO_LTX_MODEL", "ltx_model", "Lightricks/LTX-Video-0.9.7-distilled", str,
                "LTX-Video model: a hub id or a diffusers folder (text, image, extend and bridge shots)."),
    SettingSpec("STUDIO_WAN_MODEL", "wan_model", "Wan-AI/Wan2.2-TI2V-5B-Diffusers", str,
                "Wan model for text and restyled-clip shots (and image shots unless STUDIO_WAN_IMAGE_MODEL is set)."),
    SettingSpec("STUDIO_WAN_IMAGE_MODEL", "wan_image_model", None, str,
                "Wan model for image-to-video shots (default: STUDIO_WAN_MODEL, which Wan2.2-TI2V does both)."),
    SettingSpec("STUDIO_WAN_BRIDGE_MODEL", "wan_bridge_model", "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", str,
                "Wan first-last-frame model used for bridge shots between two shots."),
    SettingSpec("STUDIO_CPU_OFFLOAD", "cpu_offload", "auto", _choice("auto", "on", "off"),
                "Model CPU offload for diffusion backends: auto turns it on for GPUs under 24 GB."),
    SettingSpec("STUDIO_VAE_TILING", "vae_tiling", "auto", _choice("auto", "on", "off"),
                "Tiled VAE decoding (less GPU memory, a little slower): auto turns it on for GPUs under 24 GB."),
    SettingSpec("STUDIO_SHOT_CACHE_DIR", "shot_cache_dir", None, _path,
                "Folder of generated shots, keyed by what affects their pixels (default: $STUDIO_DATA_DIR/shots)."),
    SettingSpec("STUDIO_CPU_MAX_MODEL_MB", "cpu_max_model_mb", 512, _positive_int,
                "Largest diffusion model (MB of weights on disk) run without CUDA; bigger ones are refused."),
    SettingSpec("STUDIO_GPU_CONCURRENCY", "gpu_concurrency", 1, _positive_int,
                "How many GPU jobs (script writing, shot generation, make) the UI runs at once, on one shared queue."),
    SettingSpec("STUDIO_COMPOSE_CONCURRENCY", "compose_concurrency", 1, _positive_int,
                "How many CPU compositing jobs (exports) the UI runs at once, on their own queue."),
    SettingSpec("STUDIO_RENDER_MAX_AGE_H", "render_max_age_h", 24, _positive_int,
                "Hours the UI keeps exports and uploads before cleaning them up (projects are kept)."),
    SettingSpec("STUDIO_MAX_BUNDLE_MB", "max_bundle_mb", 4096, _positive_int,
                "Largest project bundle (zip) the UI opens, in megabytes once unpacked."),
    SettingSpec("STUDIO_SAFETY", "safety", "on", _choice("on", "off"),
                "Prompt safety filter on ideas, storyboards and prompts before any generation: on (default) or off. "
                "Turning it off removes the only check against sexual content with minors and real-person fakes."),
    SettingSpec("STUDIO_SAFETY_RULES", "safety_rules", None, _path,
                "A JSON file of extra safety terms, patterns and rules, merged over assets/safety/rules.json."),
    SettingSpec("STUDIO_C2PA_CERT", "c2pa_cert", None, _path,
                "PEM certificate chain (signing certificate first) for C2PA content credentials on every export."),
    SettingSpec("STUDIO_C2PA_KEY", "c2pa_key", None, _path,
                "PEM private key of STUDIO_C2PA_CERT; with both set, every export carries a signed C2PA manifest."),
    SettingSpec("STUDIO_C2PA_TSA_URL", "c2pa_tsa_url", None, str,
                "RFC 3161 time-stamp authority URL for C2PA signatures (default: none, no network call)."),
    SettingSpec("STUDIO_MAX_CLIP_S", "max_clip_s", 900, _positive_int,
                "Longest video clip accepted for a shot, in seconds."),
    SettingSpec("STUDIO_MAX_TOTAL_S", "max_total_s", 600, _positive_int,
                "Longest project (the sum of its shots), in seconds, whatever the platform preset allows."),
    SettingSpec("STUDIO_MAX_SHOTS", "max_shots", 100, _positive_int, "Most shots one project may have."),
    SettingSpec("STUDIO_MAX_JOBS_PER_USER", "max_jobs_per_user", 2, _positive_int,
                "Jobs (renders, generations, exports) one browser or API session may run at once in the UI."),
    SettingSpec("STUDIO_LLM_ALLOW_PRIVATE", "llm_allow_private", "loopback", _choice("loopback", "on", "off"),
                "Which private addresses the LLM URL may point at: loopback (this machine only, e.g. Ollama), "
                "on (also the LAN and link-local), off (public addresses only)."),
    SettingSpec("STUDIO_VISITOR_MODELS", "visitor_models", "off", _choice("off", "hub"),
                "Whether UI and API visitors may name a video model: off (the configured models only) or hub "
                "(any hub id; never a folder on the server)."),
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 7860
    ffmpeg: str | None = None
    ffprobe: str = "ffprobe"
    font_dirs: tuple[Path, ...] = ()
    max_image_pixels: int = 40_000_000
    max_media_mb: int = 2048
    content_producer: str = "shortstudio"
    probe_timeout_s: int = 20
    script_backend: str = "auto"
    script_model: str = "Qwen/Qwen2.5-1.5B-Instruct"
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)  # a secret: kept out of reprs and logs
    llm_timeout_s: int = 60
    video_backend: str = "auto"
    ltx_model: str = "Lightricks/LTX-Video-0.9.7-distilled"
    wan_model: str = "Wan-AI/Wan2.2-TI2V-5B-Diffusers"
    wan_image_model: str | None = None
    wan_bridge_model: str = "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers"
    cpu_offload: str = "auto"
    vae_tiling: str = "auto"
    shot_cache_dir: Path | None = None
    cpu_max_model_mb: int = 512
    gpu_concurrency: int = 1
    compose_concurrency: int = 1
    render_max_age_h: int = 24
    max_bundle_mb: int = 4096
    safety: str = "on"
    safety_rules: Path | None = None
    c2pa_cert: Path | None = None
    c2pa_key: Path | None = None
    c2pa_tsa_url: str | None = None
    max_clip_s: int = 900
    max_total_s: int = 600
    max_shots: int = 100
    max_jobs_per_user: int = 2
    llm_allow_private: str = "loopback"
    visitor_models: str = "off"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in SETTINGS:
            raw = environ.get(spec.env)
            if raw is None or raw == "":
                values[spec.field] = spec.default
                continue
            try:
                values[spec.field] = spec.parse(raw)
            except ValueError as err:
                raise StudioError(f"setting {spec.env}={raw!r} is invalid: {err}") from None
        if values["data_dir"] is None:
            values["data_dir"] = _default_data_dir(environ)
        if values["llm_api_key"] is None:  # the variable most OpenAI-compatible tools already read
            values["llm_api_key"] = environ.get("OPENAI_API_KEY") or None
        if values["shot_cache_dir"] is None:
            values["shot_cache_dir"] = values["data_dir"] / "shots"
        return cls(**values)

    def ffmpeg_exe(self) -> str:
        """The ffmpeg binary: the configured one, else imageio-ffmpeg's (has libx264 and aac)."""
        if self.ffmpeg:
            return self.ffmpeg
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()


assert {s.field for s in SETTINGS} == {f.name for f in fields(Settings)}, "SETTINGS and Settings disagree"
