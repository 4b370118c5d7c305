"""Still-image motion: the CPU draft/animatic backend, honestly labelled "draft".

It makes no footage. A shot becomes one still picture -- the user's photo, the previous shot's last
frame, or a title card drawn with Pillow from the shot's caption or prompt at the preset's size --
and the compositor animates it with the shot's eased camera move (push in, pull out, pan, tilt;
``studio.frames``), the same code that moves every photo. Rendering the move here as well would
draw every frame twice and encode it once more for nothing. A user clip is kept as it is.

No torch here: this backend runs on any laptop in milliseconds per shot.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pipelines.video_types import Cancel, Progress, VideoRequest, VideoResult, VideoTask

TITLE_MAX_CHARS = 60
DRAFT_TAG = "DRAFT 草稿"


def card_text(prompt: str, caption: str = "") -> str:
    """The words on a title card: the caption, else the prompt's first sentence, shortened."""
    text = (caption or prompt).strip()
    for stop in ("。", "！", "？", ". ", "! ", "? ", "\n"):
        head = text.split(stop)[0]
        if head and len(head) < len(text):
            text = head
    if len(text) > TITLE_MAX_CHARS:
        text = text[: TITLE_MAX_CHARS - 1].rstrip() + "…"
    return text


def _palette(seed_text: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Two colours picked from the text, so every card differs but a card never changes between renders."""
    import colorsys

    digest = hashlib.sha256(seed_text.encode("utf-8")).digest()
    hue = digest[0] / 255
    top = colorsys.hsv_to_rgb(hue, 0.55, 0.55)
    bottom = colorsys.hsv_to_rgb((hue + 0.12) % 1.0, 0.75, 0.18)
    return tuple(round(c * 255) for c in top), tuple(round(c * 255) for c in bottom)  # type: ignore[return-value]


def title_card(text: str, size: tuple[int, int], *, style: Any = None, fonts: Any = None, seed_text: str = ""):
    """A vertical gradient with soft light shapes and the text set like the hook title, centred."""
    from PIL import Image, ImageDraw, ImageFilter

    from studio.captions import render_hook_title, render_label
    from studio.errors import CaptionError
    from studio.project import CaptionStyle

    width, height = size
    top, bottom = _palette(seed_text or text)
    ramp = Image.linear_gradient("L").resize((width, height))
    card = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)
    # Soft shapes give the camera move something to travel over (a flat gradient shows no motion).
    glow = Image.new("L", (max(8, width // 8), max(8, height // 8)), 0)
    draw = ImageDraw.Draw(glow)
    digest = hashlib.sha256((seed_text or text).encode("utf-8")).digest()
    gw, gh = glow.size
    for i in range(6):
        cx, cy, r = digest[3 * i] / 255 * gw, digest[3 * i + 1] / 255 * gh, (0.08 + digest[3 * i + 2] / 255 * 0.2) * gw
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=70)
    glow = glow.filter(ImageFilter.GaussianBlur(gw / 24)).resize(size, Image.BILINEAR)
    card = Image.composite(Image.new("RGB", size, (255, 255, 255)), card, glow)
    if fonts is None:
        from studio.fonts import default_font_book

        fonts = default_font_book(())
    if text:
        style = style or CaptionStyle()
        scale = width / 1080
        try:
            title = render_hook_title(text, style, max_width_px=round(width * 0.84), scale=scale, fonts=fonts).image
        except CaptionError:
            title = render_hook_title(text[:24] + "…", style, max_width_px=round(width * 0.84), scale=scale,
                                      fonts=fonts).image
        card.paste(title, ((width - title.width) // 2, (height - title.height) // 2), title)
    # Say what it is on the picture itself: a storyboard card, not generated footage.
    tag = render_label(DRAFT_TAG, glyph_px=max(4.0, width * 0.025), fonts=fonts).image
    card.paste(tag, (round(width * 0.94) - tag.width, round(height * 0.08)), tag)
    return card


class StillMotionBackend:
    """One still per shot; the compositor's camera move animates it. Draft quality, CPU only."""

    name = "still"
    draft = True
    model = "still-motion"

    def __init__(self, *, style: Any = None, fonts: Any = None):
        self.style = style
        self.fonts = fonts

    def check_inputs(self, request: VideoRequest) -> tuple[VideoRequest, tuple[str, ...]]:
        if request.width <= 0 or request.height <= 0:
            raise ValueError(f"still: size must be positive, got {request.width}x{request.height}")
        if request.task in (VideoTask.EXTEND_FORWARD, VideoTask.EXTEND_BACKWARD):
            raise ValueError("still: a draft cannot extend a shot; make the shot longer instead")
        if request.task is VideoTask.CLIP:
            raise ValueError("still: a draft keeps a user clip as it is; there is nothing to generate")
        if request.task in (VideoTask.IMAGE, VideoTask.BRIDGE) and request.image is None:
            raise ValueError(f"still: a {request.task.value} shot needs its picture (image)")
        return request, ()

    def __call__(self, request: VideoRequest, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> VideoResult:
        request, notes = self.check_inputs(request)
        if request.task is VideoTask.TEXT:
            text = request.title or card_text(request.prompt)
            image = title_card(text, (request.width, request.height), style=self.style, fonts=self.fonts,
                               seed_text=f"{request.prompt}\n{request.seed}")
        else:  # a user photo, the previous shot's last frame, or a bridge that holds on the last frame
            image = request.image.convert("RGB")
        if progress is not None:
            progress(1, 1)
        return VideoResult(frames=[image], fps=0.0, width=image.width, height=image.height, seed=request.seed,
                           backend=self.name, model=self.model, still=True, draft=True, notes=notes)
