"""Media inspection: what a file is, whether we accept it, and its facts (size, duration, audio).

Images are opened with Pillow (header only until accepted) and refused above the pixel limit
before decoding, which stops decompression bombs. Clips and audio are inspected with ffprobe under
a timeout; only real media containers are accepted (no playlists, concat lists or image sequences),
so a crafted upload cannot make ffmpeg read other files.
"""

from __future__ import annotations

import json
import re
import subprocess
import warnings
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from studio.errors import (
    CorruptMediaError,
    EnvironmentProblem,
    MediaTooLargeError,
    MissingMediaError,
    StudioError,
    UnsupportedMediaError,
)
from studio.settings import Settings

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi"}
AUDIO_SUFFIXES = {".mp3", ".wav", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac"}

# ffprobe's format_name for containers we accept; anything else (hls, concat, image2, tty...) is refused.
_VIDEO_FORMATS = {"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi"}
_AUDIO_FORMATS = {"mp3", "wav", "mov,mp4,m4a,3gp,3g2,mj2", "aac", "ogg", "flac", "matroska,webm"}
# The only demuxers ffprobe may even open: a playlist or concat list never gets parsed (it could name other files).
_DEMUXERS = "mov,matroska,avi,mp3,wav,aac,ogg,flac"
# Decoders we let loose on uploads: the codecs phones, cameras and editors write, nothing exotic.
_VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "prores", "mjpeg"}
_AUDIO_CODECS = {"aac", "mp3", "opus", "vorbis", "flac", "alac", "ac3", "eac3", "pcm_s16le", "pcm_s24le",
                 "pcm_s32le", "pcm_f32le", "pcm_f64le", "pcm_u8", "pcm_s16be", "pcm_s24be"}
MAX_FPS = 240  # above this a "clip" is a frame-count bomb, not footage
# Pillow opens only these formats (no EPS, which runs Ghostscript, no PSD, ICO, SVG-ish plugins).
_IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")  # JPEG covers MPO (phone photos)


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    kind: MediaKind
    width: int = 0
    height: int = 0
    duration_ms: int = 0
    fps: float = 0.0
    has_audio: bool = False
    rotation: int = 0


def kind_of(path: Path) -> MediaKind:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return MediaKind.IMAGE
    if suffix in VIDEO_SUFFIXES:
        return MediaKind.VIDEO
    if suffix in AUDIO_SUFFIXES:
        return MediaKind.AUDIO
    accepted = sorted(IMAGE_SUFFIXES | VIDEO_SUFFIXES | AUDIO_SUFFIXES)
    raise UnsupportedMediaError(f"{path.name}: unsupported file type {suffix or '(none)'!r}; use one of {accepted}")


def _check_file(path: Path, settings: Settings) -> None:
    if not path.exists():
        raise MissingMediaError(f"{path} does not exist")
    if not path.is_file():
        raise UnsupportedMediaError(f"{path} is not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise CorruptMediaError(f"{path.name} is empty (0 bytes)")
    if size > settings.max_media_mb * 1024 * 1024:
        raise MediaTooLargeError(f"{path.name} is {size / 2**20:.0f} MB; the limit is {settings.max_media_mb} MB")


def probe_image(path: Path, settings: Settings) -> MediaInfo:
    from PIL import Image, UnidentifiedImageError

    _check_file(path, settings)
    Image.init()  # registers every plugin, so the formats allow-list below can name them
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=_IMAGE_FORMATS) as image:
                width, height = image.size
                orientation = image.getexif().get(0x0112, 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        pixels = re.search(r"\((\d+) pixels\)", str(err))
        size = f"{int(pixels.group(1)) / 1e6:.0f} megapixels" if pixels else "too many pixels"
        raise MediaTooLargeError(
            f"{path.name} has {size}; the limit is {settings.max_image_pixels / 1e6:.0f} megapixels"
        ) from None
    except UnidentifiedImageError:
        raise CorruptMediaError(f"{path.name} is not a readable image") from None
    except (OSError, ValueError, SyntaxError) as err:  # Pillow raises ValueError for oversized text chunks
        raise CorruptMediaError(f"{path.name} cannot be read as an image ({_one_line(err)})") from None
    if width * height > settings.max_image_pixels:
        raise MediaTooLargeError(
            f"{path.name} is {width}x{height} ({width * height / 1e6:.0f} megapixels); "
            f"the limit is {settings.max_image_pixels / 1e6:.0f} megapixels"
        )
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return MediaInfo(path, MediaKind.IMAGE, width, height)


def load_image(path: Path, settings: Settings):
    """Decode an accepted image as RGB with EXIF orientation applied (returns a PIL image)."""
    from PIL import Image, ImageOps

    probe_image(path, settings)
    try:
        with Image.open(path, formats=_IMAGE_FORMATS) as image:
            image = ImageOps.exif_transpose(image)
            if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                background = Image.new("RGB", image.size, (0, 0, 0))
                background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
                return background
            return image.convert("RGB")
    except (OSError, ValueError, SyntaxError) as err:
        raise CorruptMediaError(f"{path.name} is truncated or corrupt ({_one_line(err)})") from None


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:200] or type(err).__name__


def ffprobe(path: Path, settings: Settings) -> dict:
    cmd = [settings.ffprobe, "-v", "error", "-format_whitelist", _DEMUXERS, "-print_format", "json",
           "-show_format", "-show_streams", "file:" + str(path)]
    try:
        result = subprocess.run(cmd, capture_output=True, timeout=settings.probe_timeout_s, check=False)
    except FileNotFoundError:
        raise EnvironmentProblem(
            f"ffprobe was not found ({settings.ffprobe}); install ffmpeg (apt-get install ffmpeg)"
        ) from None
    except subprocess.TimeoutExpired:
        raise CorruptMediaError(f"{path.name}: inspecting it took longer than {settings.probe_timeout_s} s") from None
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace")
        if "not on whitelist" in stderr:
            raise UnsupportedMediaError(f"{path.name} is not an accepted media container (playlists, concat lists "
                                        "and other indirect formats are refused)")
        reason = stderr.strip().splitlines()
        detail = reason[-1].replace("file:" + str(path), path.name).replace(str(path), path.name) if reason \
            else "unknown error"
        raise CorruptMediaError(f"{path.name} is not a readable media file ({_one_line(detail)})")
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        raise CorruptMediaError(f"{path.name}: ffprobe gave unreadable output") from None


def _rate(value: str | None) -> float:
    try:
        num, _, den = (value or "0/1").partition("/")
        return float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return 0.0


def probe_av(path: Path, settings: Settings, kind: MediaKind) -> MediaInfo:
    _check_file(path, settings)
    data = ffprobe(path, settings)
    fmt = data.get("format", {})
    allowed = _VIDEO_FORMATS if kind is MediaKind.VIDEO else _AUDIO_FORMATS
    if fmt.get("format_name") not in allowed:
        raise UnsupportedMediaError(
            f"{path.name}: container {fmt.get('format_name')!r} is not accepted for {kind.value}"
        )
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not s.get("disposition", {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    try:
        duration_ms = int(float(fmt.get("duration") or (video or audio or {}).get("duration") or 0) * 1000)
    except (ValueError, OverflowError):
        duration_ms = 0
    _check_codecs(path, kind, video, [s for s in streams if s.get("codec_type") == "audio"])
    if kind is MediaKind.VIDEO and duration_ms > settings.max_clip_s * 1000:  # music is only read in part
        raise MediaTooLargeError(f"{path.name} is {duration_ms / 1000:.0f} s long; the limit is "
                                 f"{settings.max_clip_s} s (STUDIO_MAX_CLIP_S)")
    if kind is MediaKind.VIDEO:
        if video is None:
            raise CorruptMediaError(f"{path.name} has no video stream")
        width, height = int(video.get("width") or 0), int(video.get("height") or 0)
        if width <= 0 or height <= 0:
            raise CorruptMediaError(f"{path.name}: video stream has no frame size")
        if width * height > settings.max_image_pixels:
            raise MediaTooLargeError(f"{path.name} is {width}x{height}; the frame-size limit is "
                                     f"{settings.max_image_pixels / 1e6:.0f} megapixels")
        rotation = 0
        for side in video.get("side_data_list", []) or []:
            if "rotation" in side:
                rotation = int(side["rotation"]) % 360
        if rotation in (90, 270):
            width, height = height, width
        fps = _rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate"))
        if fps > MAX_FPS:
            raise UnsupportedMediaError(f"{path.name} plays at {fps:.0f} frames per second; the limit is {MAX_FPS}")
        if duration_ms <= 0:
            raise CorruptMediaError(f"{path.name} has no playable duration")
        return MediaInfo(path, kind, width, height, duration_ms, fps, audio is not None, rotation)
    if audio is None:
        raise CorruptMediaError(f"{path.name} has no audio stream")
    if duration_ms <= 0:
        raise CorruptMediaError(f"{path.name} has no playable audio (zero length)")
    return MediaInfo(path, MediaKind.AUDIO, duration_ms=duration_ms, has_audio=True)


def _check_codecs(path: Path, kind: MediaKind, video: dict | None, audio: list[dict]) -> None:
    """Refuse streams whose decoder is not on the allow-list (the ones we would decode)."""
    if kind is MediaKind.VIDEO and video is not None and video.get("codec_name") not in _VIDEO_CODECS:
        raise UnsupportedMediaError(f"{path.name}: video codec {video.get('codec_name')!r} is not accepted; use "
                                    f"one of {sorted(_VIDEO_CODECS)} (H.264 MP4 plays everywhere)")
    for stream in audio:
        if stream.get("codec_name") not in _AUDIO_CODECS:
            raise UnsupportedMediaError(f"{path.name}: audio codec {stream.get('codec_name')!r} is not accepted; "
                                        "use AAC, MP3, Opus, Vorbis, FLAC or PCM WAV")


def probe(path: Path, settings: Settings, *, expect: MediaKind | None = None) -> MediaInfo:
    """Inspect and accept a media file, or raise a MediaError naming it and what is wrong."""
    path = Path(path)
    kind = kind_of(path)
    if expect is MediaKind.AUDIO and kind is MediaKind.VIDEO:
        kind = MediaKind.AUDIO  # the sound track of a video file is fine as music
    if expect is not None and kind is not expect:
        raise UnsupportedMediaError(f"{path.name} is an {kind.value} file; expected {expect.value}")
    if kind is MediaKind.IMAGE:
        return probe_image(path, settings)
    return probe_av(path, settings, kind)


def probe_for(path: Path, settings: Settings, where: str, *, expect: MediaKind | None = None) -> MediaInfo:
    """``probe`` with errors prefixed by what the file is for ("shot 3", "music")."""
    try:
        return probe(path, settings, expect=expect)
    except StudioError as err:
        raise type(err)(f"{where}: {err}") from None


def probe_shot_media(path: Path, settings: Settings, where: str) -> MediaInfo:
    """Accept an image or a clip for a shot; sound alone belongs in the music slot."""
    info = probe_for(path, settings, where)
    if info.kind is MediaKind.AUDIO:
        raise UnsupportedMediaError(f"{where}: {Path(path).name} is audio; a shot needs an image or a clip "
                                    "(add sound as music)")
    return info
