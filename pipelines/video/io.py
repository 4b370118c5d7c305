"""Generated frames to files and back: atomic MP4/PNG writes, clip frames for conditioning.

Every file is written under a temporary name in its final folder, flushed to disk and moved into place
with ``os.replace``, so a crash or a cancel never leaves half a clip at a path the project points to. The
temporary name carries its owner process (``studio.scratch``), so what a killed process left is swept later.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from studio.errors import EnvironmentProblem, RenderError
from studio.project.files import UMASK
from studio.scratch import fsync_dir, fsync_file, owner_tag
from studio.settings import Settings


def _temp_beside(path: Path, suffix: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.{owner_tag()}.", suffix=f".partial{suffix}")
    try:
        os.fchmod(fd, 0o666 & ~UMASK)  # mkstemp makes 0600; a shot is an ordinary file, like its project
    finally:
        os.close(fd)
    return Path(tmp)


def _publish(tmp: Path, path: Path) -> None:
    """The finished bytes on disk first, then the rename: after a crash the final path is whole or absent."""
    fsync_file(tmp)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def write_png(image: Any, path: Path) -> Path:
    tmp = _temp_beside(path, ".png")
    try:
        image.save(tmp, "PNG")
        _publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_clip(frames: list[Any], fps: float, path: Path, settings: Settings) -> Path:
    """Encode RGB frames as a near-lossless H.264 MP4 (CRF 12, yuv420p, no audio) at ``path``, atomically."""
    width, height = frames[0].size
    if width % 2 or height % 2:
        raise RenderError(f"internal error: generated frames are {width}x{height}; H.264 needs even sizes")
    tmp = _temp_beside(path, ".mp4")
    cmd = [settings.ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", f"{fps:g}", "-i", "-",
           "-c:v", "libx264", "-preset", "fast", "-crf", "12", "-pix_fmt", "yuv420p",
           "-movflags", "+faststart", "-f", "mp4", str(tmp)]
    try:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise EnvironmentProblem("ffmpeg was not found; install it or set STUDIO_FFMPEG") from None
        try:
            for frame in frames:
                proc.stdin.write(frame.convert("RGB").tobytes())
            _, err = proc.communicate()
        except BrokenPipeError:
            _, err = proc.communicate()
        if proc.returncode != 0:
            reason = err.decode("utf-8", "replace").strip().splitlines()
            raise RenderError(f"writing the generated clip failed: {reason[-1] if reason else proc.returncode}")
        _publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def read_clip_frames(path: Path, settings: Settings, *, size: tuple[int, int], fps: float, count: int,
                     start_ms: int = 0) -> list[Any]:
    """``count`` frames of a clip from ``start_ms``, cover-fitted to ``size`` at ``fps`` (the last one held)."""
    from PIL import Image

    from studio.compose.clips import ClipDecoder
    from studio.media import MediaKind, probe_for
    from studio.project.model import Fit

    info = probe_for(path, settings, path.name, expect=MediaKind.VIDEO)
    rate = max(1, int(round(fps)))
    decoder = ClipDecoder(settings.ffmpeg_exe(), info, fit=Fit.COVER, focus=(0.5, 0.5), size=size, fps=rate,
                          start_ms=start_ms, max_ms=int(count * 1000 / rate) + 1000)
    try:
        return [Image.frombytes("RGB", size, decoder.frame_bytes_at(i * 1000 / rate)) for i in range(count)]
    finally:
        decoder.close()


def clip_frame_at(path: Path, settings: Settings, t_ms: int) -> Any:
    """One frame of a clip at its own size (ffmpeg seeks; past the end gives the last frame)."""
    from PIL import Image

    from studio.media import MediaKind, probe_for

    info = probe_for(path, settings, path.name, expect=MediaKind.VIDEO)
    t_ms = max(0, min(t_ms, info.duration_ms - 1))
    size = (info.width, info.height)
    cmd = [settings.ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    if t_ms >= info.duration_ms - 1000:
        cmd += ["-sseof", "-1"]  # the tail: decode the last second and keep its final frame
    else:
        cmd += ["-ss", f"{t_ms / 1000:.3f}"]
    cmd += ["-i", str(path), "-map", "0:v:0", "-vf", f"scale={size[0]}:{size[1]}"]
    if t_ms < info.duration_ms - 1000:
        cmd += ["-frames:v", "1"]
    cmd += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    out = subprocess.run(cmd, capture_output=True, timeout=settings.probe_timeout_s * 3, check=False)
    frame_bytes = size[0] * size[1] * 3
    if out.returncode != 0 or len(out.stdout) < frame_bytes:
        raise RenderError(f"{path.name}: could not read a frame at {t_ms} ms")
    if t_ms >= info.duration_ms - 1000:
        data = out.stdout[len(out.stdout) // frame_bytes * frame_bytes - frame_bytes:][:frame_bytes]
    else:
        data = out.stdout[:frame_bytes]
    return Image.frombytes("RGB", size, data)
