"""Clip decoding: one ffmpeg process per clip that hands over frames already fitted to the output.

ffmpeg does the per-pixel work in its own (multi-threaded) process: seek, crop *before* scaling
(a landscape clip in *cover* fit is cropped to the 9:16 window, not scaled whole to 3414x1920 and
then cut), frame-rate conversion to the output rate, and for *contain* the blurred, darkened fill
behind the fitted picture. Python only reads finished RGB frames in order, so memory stays at one
frame per open clip. Past the clip's last decodable frame we hold it (a clip shorter than its shot
freezes on its last frame rather than going black); a clip that yields no frame at all is an error
that names the file. We do not use MoviePy's FFMPEG_VideoReader here: it scales before cropping,
keeps ffmpeg's stderr in a pipe it never drains, and has no time limit.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from pathlib import Path

from studio.errors import CorruptMediaError, EnvironmentProblem
from studio.media import MediaInfo
from studio.project.model import Fit

# The contain fill, shared with still images (studio.compose.frames.blurred_fill): blur at 1/16 size, scale
# back up, darken to 55 %.
FILL_DIVISOR = 16
FILL_BRIGHTNESS = 0.55


def fit_filter(info: MediaInfo, fit: Fit, focus: tuple[float, float], size: tuple[int, int], fps: int) -> str:
    """The ffmpeg filter graph turning the clip into output-sized frames at the output frame rate."""
    out_w, out_h = size
    src_w, src_h = info.width, info.height  # display size (rotation already applied by ffprobe facts)
    if fit is Fit.COVER:
        scale = max(out_w / src_w, out_h / src_h)
        crop_w = min(src_w, max(2, round(out_w / scale)))
        crop_h = min(src_h, max(2, round(out_h / scale)))
        x = round((src_w - crop_w) * focus[0])
        y = round((src_h - crop_h) * focus[1])
        return f"crop={crop_w}:{crop_h}:{x}:{y},scale={out_w}:{out_h}:flags=bicubic,fps={fps},format=rgb24"
    scale = min(out_w / src_w, out_h / src_h)
    fit_w = max(2, round(src_w * scale / 2) * 2)
    fit_h = max(2, round(src_h * scale / 2) * 2)
    small_w, small_h = max(8, out_w // FILL_DIVISOR), max(8, out_h // FILL_DIVISOR)
    k = FILL_BRIGHTNESS
    return (
        f"fps={fps},split[fg][bg];"
        f"[bg]scale={small_w}:{small_h}:force_original_aspect_ratio=increase,crop={small_w}:{small_h},"
        f"gblur=sigma=2.5,scale={out_w}:{out_h}:flags=bilinear,"
        f"colorchannelmixer=rr={k}:gg={k}:bb={k}[fill];"
        f"[fg]scale={fit_w}:{fit_h}:flags=bicubic[pic];"
        f"[fill][pic]overlay=(W-w)/2:(H-h)/2,format=rgb24"
    )


class ClipDecoder:
    """Sequential frames of one clip, from ``start_ms``, fitted to ``size`` at ``fps``."""

    def __init__(self, ffmpeg: str, info: MediaInfo, *, fit: Fit, focus: tuple[float, float],
                 size: tuple[int, int], fps: int, start_ms: int = 0, max_ms: int | None = None):
        self.info = info
        self.size = size
        self.fps = fps
        self.frame_bytes = size[0] * size[1] * 3
        self.index = -1  # index of ``self.last``
        self.last: bytes | None = None
        self.ended = False
        cmd = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-ss", f"{start_ms / 1000:.3f}"]
        if max_ms is not None:
            cmd += ["-t", f"{max_ms / 1000 + 1:.3f}"]  # a little past the shot: the last frame must exist
        cmd += ["-i", str(info.path), "-map", "0:v:0", "-an", "-sn", "-dn",
                "-vf", fit_filter(info, fit, focus, size, fps),
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 -- closed in close()
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log,
                                         bufsize=self.frame_bytes)
        except FileNotFoundError:
            self.log.close()
            raise EnvironmentProblem(f"ffmpeg was not found at {ffmpeg}; install it or set STUDIO_FFMPEG") from None

    def _read_one(self) -> bytes | None:
        chunks, need = [], self.frame_bytes
        while need:
            chunk = self.proc.stdout.read(need)
            if not chunk:
                return None
            chunks.append(chunk)
            need -= len(chunk)
        return b"".join(chunks)

    def frame_bytes_at(self, t_ms: float) -> bytes:
        """RGB bytes of the frame shown at ``t_ms`` after the start; times must not go backwards."""
        target = int(round(t_ms * self.fps / 1000))
        while self.index < target and not self.ended:
            data = self._read_one()
            if data is None:
                self.ended = True
                break
            self.last = data
            self.index += 1
        if self.last is None:
            self.close()
            raise CorruptMediaError(f"{Path(self.info.path).name}: no video frame could be decoded{self._reason()}")
        return self.last

    def _reason(self) -> str:
        with contextlib.suppress(ValueError, OSError):
            self.log.seek(0)
            lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
            if lines:
                return f" ({lines[-1].replace(str(self.info.path), Path(self.info.path).name)})"
        return ""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        with contextlib.suppress(OSError):
            self.proc.stdout.close()
        self.log.close()
