"""The encoder: one ffmpeg process that turns RGB frames and a WAV into a delivery-grade MP4.

Delivery settings (YouTube's recommended upload encoding, which the other platforms accept too):
H.264 High profile, yuv420p, BT.709 (matrix, primaries, transfer, limited range -- set both in the
conversion and in the stream's VUI so players and platforms agree), closed GOP of half the frame
rate with 2 B-frames, AAC-LC 48 kHz stereo, and ``+faststart`` so the index precedes the media and
playback starts before the download ends. ffmpeg's log goes to a file, never an undrained pipe.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from studio.errors import EnvironmentProblem, RenderError
from studio.project.presets import EncoderSettings

_HINTS = (
    ("No space left on device", "the disk is full: free some space and render again"),
    ("Unknown encoder", "this ffmpeg lacks libx264 or aac: unset STUDIO_FFMPEG to use the bundled one"),
    ("Permission denied", "the output folder is not writable: choose another output path"),
    ("Invalid argument", "ffmpeg rejected an argument: this is a bug, please report it with the log"),
)


@dataclass(frozen=True)
class EncodeJob:
    output: Path
    width: int
    height: int
    fps: int
    audio_wav: Path
    encoder: EncoderSettings
    metadata: dict[str, str]


def ffmpeg_command(ffmpeg: str, job: EncodeJob) -> list[str]:
    enc = job.encoder
    cmd = [
        ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{job.width}x{job.height}", "-r", str(job.fps), "-i", "-",
        "-i", str(job.audio_wav),
        "-map", "0:v:0", "-map", "1:a:0",
        # RGB -> BT.709 limited-range YUV (swscale's default matrix would be BT.601), then tag the frames
        # so the encoder's VUI says the same: the -color_* flags alone are dropped by newer ffmpeg.
        "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,"
               "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv",
        "-c:v", "libx264", "-preset", enc.x264_preset, "-crf", str(enc.crf),
        "-maxrate", f"{enc.maxrate_kbps}k", "-bufsize", f"{enc.maxrate_kbps * 2}k",
        "-profile:v", "high", "-g", str(max(1, job.fps // 2)), "-bf", "2", "-flags", "+cgop",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
        "-c:a", "aac", "-profile:a", "aac_low", "-b:a", f"{enc.audio_bitrate_kbps}k", "-ar", "48000", "-ac", "2",
        "-movflags", "+faststart+use_metadata_tags",
    ]
    for key, value in job.metadata.items():
        cmd += ["-metadata", f"{key}={value}"]
    cmd += ["-f", "mp4", str(job.output)]
    return cmd


class Encoder:
    """Context manager: ``write(frame_bytes)`` per frame; leaving the block finishes the file."""

    def __init__(self, ffmpeg: str, job: EncodeJob):
        self.job = job
        self.frame_bytes = job.width * job.height * 3
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the process; closed in finish/abort
        try:
            self.proc = subprocess.Popen(ffmpeg_command(ffmpeg, job), stdin=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL, stderr=self.log)
        except FileNotFoundError:
            self.log.close()
            raise EnvironmentProblem(f"ffmpeg was not found at {ffmpeg}; install it or set STUDIO_FFMPEG") from None

    def write(self, frame: bytes) -> None:
        if len(frame) != self.frame_bytes:
            raise RenderError(f"internal error: frame of {len(frame)} bytes, expected {self.frame_bytes}")
        try:
            self.proc.stdin.write(frame)
        except (BrokenPipeError, OSError):
            self.proc.wait()
            raise self._error() from None

    def _error(self) -> RenderError:
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace").strip()
        last = text.splitlines()[-1] if text else f"ffmpeg exited with code {self.proc.returncode}"
        hint = next((h for needle, h in _HINTS if needle in text), None)
        return RenderError(f"encoding failed: {last}" + (f" ({hint})" if hint else ""))

    def abort(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        code = self.proc.wait()
        try:
            if code != 0:
                raise self._error()
        finally:
            self.log.close()

    def __enter__(self) -> Encoder:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.finish()
        else:
            self.abort()
