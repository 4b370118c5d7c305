"""Clip decoding: one ffmpeg process per clip that hands over frames already fitted to the output.

ffmpeg does the per-pixel work in its own (multi-threaded) process: seek, crop *before* scaling
(a landscape clip in *cover* fit is cropped to the 9:16 window, not scaled whole to 3414x1920 and
then cut), frame-rate conversion to the output rate, and for *contain* the blurred, darkened fill
behind the fitted picture. Python only reads finished RGB frames in order, so memory stays at one
frame per open clip. Past the clip's last decodable frame we hold it (a clip shorter than its shot
freezes on its last frame rather than going black); a clip that yields no frame at all is an error
that names the file. A shot with a speed or time effect reads its clip through ``ClipReader``, which seeks:
ffmpeg plays the clip at the shot's speed (``setpts``), and a reversed stretch is decoded forward in short chunks
that are then handed out backwards. We do not use MoviePy's FFMPEG_VideoReader here: it scales before cropping,
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
                 size: tuple[int, int], fps: int, start_ms: float = 0, max_ms: float | None = None,
                 speed: float = 1.0):
        self.info = info
        self.size = size
        self.fps = fps
        self.frame_bytes = size[0] * size[1] * 3
        self.index = -1  # index of ``self.last``
        self.last: bytes | None = None
        self.ended = False
        cmd = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-ss", f"{start_ms / 1000:.3f}"]
        if max_ms is not None:
            cmd += ["-t", f"{max_ms * speed / 1000 + 1:.3f}"]  # a little past the shot: the last frame must exist
        graph = fit_filter(info, fit, focus, size, fps)
        if speed != 1.0:  # frame i then shows the clip at start + i * speed / fps
            graph = f"setpts=(PTS-STARTPTS)/{speed:.6f},{graph}"
        cmd += ["-i", str(info.path), "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", graph,
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


class ClipReader:
    """Frames of one clip at any source times (ms from ``start_ms``), in any order, for shots with time effects.

    Forward requests stream through one decoder playing at ``speed`` (so a 2x shot decodes what it shows, not twice
    that through the pipe); a request behind the last one, or more than ``JUMP_MS`` ahead, seeks. Backward runs (a
    reversed shot) are served from chunks of ``CHUNK`` frames decoded forward from a seek and handed out in reverse,
    so a reversed shot costs about what playing it forward does, with one chunk of frames in memory.
    """

    CHUNK = 12
    JUMP_MS = 1500.0

    def __init__(self, ffmpeg: str, info: MediaInfo, *, fit: Fit, focus: tuple[float, float], size: tuple[int, int],
                 fps: int, start_ms: int, speed: float = 1.0):
        self.args = dict(fit=fit, focus=focus, size=size, fps=fps)
        self.ffmpeg, self.info, self.fps, self.start_ms, self.speed = ffmpeg, info, fps, start_ms, speed
        self.step_ms = speed * 1000 / fps  # source time between two decoded frames
        self.end_ms = max(0.0, info.duration_ms - start_ms)
        self.decoder: ClipDecoder | None = None
        self.base_ms = 0.0  # source time of the decoder's frame 0
        self.position = -1  # index of the decoder's last frame read
        self.chunk: list[bytes] = []
        self.chunk_ms = 0.0  # source time of chunk[0]
        self.last_ms: float | None = None
        self.seeks = 0  # decoders started (tests and benchmarks read it)

    def _decoder(self, at_ms: float, frames: int | None = None) -> ClipDecoder:
        self.seeks += 1
        return ClipDecoder(self.ffmpeg, self.info, start_ms=self.start_ms + at_ms, speed=self.speed,
                           max_ms=None if frames is None else frames * 1000 / self.fps, **self.args)

    def frame_bytes(self, src_ms: float) -> bytes:
        src_ms = min(max(0.0, src_ms), self.end_ms)
        backward = self.last_ms is not None and src_ms < self.last_ms - 1e-6
        self.last_ms = src_ms
        if backward:
            return self._from_chunk(src_ms)
        if self.chunk:  # forward again after a backward run: the chunk while it has the frame, then stream
            index = round((src_ms - self.chunk_ms) / self.step_ms)
            if 0 <= index < len(self.chunk):
                return self.chunk[index]
            self.chunk = []
        index = round((src_ms - self.base_ms) / self.step_ms)
        if self.decoder is None or index < self.position or (index - self.position) * self.step_ms > self.JUMP_MS:
            self.close_decoder()
            self.decoder, self.base_ms, self.position, index = self._decoder(src_ms), src_ms, -1, 0
        self.position = max(self.position, index)
        return self.decoder.frame_bytes_at(index * 1000 / self.fps)

    def _from_chunk(self, src_ms: float) -> bytes:
        self.close_decoder()
        index = round((src_ms - self.chunk_ms) / self.step_ms)
        if not self.chunk or not 0 <= index < len(self.chunk):
            self.chunk_ms = max(0.0, src_ms - (self.CHUNK - 1) * self.step_ms)
            decoder = self._decoder(self.chunk_ms, self.CHUNK)
            try:
                count = round((src_ms - self.chunk_ms) / self.step_ms) + 1
                self.chunk = [decoder.frame_bytes_at(i * 1000 / self.fps) for i in range(count)]
            finally:
                decoder.close()
            index = len(self.chunk) - 1
        return self.chunk[index]

    def close_decoder(self) -> None:
        if self.decoder is not None:
            self.decoder.close()
            self.decoder = None

    def close(self) -> None:
        self.close_decoder()
        self.chunk = []
