"""Synthetic media for tests: images (Pillow), clips (ffmpeg lavfi ``testsrc2``) and tones (stdlib ``wave``).

Every generator writes the file it is given, returns its path, and makes content that is cheap to
produce but not trivial to encode (gradients, moving patterns), so encoders and probes see real data.
"""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import wave
from pathlib import Path

from PIL import Image, ImageDraw


def make_image(path: str | Path, size: tuple[int, int] = (640, 480), color: tuple[int, int, int] = (200, 60, 40),
               pattern: str = "gradient") -> Path:
    """An image of ``size`` (width, height); ``pattern`` is "solid", "gradient" or "checker". Format from suffix."""
    path = Path(path)
    width, height = size
    image = Image.new("RGB", size, color)
    if pattern == "gradient":
        ramp = Image.linear_gradient("L").resize(size)
        image = Image.composite(image, Image.new("RGB", size, tuple(255 - c for c in color)), ramp)
    elif pattern == "checker":
        draw = ImageDraw.Draw(image)
        cell = max(8, min(width, height) // 8)
        for y in range(0, height, cell):
            for x in range((y // cell) % 2 * cell, width, 2 * cell):
                draw.rectangle((x, y, x + cell - 1, y + cell - 1), fill=tuple(255 - c for c in color))
    elif pattern != "solid":
        raise ValueError(f"unknown pattern {pattern!r}; use solid, gradient or checker")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def make_clip(path: str | Path, seconds: float = 1.0, size: tuple[int, int] = (320, 240), fps: int = 25,
              with_audio: bool = True) -> Path:
    """An H.264/yuv420p clip of ffmpeg's moving ``testsrc2`` pattern, with a 1 kHz AAC tone if ``with_audio``."""
    path = Path(path)
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RuntimeError("ffmpeg is not on PATH; install it (apt-get install ffmpeg)")
    width, height = size
    cmd = [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:d={seconds}"]
    if with_audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=1000:sample_rate=44100:duration={seconds}",
                "-c:a", "aac", "-b:a", "64k"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-t", str(seconds), str(path)]
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return path


def make_tone(path: str | Path, seconds: float = 1.0, freq: float = 440.0, rate: int = 44100,
              amplitude: float = 0.3) -> Path:
    """A mono 16-bit PCM WAV sine tone."""
    path = Path(path)
    frames = round(seconds * rate)
    scale = amplitude * 32767
    samples = struct.pack(f"<{frames}h", *(round(scale * math.sin(2 * math.pi * freq * n / rate))
                                           for n in range(frames)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return path
