"""Per-shot frame sources: an image with a gentle camera move, or a clip fitted to the frame.

Parallax needs depth, and a flat picture has none: ``ParallaxFrames`` moves two layers (a far
picture and a near RGBA layer, e.g. a title card's gradient and its text) by different amounts; on a
single photo or frame ``parallax`` is a gentle push-in instead, never a faked depth map.

Each source answers ``frame(t_ms)`` with an RGB Pillow image of exactly the output size, for
times that only move forward (the compositor renders in order), so clips stream through one
ffmpeg decoder and are never held in memory. Fitting: *cover* scales the media to fill the frame
and crops around the shot's focus point; *contain* shows all of it over a blurred, darkened fill
made from the media itself (the look creators use for landscape footage in a vertical frame).

A shot with effects gets its source wrapped in ``studio.compose.effects.EffectFrames``; a clip whose effects move
time (speed, reverse, freeze, MoviePy's own effects) is read through a seeking ``ClipReader`` instead of the
one-pass decoder, and a still picture gets its colour effects once, before the camera move.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageEnhance, ImageFilter

from studio.compose.clips import FILL_BRIGHTNESS, FILL_DIVISOR, ClipDecoder, ClipReader
from studio.compose.effects import EffectFrames, ShotEffects
from studio.media import MediaInfo, MediaKind, load_image
from studio.project.model import CameraMove, Fit, Shot
from studio.settings import Settings

# How far a move travels: zoom factor at the end of a push-in, and the pan/tilt distance as a
# fraction of the frame. Gentle on purpose: a slideshow should breathe, not swim.
ZOOM_RANGE = 1.10
PAN_FRACTION = 0.07
_AUTO_CYCLE = (CameraMove.PUSH_IN, CameraMove.PAN_RIGHT, CameraMove.PULL_OUT, CameraMove.PAN_LEFT,
               CameraMove.TILT_UP, CameraMove.PUSH_IN, CameraMove.TILT_DOWN)


def resolve_camera_move(move: CameraMove, index: int) -> CameraMove:
    """``auto`` becomes a varied, deterministic move per shot position."""
    return _AUTO_CYCLE[index % len(_AUTO_CYCLE)] if move is CameraMove.AUTO else move


def ease_in_out(x: float) -> float:
    """Sine ease: starts and ends at rest, so cuts and holds never look like a jolt."""
    x = min(max(x, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * x)


@dataclass(frozen=True)
class _Move:
    zoom_from: float
    zoom_to: float
    dx_from: float  # centre offset, as a fraction of the frame width, positive = right
    dx_to: float
    dy_from: float
    dy_to: float


def _move_path(move: CameraMove) -> _Move:
    z, p = ZOOM_RANGE, PAN_FRACTION
    return {
        CameraMove.NONE: _Move(1.0, 1.0, 0, 0, 0, 0),
        CameraMove.PUSH_IN: _Move(1.0, z, 0, 0, 0, 0),
        CameraMove.PULL_OUT: _Move(z, 1.0, 0, 0, 0, 0),
        CameraMove.PAN_LEFT: _Move(1 + 2 * p, 1 + 2 * p, p, -p, 0, 0),
        CameraMove.PAN_RIGHT: _Move(1 + 2 * p, 1 + 2 * p, -p, p, 0, 0),
        CameraMove.TILT_UP: _Move(1 + 2 * p, 1 + 2 * p, 0, 0, p, -p),
        CameraMove.TILT_DOWN: _Move(1 + 2 * p, 1 + 2 * p, 0, 0, -p, p),
        CameraMove.PARALLAX: _Move(1.0, 1 + (z - 1) / 2, 0, 0, 0, 0),  # one flat layer: a gentle push-in
    }[move]


# Parallax over two layers, as if the camera trucks right: both slide left, the near layer ~3x as far.
# The far layer stays zoomed past 1 + 2*|dx| so its crop never runs off the picture.
PARALLAX_FAR = _Move(1.04, 1.07, -0.018, 0.018, 0, 0)
PARALLAX_NEAR_FRACTION = 0.06  # the near layer's offset from centre at each end, as a fraction of the width
PARALLAX_NEAR_ZOOM = (1.0, 1.04)


class ParallaxFrames:
    """Two layers over a shot's span: ``far`` (RGB, the frame's size) drifts a little with a slight zoom,
    ``near`` (RGBA, centred) drifts further, and ``fixed`` (RGBA label with its position) does not move.
    Eased like every move, so the shot starts and ends at rest."""

    def __init__(self, far: Image.Image, near: Image.Image | None, size: tuple[int, int], span_ms: float,
                 fixed: tuple[Image.Image, tuple[int, int]] | None = None):
        if far.size != size:
            raise ValueError(f"parallax: the far layer is {far.size[0]}x{far.size[1]}, the frame {size[0]}x{size[1]}")
        self.far, self.near, self.fixed = far.convert("RGB"), near, fixed
        self.size = size
        self.span_ms = max(span_ms, 1)

    def frame(self, t_ms: float) -> Image.Image:
        k = ease_in_out(t_ms / self.span_ms)
        m, (w, h) = PARALLAX_FAR, self.size
        zoom = m.zoom_from + (m.zoom_to - m.zoom_from) * k
        dx = m.dx_from + (m.dx_to - m.dx_from) * k
        frame = self.far.resize(self.size, Image.BILINEAR, box=cover_box(w, h, w, h, (0.5, 0.5), zoom, (dx, 0.0)))
        if self.near is not None:
            near_zoom = PARALLAX_NEAR_ZOOM[0] + (PARALLAX_NEAR_ZOOM[1] - PARALLAX_NEAR_ZOOM[0]) * k
            near = self.near
            if near_zoom != 1.0:
                near = near.resize((max(1, round(near.width * near_zoom)), max(1, round(near.height * near_zoom))),
                                   Image.BILINEAR)
            shift = PARALLAX_NEAR_FRACTION * w * (1 - 2 * k)  # right of centre at the start, left at the end
            frame.paste(near, (round((w - near.width) / 2 + shift), round((h - near.height) / 2)), near)
        if self.fixed is not None:
            label, at = self.fixed
            frame.paste(label, at, label)
        return frame


def cover_box(src_w: float, src_h: float, out_w: int, out_h: int, focus: tuple[float, float],
              zoom: float = 1.0, offset: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float, float, float]:
    """The crop box in source pixels that fills out_w x out_h, centred near ``focus``, kept inside."""
    scale = max(out_w / src_w, out_h / src_h) * zoom
    box_w, box_h = out_w / scale, out_h / scale
    cx = focus[0] * src_w + offset[0] * box_w
    cy = focus[1] * src_h + offset[1] * box_h
    left = min(max(cx - box_w / 2, 0.0), src_w - box_w)
    top = min(max(cy - box_h / 2, 0.0), src_h - box_h)
    return (left, top, left + box_w, top + box_h)


def steady_window(move: CameraMove, size: tuple[int, int],
                  focus: tuple[float, float] = (0.5, 0.5)) -> tuple[float, float, float, float]:
    """The part of a frame-sized picture that stays in view through the whole camera ``move`` (cover fit), as
    (left, top, right, bottom) pixels: what is drawn inside it is never cut off by the move. Each move changes
    either the zoom or the offset, linearly, so its crop windows at the start and the end bound all the others."""
    m = _move_path(move)
    w, h = size
    boxes = [cover_box(w, h, w, h, focus, zoom, (dx, dy))
             for zoom, dx, dy in ((m.zoom_from, m.dx_from, m.dy_from), (m.zoom_to, m.dx_to, m.dy_to))]
    return (max(b[0] for b in boxes), max(b[1] for b in boxes), min(b[2] for b in boxes), min(b[3] for b in boxes))


def blurred_fill(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A blurred, darkened cover-fit of ``image``: blur on a tiny copy, then upscale (cheap and smooth)."""
    small_w = max(8, size[0] // FILL_DIVISOR)
    small_h = max(8, size[1] // FILL_DIVISOR)
    box = cover_box(image.width, image.height, small_w, small_h, (0.5, 0.5))
    small = image.resize((small_w, small_h), Image.BILINEAR, box=box, reducing_gap=2.0)
    small = small.filter(ImageFilter.GaussianBlur(radius=2.5))
    fill = small.resize(size, Image.BILINEAR)
    return ImageEnhance.Brightness(fill).enhance(FILL_BRIGHTNESS)


class ImageShotFrames:
    """A still image with an eased camera move over the shot's whole span."""

    def __init__(self, image: Image.Image, shot: Shot, index: int, size: tuple[int, int], span_ms: int,
                 prepare: Callable[[Image.Image], Image.Image] | None = None):
        """``prepare``: effects applied once to the (shrunk) picture before any frame, e.g. a colour look."""
        self.size = size
        self.span_ms = max(span_ms, 1)
        self.fit = shot.fit
        self.focus = (shot.focus_x, shot.focus_y)
        self.move = _move_path(resolve_camera_move(shot.camera_move, index))
        out_w, out_h = size
        if self.fit is Fit.COVER:
            # Pre-shrink big photos once so the per-frame resample reads ~1.2x the output, not 12 MP.
            max_zoom = max(self.move.zoom_from, self.move.zoom_to)
            need = max(out_w / image.width, out_h / image.height) * max_zoom * 1.2
            if need < 1.0:
                image = image.resize((max(1, round(image.width * need)), max(1, round(image.height * need))),
                                     Image.LANCZOS, reducing_gap=3.0)
            self.image = prepare(image.convert("RGB")) if prepare else image
            self.background = None
        else:
            fit_scale = min(out_w / image.width, out_h / image.height)
            self.fg_size = (max(1, round(image.width * fit_scale)), max(1, round(image.height * fit_scale)))
            need = fit_scale * 1.1
            if need < 1.0:
                image = image.resize((max(1, round(image.width * need)), max(1, round(image.height * need))),
                                     Image.LANCZOS, reducing_gap=3.0)
            self.image = prepare(image.convert("RGB")) if prepare else image
            self.background = blurred_fill(self.image, size)

    def frame(self, t_ms: float) -> Image.Image:
        k = ease_in_out(t_ms / self.span_ms)
        m = self.move
        zoom = m.zoom_from + (m.zoom_to - m.zoom_from) * k
        dx = m.dx_from + (m.dx_to - m.dx_from) * k
        dy = m.dy_from + (m.dy_to - m.dy_from) * k
        if self.fit is Fit.COVER:
            box = cover_box(self.image.width, self.image.height, *self.size, self.focus, zoom, (dx, dy))
            return self.image.resize(self.size, Image.BILINEAR, box=box)
        # Contain: the whole picture stays visible; the move is a slow zoom of the picture itself.
        gentle = 1.0 + (zoom - 1.0) * 0.4
        w, h = (max(1, round(self.fg_size[0] * gentle)), max(1, round(self.fg_size[1] * gentle)))
        fg = self.image.resize((w, h), Image.BILINEAR)
        frame = self.background.copy()
        frame.paste(fg, ((self.size[0] - w) // 2, (self.size[1] - h) // 2))
        return frame


class VideoShotFrames:
    """A clip, fitted to the frame by ffmpeg (see studio.compose.clips), frame by frame in time order."""

    def __init__(self, ffmpeg: str, info: MediaInfo, shot: Shot, size: tuple[int, int], fps: int, span_ms: int):
        self.size = size
        self.decoder = ClipDecoder(ffmpeg, info, fit=shot.fit, focus=(shot.focus_x, shot.focus_y), size=size,
                                   fps=fps, start_ms=shot.clip_start_ms, max_ms=span_ms)

    def frame(self, t_ms: float) -> Image.Image:
        return Image.frombytes("RGB", self.size, self.decoder.frame_bytes_at(t_ms))

    def close(self) -> None:
        self.decoder.close()


class SeekingVideoFrames:
    """A clip at any source times (a shot with time effects): ``frame(src_ms)`` from the shot's clip start."""

    def __init__(self, ffmpeg: str, info: MediaInfo, shot: Shot, size: tuple[int, int], fps: int, speed: float):
        self.size = size
        self.reader = ClipReader(ffmpeg, info, fit=shot.fit, focus=(shot.focus_x, shot.focus_y), size=size, fps=fps,
                                 start_ms=shot.clip_start_ms, speed=speed)

    def frame(self, src_ms: float) -> Image.Image:
        return Image.frombytes("RGB", self.size, self.reader.frame_bytes(src_ms))

    def close(self) -> None:
        self.reader.close()


def open_shot_frames(info: MediaInfo, shot: Shot, index: int, size: tuple[int, int], fps: int, span_ms: int,
                     settings: Settings, effects: ShotEffects | None = None):
    """The frame source of one shot: its picture or clip, and its effects when it has any."""
    if effects is None:
        if info.kind is MediaKind.IMAGE:
            return ImageShotFrames(load_image(Path(info.path), settings), shot, index, size, span_ms)
        return VideoShotFrames(settings.ffmpeg_exe(), info, shot, size, fps, span_ms)
    if info.kind is MediaKind.IMAGE:
        source = ImageShotFrames(load_image(Path(info.path), settings), shot, index, size, span_ms,
                                 prepare=effects.prepare_still if effects.once else None)
    elif effects.needs_seeking:
        source = SeekingVideoFrames(settings.ffmpeg_exe(), info, shot, size, fps, effects.timemap.speed)
    else:
        source = VideoShotFrames(settings.ffmpeg_exe(), info, shot, size, fps, span_ms)
    return EffectFrames(source, effects, size, fps)
