"""Media that say what they are, for judging an editor hand-off rendered by someone else's engine (melt).

Each clip is one solid colour with a barcode of its own source frame number burned in (``BITS`` blocks across a
band, white = 1, least significant bit on the left), so a decoded frame of any render says which clip and which
source frame is on screen, and how far two clips are blended. Tones are stereo sines at known levels, so music
and narration can be told apart by frequency band. Nothing here uses the studio's code.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BITS = 10
BAND = (400, 470)  # barcode rows, in a 960-high frame
PATCH = (300, 360)  # plain colour rows
COLOURS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0)}


def _ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise RuntimeError("ffmpeg is not on PATH; install it (apt-get install ffmpeg)")
    return path


def barcode_clip(path: Path, colour: str, *, size: tuple[int, int] = (540, 960), fps: int = 30,
                 frames: int = 90, tone: float | None = None) -> Path:
    """An H.264 clip of one colour with its frame number as a barcode, encoded the way generated clips are
    (RGB to yuv420p with ffmpeg's default matrix, no colour tags); with ``tone`` (Hz), a stereo sine as its sound."""
    width, height = size
    bit_w = width // BITS
    r, g, b = COLOURS[colour]
    filters = ["format=rgb24", f"drawbox=x=0:y={BAND[0]}:w={width}:h={BAND[1] - BAND[0]}:color=black:t=fill"]
    for k in range(BITS):
        filters.append(f"drawbox=x={k * bit_w}:y={BAND[0]}:w={bit_w}:h={BAND[1] - BAND[0]}:color=white:t=fill:"
                       f"enable='eq(mod(floor(n/{2 ** k})\\,2)\\,1)'")
    filters.append("format=yuv420p")
    path.parent.mkdir(parents=True, exist_ok=True)
    sound = [] if tone is None else ["-f", "lavfi", "-i", f"aevalsrc=0.5*sin(2*PI*{tone}*t)|0.5*sin(2*PI*{tone}*t)"
                                     f":s=48000:d={frames / fps}", "-c:a", "aac", "-shortest"]
    subprocess.run([_ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"color=c=0x{r:02X}{g:02X}{b:02X}:s={width}x{height}:r={fps}:d={frames / fps}", *sound,
                    "-vf", ",".join(filters), "-frames:v", str(frames), "-c:v", "libx264", "-preset", "ultrafast",
                    "-crf", "8", str(path)], check=True, capture_output=True, timeout=120)
    return path


def stereo_tone(path: Path, freq: float, seconds: float, amplitude: float = 0.5) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wave = f"{amplitude}*sin(2*PI*{freq}*t)"
    subprocess.run([_ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"aevalsrc={wave}|{wave}:s=48000:d={seconds}", "-c:a", "pcm_s16le", str(path)],
                   check=True, capture_output=True, timeout=60)
    return path


@dataclass(frozen=True)
class FrameFacts:
    patch: tuple[float, float, float]  # mean RGB of the plain colour rows
    bits: tuple[float, ...]  # mean brightness of each barcode block
    white: dict[str, int]  # region name -> count of near-white pixels (text fill)
    masks: dict[str, bytes]  # region name -> packed near-white mask (to tell one text from another)

    def clip(self) -> str | None:
        """Which fixture colour is on screen (None when it is too dark to tell)."""
        if max(self.patch) < 40:
            return None
        return min(COLOURS, key=lambda c: sum((a - b) ** 2 for a, b in zip(self.patch, COLOURS[c], strict=True)))

    def brightness(self, colour: str) -> float:
        channel = max(range(3), key=lambda k: COLOURS[colour][k])
        return self.patch[channel] / 255

    def source_frame(self) -> int:
        """The barcode read against the patch's brightness (a dimmed frame dims its bars too)."""
        level = max(self.patch)
        return sum(1 << k for k, value in enumerate(self.bits) if value > level / 2)


def read_frames(video: Path, regions: dict[str, tuple[int, int, int, int]]) -> list[FrameFacts]:
    """Decode ``video`` (any size: read at 540x960) frame by frame into FrameFacts; ``regions`` are boxes
    (x, y, w, h) whose near-white pixels are counted."""
    width, height = 540, 960
    proc = subprocess.Popen([_ffmpeg(), "-v", "error", "-i", str(video), "-vf", f"scale={width}:{height}",
                             "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], stdout=subprocess.PIPE)
    facts = []
    size = width * height * 3
    bit_w = width // BITS
    try:
        while True:
            raw = proc.stdout.read(size)
            if len(raw) < size:
                break
            frame = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3).astype(np.int16)
            patch = tuple(float(v) for v in frame[PATCH[0]:PATCH[1], 40:width - 40].reshape(-1, 3).mean(axis=0))
            band = frame[BAND[0] + 15:BAND[1] - 15]
            bits = tuple(float(band[:, k * bit_w + 12:(k + 1) * bit_w - 12].max(axis=2).mean()) for k in range(BITS))
            white, masks = {}, {}
            for name, (x, y, w, h) in regions.items():
                mask = frame[y:y + h, x:x + w].min(axis=2) > 200
                white[name] = int(mask.sum())
                masks[name] = np.packbits(mask).tobytes()
            facts.append(FrameFacts(patch, bits, white, masks))
    finally:
        proc.stdout.close()
        proc.wait()
    return facts


def band_levels(video: Path, band: str) -> list[tuple[float, float]]:
    """(time s, RMS dB) per 100 ms of the sound in ``band``: "low" (under 500 Hz) or "high" (over 600 Hz)."""
    shape = "lowpass=f=500,lowpass=f=500" if band == "low" else "highpass=f=600,highpass=f=600"
    out = subprocess.run([_ffmpeg(), "-v", "error", "-i", str(video), "-vn", "-af",
                          f"{shape},asetnsamples=n=4800:p=0,astats=metadata=1:reset=1,"
                          "ametadata=print:key=lavfi.astats.Overall.RMS_level:file=-", "-f", "null", "-"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    times = [float(x) for x in re.findall(r"pts_time:([\d.]+)", out)]
    levels = [float(x) if x not in ("-inf", "inf") else -120.0 for x in re.findall(r"RMS_level=(-?[\w.]+)", out)]
    return list(zip(times, levels, strict=True))


def probe(video: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_type,width,height,r_frame_rate,nb_frames", "-of", "json", str(video)],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    return json.loads(out)


def tone_db(amplitude: float) -> float:
    """RMS level of a sine of this amplitude, in dBFS."""
    return 20 * math.log10(amplitude / math.sqrt(2))
