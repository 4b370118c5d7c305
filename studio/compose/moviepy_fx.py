"""The escape hatch: any moviepy.video.fx effect the studio has no kernel for, applied by MoviePy itself.

The shot's frames up to that effect become a MoviePy ``VideoClip`` (its frame function pulls them from the
studio's own chain, at whatever times the effect asks for: ``AccelDecel`` and ``Loop`` move through time, the
clip reader seeks), MoviePy applies the effect with ``with_effects``, and each frame comes back as a picture of the
output size (an effect that changes the size, ``Crop``, ``Margin``, ``Rotate``, is fitted back to cover the frame).
It is the slow path (MoviePy's numpy at full resolution, and often a second frame for each one), so a render that
uses it says so in its warnings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageOps

from studio.errors import ProjectValidationError
from studio.project.effects import MoviePyFx


def _as_picture(frame: np.ndarray, size: tuple[int, int]) -> Image.Image:
    frame = np.asarray(frame)
    if frame.dtype != np.uint8:
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    if frame.ndim == 2:
        frame = np.stack([frame] * 3, axis=-1)
    image = Image.fromarray(np.ascontiguousarray(frame[..., :3]))
    if image.size != size:
        image = ImageOps.fit(image, size, method=Image.Resampling.BILINEAR)
    return image


class MoviePyStage:
    """One MoviePy effect over the pictures ``upstream(t_ms)`` gives, for a stage ``duration_ms`` long."""

    def __init__(self, effect: MoviePyFx, upstream: Callable[[float], Image.Image], duration_ms: float,
                 size: tuple[int, int], fps: int, where: str = "a shot"):
        from moviepy import VideoClip

        self.effect = effect
        self.size = size
        self.where = where
        clip = VideoClip(frame_function=lambda t: np.asarray(upstream(t * 1000)), duration=duration_ms / 1000)
        clip = clip.with_fps(fps)
        try:
            self.clip = clip.with_effects([effect.moviepy_effect()])
        except Exception as err:  # MoviePy's own checks, in its words
            raise ProjectValidationError(f"{where}: MoviePy's {effect.effect} cannot be applied ({err})") from None

    def frame(self, t_ms: float) -> Image.Image:
        t = t_ms / 1000
        if self.clip.duration:
            t = min(t, max(0.0, self.clip.duration - 1e-6))
        try:
            frame = self.clip.get_frame(t)
        except Exception as err:
            raise ProjectValidationError(f"{self.where}: MoviePy's {self.effect.effect} failed at {t:.2f} s "
                                         f"({type(err).__name__}: {err})") from None
        return _as_picture(frame, self.size)

    def close(self) -> None:
        self.clip.close()
