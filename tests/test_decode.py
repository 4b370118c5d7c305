"""Clip decoding: fitted frames from ffmpeg, the last frame held past the end, undecodable clips named."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

from studio.compose.clips import ClipDecoder
from studio.errors import CorruptMediaError
from studio.media import probe
from studio.project.model import Fit
from studio.settings import Settings
from tests.helpers.media import make_clip

SETTINGS = Settings.from_env({})


def _decoder(info, **kw) -> ClipDecoder:
    return ClipDecoder(SETTINGS.ffmpeg_exe(), info, size=(90, 160), fps=30, **{"fit": Fit.COVER,
                                                                              "focus": (0.5, 0.5)} | kw)


def _frame(decoder: ClipDecoder, t_ms: float) -> np.ndarray:
    return np.asarray(Image.frombytes("RGB", decoder.size, decoder.frame_bytes_at(t_ms)), dtype=np.int16)


def test_clip_shorter_than_the_shot_holds_its_last_frame(tmp_path):
    info = probe(make_clip(tmp_path / "c.mp4", seconds=0.5, size=(160, 90), fps=25), SETTINGS)
    decoder = _decoder(info)
    try:
        last = _frame(decoder, 480)
        held = _frame(decoder, 2000)
        assert np.array_equal(last, held) and held.mean() > 20  # frozen on the picture, not black
    finally:
        decoder.close()


def test_cover_crop_follows_the_focus_point(tmp_path):
    # Left half red, right half blue: focusing left must show red, focusing right blue.
    path = tmp_path / "halves.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=red:s=160x90:d=0.3", "-f", "lavfi",
                    "-i", "color=blue:s=160x90:d=0.3", "-filter_complex",
                    "[0][1]overlay=x=80,format=yuv420p", "-t", "0.3", str(path)], check=True)
    info = probe(path, SETTINGS)
    for focus, channel in (((0.0, 0.5), 0), ((1.0, 0.5), 2)):
        decoder = _decoder(info, focus=focus)
        try:
            frame = _frame(decoder, 0)
            assert frame[..., channel].mean() > 150, focus
        finally:
            decoder.close()


def test_contain_letterboxes_over_a_darker_fill(tmp_path):
    info = probe(make_clip(tmp_path / "c.mp4", seconds=0.3, size=(160, 90), fps=25), SETTINGS)
    decoder = _decoder(info, fit=Fit.CONTAIN)
    try:
        frame = _frame(decoder, 0)
        assert frame.shape == (160, 90, 3)
        assert frame[:40].mean() < frame[60:100].mean()  # the fill is darker than the picture band
    finally:
        decoder.close()


def test_clip_with_no_decodable_frame_is_named(tmp_path):
    clip = make_clip(tmp_path / "ok.mp4", seconds=1.0, size=(160, 90), fps=25, with_audio=False)
    info = probe(clip, SETTINGS)
    # Probed while good, then everything from the media data on is zeroed (a disk or copy failure):
    data = bytearray(clip.read_bytes())
    start = data.find(b"mdat") + 4
    data[start:] = b"\x00" * (len(data) - start)
    clip.write_bytes(bytes(data))
    decoder = _decoder(info)
    with pytest.raises(CorruptMediaError, match="ok.mp4: no video frame could be decoded"):
        _frame(decoder, 0)


def test_a_phone_photo_stands_up_the_way_its_exif_orientation_says(tmp_path):
    from studio.media import load_image, probe_image

    # Stored landscape (40x20, left half red), tagged "rotate 90 CW to display" as phones do (orientation 6).
    stored = Image.new("RGB", (40, 20), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    stored.save(path, "JPEG", exif=exif, quality=95)
    settings = Settings.from_env({})
    shown = load_image(path, settings)
    assert shown.size == (20, 40)
    top, bottom = np.asarray(shown)[2, 10], np.asarray(shown)[-3, 10]
    assert top[0] > 200 and top[2] < 60  # the red half is on top once rotated clockwise
    assert bottom[2] > 200 and bottom[0] < 60
    assert (probe_image(path, settings).width, probe_image(path, settings).height) == (20, 40)
