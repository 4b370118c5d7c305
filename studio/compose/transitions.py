"""Transitions between two overlapping shots: the frame at progress ``k`` (0 at the overlap's start, 1 at its end).

The timeline overlaps the two shots for every transition but a cut and a fade through black
(``Transition.overlaps``), so each one here has both pictures to work with:

- ``crossfade``: a blend, MoviePy's ``CrossFadeIn`` over the outgoing shot;
- ``slide_left/right/up/down``: the new shot slides in over the old one from the opposite edge, linearly, exactly as
  MoviePy's ``SlideIn`` places it (``slide_left`` is ``SlideIn(d, "right")``: it arrives from the right, moving left);
- ``zoom_in``: both pictures rush towards the viewer while crossfading (the old one grows from 1x, the new one
  settles from ``ZOOM`` to 1x); ``zoom_out``: the old picture shrinks away and fades over the new one, which
  settles from ``ZOOM`` to 1x;
- ``whip_left/right``: a push (both pictures move together, fastest in the middle) with a horizontal motion blur as
  strong as the movement is fast;
- ``flash``: to white over the first half, from white over the second.

The moving ones are eased (``ease_in_out``) except the slides, which keep MoviePy's linear motion.
"""

from __future__ import annotations

import math

from PIL import Image

from studio.project.model import Transition

ZOOM = 1.35  # how far a zoom transition magnifies
WHIP_BLUR = 0.06  # the strongest motion blur of a whip, as a fraction of the frame width


def ease(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * x)


def zoomed(image: Image.Image, factor: float) -> Image.Image:
    """The picture magnified ``factor`` times about its centre (factor >= 1), same size."""
    if factor <= 1.0001:
        return image
    w, h = image.size
    cw, ch = w / factor, h / factor
    box = ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)
    return image.resize(image.size, Image.Resampling.BILINEAR, box=box)


def slide_offset(kind: Transition, size: tuple[int, int], k: float) -> tuple[int, int]:
    """Where the incoming picture's top-left corner is at progress ``k``: MoviePy's SlideIn positions."""
    w, h = size
    return {
        Transition.SLIDE_LEFT: (int(max(0, w * (1 - k))), 0),  # SlideIn(side="right")
        Transition.SLIDE_RIGHT: (int(min(0, w * (k - 1))), 0),  # SlideIn(side="left")
        Transition.SLIDE_UP: (0, int(max(0, h * (1 - k)))),  # SlideIn(side="bottom")
        Transition.SLIDE_DOWN: (0, int(min(0, h * (k - 1)))),  # SlideIn(side="top")
    }[kind]


def _towards_white(image: Image.Image, k: float) -> Image.Image:
    """``k`` of the way from the picture to white: one lookup table, no second picture."""
    return image.point([round(i + (255 - i) * k) for i in range(256)] * 3)


def _motion_blur(image: Image.Image, pixels: int) -> Image.Image:
    """A horizontal blur about ``pixels`` wide: a box average across, then stretched back (cheap, and a whip's blur
    has no vertical detail to lose)."""
    if pixels < 2:
        return image
    return image.reduce((pixels, 1)).resize(image.size, Image.Resampling.BILINEAR)


def _whip(outgoing: Image.Image, incoming: Image.Image, k: float, to_left: bool) -> Image.Image:
    w, h = outgoing.size
    shift = round(w * ease(k))
    frame = Image.new("RGB", (w, h))
    if to_left:
        frame.paste(outgoing, (-shift, 0))
        frame.paste(incoming, (w - shift, 0))
    else:
        frame.paste(outgoing, (shift, 0))
        frame.paste(incoming, (shift - w, 0))
    return _motion_blur(frame, round(WHIP_BLUR * w * math.sin(math.pi * min(max(k, 0.0), 1.0))))


def _zoom_out(outgoing: Image.Image, incoming: Image.Image, k: float) -> Image.Image:
    frame = zoomed(incoming, ZOOM - (ZOOM - 1) * ease(k)).copy()
    scale = 1 - (1 - 1 / ZOOM) * ease(k)
    w, h = frame.size
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    small = outgoing.resize((sw, sh), Image.Resampling.BILINEAR) if (sw, sh) != (w, h) else outgoing
    at = ((w - sw) // 2, (h - sh) // 2)
    region = frame.crop((at[0], at[1], at[0] + sw, at[1] + sh))
    frame.paste(Image.blend(region, small, 1 - k), at)
    return frame


def compose(kind: Transition, outgoing: Image.Image, incoming: Image.Image, k: float) -> Image.Image:
    """The frame at progress ``k`` of a transition from ``outgoing`` to ``incoming`` (same size, RGB)."""
    k = min(max(k, 0.0), 1.0)
    if kind is Transition.CROSSFADE:
        return Image.blend(outgoing, incoming, k)
    if kind in (Transition.SLIDE_LEFT, Transition.SLIDE_RIGHT, Transition.SLIDE_UP, Transition.SLIDE_DOWN):
        offset = slide_offset(kind, outgoing.size, k)
        if offset == (0, 0):
            return incoming
        frame = outgoing.copy()
        frame.paste(incoming, offset)
        return frame
    if kind is Transition.ZOOM_IN:
        e = ease(k)
        return Image.blend(zoomed(outgoing, 1 + (ZOOM - 1) * e), zoomed(incoming, ZOOM - (ZOOM - 1) * e), k)
    if kind is Transition.ZOOM_OUT:
        return _zoom_out(outgoing, incoming, k)
    if kind in (Transition.WHIP_LEFT, Transition.WHIP_RIGHT):
        return _whip(outgoing, incoming, k, kind is Transition.WHIP_LEFT)
    if kind is Transition.FLASH:
        return _towards_white(outgoing, 2 * k) if k < 0.5 else _towards_white(incoming, 2 - 2 * k)
    raise ValueError(f"{kind.value} is not a transition between two overlapping shots")
