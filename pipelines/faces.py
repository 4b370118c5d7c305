"""Is there a face in this picture? The check behind "a person's reference picture must show a face".

OpenCV's Haar cascades (``cv2.data.haarcascades``): the frontal-face detector, then the profile detector on the
picture and on its mirror image (the profile cascade was trained on faces turned one way only). They are small,
run on the CPU in milliseconds and need no weights from a hub, which suits a check made on every upload. They miss
faces that are very small, steeply turned or heavily stylised, so a miss refuses only an *uploaded* picture of a
person (the user chooses another) and only notes a *drawn* one (the user can redraw).

Licences: OpenCV is Apache-2.0; the cascade files it ships carry the Intel License Agreement for the Open Source
Computer Vision Library, a BSD-style licence (keep its notice when redistributing the files).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

DETECT_MAX_SIDE = 640  # the cascades look for faces from 24 px up: a larger picture only costs time
MIN_FACE_FRACTION = 0.04  # of the picture's shorter side; smaller "faces" are mostly texture the cascade misreads
MIN_NEIGHBOURS = 5  # OpenCV's advice for few false positives; lower finds more faces and more noise
_CASCADES = ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml")


@dataclass(frozen=True)
class Face:
    """A face's box in the picture's own pixels, and which cascade found it."""

    x: int
    y: int
    width: int
    height: int
    view: str  # "frontal" or "profile"


class FaceFinder:
    """The two cascades, read once per instance (each ``detectMultiScale`` call is independent, so one instance
    serves every thread; the lock only guards the first read)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cascades: tuple[Any, ...] | None = None

    def _load(self) -> tuple[Any, ...]:
        import cv2

        with self._lock:
            if self._cascades is None:
                cascades = tuple(cv2.CascadeClassifier(cv2.data.haarcascades + name) for name in _CASCADES)
                if any(c.empty() for c in cascades):  # a broken OpenCV install, not the user's picture
                    raise RuntimeError(f"OpenCV's face cascades are missing from {cv2.data.haarcascades}")
                self._cascades = cascades
            return self._cascades

    def find(self, image: Any) -> list[Face]:
        """Every face found in a PIL picture, frontal ones first."""
        import cv2
        import numpy as np

        frontal, profile = self._load()
        rgb = image.convert("RGB")
        scale = min(1.0, DETECT_MAX_SIDE / max(rgb.size))
        if scale < 1.0:
            rgb = rgb.resize((max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))))
        gray = cv2.equalizeHist(cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2GRAY))
        side = max(24, int(min(gray.shape) * MIN_FACE_FRACTION))
        found: list[Face] = []

        def keep(boxes: Any, view: str, mirrored: bool = False) -> None:
            for x, y, w, h in (boxes if len(boxes) else ()):
                x = gray.shape[1] - x - w if mirrored else x
                found.append(Face(round(x / scale), round(y / scale), round(w / scale), round(h / scale), view))

        kw = dict(scaleFactor=1.1, minNeighbors=MIN_NEIGHBOURS, minSize=(side, side))
        keep(frontal.detectMultiScale(gray, **kw), "frontal")
        keep(profile.detectMultiScale(gray, **kw), "profile")
        keep(profile.detectMultiScale(cv2.flip(gray, 1), **kw), "profile", mirrored=True)
        return found

    def has_face(self, image: Any) -> bool:
        return bool(self.find(image))


__all__ = ["Face", "FaceFinder"]
