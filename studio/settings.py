"""Settings: declared once, read once from the environment, passed down as one frozen object.

This module is the only reader of ``os.environ`` in the studio. Every setting is declared in
``SETTINGS`` with its environment variable, default and meaning; ``tests/test_docs.py`` fails when
one is missing from the README's settings table.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
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
        return cls(**values)

    def ffmpeg_exe(self) -> str:
        """The ffmpeg binary: the configured one, else imageio-ffmpeg's (has libx264 and aac)."""
        if self.ffmpeg:
            return self.ffmpeg
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()


assert {s.field for s in SETTINGS} == {f.name for f in fields(Settings)}, "SETTINGS and Settings disagree"
