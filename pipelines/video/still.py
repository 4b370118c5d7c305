"""Still-image motion: the CPU draft/animatic backend, honestly labelled "draft".

It makes no footage. A shot becomes one still picture -- the user's photo, the previous shot's last
frame, or a title card drawn with Pillow from the shot's caption or prompt at the preset's size --
and the compositor animates it with the shot's eased camera move (push in, pull out, pan, tilt;
``studio.compose.frames``), the same code that moves every photo. Rendering the move here as well would
draw every frame twice and encode it once more for nothing. A user clip is kept as it is.

Parallax is the one move that needs more than a still: depth. A title card has real layers (the
gradient with its glow far, the title near, the DRAFT tag fixed), so a ``parallax`` text shot is
rendered here as a short clip at the preset's size and fps, the layers moved by
``studio.compose.frames.ParallaxFrames``. Why a clip and not a second layer file for the compositor: a shot
has one media path, and everything downstream already understands a clip -- the compositor, the
shot cache, chaining from a shot's last frame, variations, relocation on save, the editor handoff.
A layer file would have to be threaded through all of them for one draft move; the clip costs its
frames once per parallax card (drawn lazily while ffmpeg encodes them, then cached), and only
there: every other move stays a still. The catch, stated: the motion is laid out over the shot's
length at render time, so a shot made longer later holds its (resting) last frame until re-rendered.
A photo or a previous shot's frame has no layers, and inventing a depth map would be a fake: there
``parallax`` is a gentle push-in, and the shot's notes say so.

No torch here: this backend runs on any laptop in milliseconds per shot.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

from pipelines.video.contract import (
    Cancel,
    Progress,
    ShotSpec,
    VideoDefaults,
    VideoOptions,
    VideoRequest,
    VideoResult,
    VideoTask,
    frames_for,
)
from studio.backends import VideoBackendName
from studio.project.model import Language
from studio.project.presets import PlatformPreset
from studio.settings import Settings

TITLE_MAX_CHARS = 60
DRAFT_TAG = "DRAFT 草稿"
TITLE_CENTER_Y = 0.4  # where a card's text sits, as a fraction of the frame's height
TITLE_WIDTH = 0.84  # the widest a card's text may be, as a fraction of the frame's width ...
TITLE_WIDTH_IN_VIEW = 0.92  # ... and of the part the camera move keeps in view
CARD_GLYPH = 0.045  # the slate's character height, as a fraction of the frame's width
PARALLAX = "parallax"
FLAT_PARALLAX_NOTE = ("still: a photo or a frame has no depth layers, so parallax is shown as a gentle push-in "
                      "(only title cards have layers to move)")


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


# A draft card is a storyboard slate: the shot's number, framing and camera move, in the project's language. Not
# its caption (the caption is drawn below it already) and not the model's English prompt.
_FRAMINGS = ((r"extreme close-?up|macro", "特写", "Extreme close-up"), (r"close-?up", "近景", "Close-up"),
             (r"medium|mid-shot|mid shot", "中景", "Medium shot"),
             (r"wide|establishing|aerial|drone|panorama", "远景", "Wide shot"))
_MOVES = {"none": ("固定", "Still"), "push_in": ("推", "Push in"), "pull_out": ("拉", "Pull out"),
          "pan_left": ("左摇", "Pan left"), "pan_right": ("右摇", "Pan right"), "tilt_up": ("上摇", "Tilt up"),
          "tilt_down": ("下摇", "Tilt down"), PARALLAX: ("视差", "Parallax")}


def card_label(index: int, prompt: str, move: str, language: Language) -> str:
    """The slate of a draft card: "镜头 2 · 远景 · 右摇" / "Shot 2 · Wide shot · Pan right"."""
    zh = language is Language.ZH
    parts = [f"镜头 {index + 1}" if zh else f"Shot {index + 1}"]
    framing = next(((z if zh else e) for pattern, z, e in _FRAMINGS if re.search(pattern, prompt, re.IGNORECASE)),
                   None)
    if framing:
        parts.append(framing)
    if move in _MOVES:
        parts.append(_MOVES[move][0 if zh else 1])
    return " · ".join(parts)


def _palette(seed_text: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Two colours picked from the text, so every card differs but a card never changes between renders."""
    import colorsys

    digest = hashlib.sha256(seed_text.encode("utf-8")).digest()
    hue = digest[0] / 255
    top = colorsys.hsv_to_rgb(hue, 0.55, 0.55)
    bottom = colorsys.hsv_to_rgb((hue + 0.12) % 1.0, 0.75, 0.18)
    return tuple(round(c * 255) for c in top), tuple(round(c * 255) for c in bottom)  # type: ignore[return-value]


def title_card(text: str, size: tuple[int, int], *, fonts: Any = None, seed_text: str = "",
               window: tuple[float, float, float, float] | None = None):
    """A vertical gradient with soft light shapes and the text set like the hook title, above the middle; the text
    and the DRAFT tag inside ``window`` (what the shot's camera move keeps in view, ``steady_window``)."""
    background, title, (tag, tag_at) = title_card_layers(text, size, fonts=fonts, seed_text=seed_text, window=window)
    card = background
    if title is not None:
        card.paste(title, ((size[0] - title.width) // 2, (size[1] - title.height) // 2), title)
    card.paste(tag, tag_at, tag)
    return card


def title_card_layers(text: str, size: tuple[int, int], *, fonts: Any = None,
                      seed_text: str = "", window: tuple[float, float, float, float] | None = None,
                      ) -> tuple[Any, Any, tuple[Any, tuple[int, int]]]:
    """A title card's layers: the background (RGB), the title (RGBA, padded below so that centring it puts
    the text at ``TITLE_CENTER_Y``; ``None`` without text) and the DRAFT tag (RGBA) with its position. The text is
    set no wider than what stays in view (``window``, horizontally centred for every move) and the tag inside it."""
    from PIL import Image, ImageDraw, ImageFilter

    from studio.text.captions import render_label

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
        from studio.text.fonts import default_font_book

        fonts = default_font_book(())
    left, top, right, _ = window or (0, 0, width, height)
    text_width = round(min(width * TITLE_WIDTH, (right - left) * TITLE_WIDTH_IN_VIEW))
    title = None
    if text:  # a slate: one line on a pill, sized to fit what the move keeps in view
        glyph = width * CARD_GLYPH
        title = render_label(text, glyph_px=glyph, fonts=fonts).image
        if title.width > text_width:
            title = render_label(text, glyph_px=max(4.0, glyph * text_width / title.width), fonts=fonts).image
    if title is not None:
        # Centring this layer puts the text's middle at TITLE_CENTER_Y of the frame: above the caption band
        # (captions sit in the lower part of the safe zone), so the card never covers its own caption.
        pad = round(height * (1 - 2 * TITLE_CENTER_Y))
        raised = Image.new("RGBA", (title.width, title.height + pad), (0, 0, 0, 0))
        raised.paste(title, (0, 0))
        title = raised
    # Say what it is on the picture itself: a storyboard card, not generated footage.
    tag = render_label(DRAFT_TAG, glyph_px=max(4.0, width * 0.025), fonts=fonts).image
    tag_at = (round(min(width * 0.94, right - width * 0.02)) - tag.width,
              round(max(height * 0.08, top + height * 0.02)))
    return card, title, (tag, tag_at)


class ParallaxClip(Sequence):
    """A parallax title card's frames, drawn when asked for: ffmpeg encodes them one by one, so a long shot
    never sits in memory. Iterating reports progress per frame and stops on cancel."""

    def __init__(self, layers: Any, count: int, fps: float, progress: Progress | None = None,
                 cancel: Cancel | None = None):
        self.layers, self.count, self.fps = layers, count, fps
        self.progress, self.cancel = progress, cancel

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Any:  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError(index)
        return self.layers.frame(index * 1000 / self.fps)

    def __iter__(self) -> Iterator[Any]:
        from studio.errors import RenderCancelled

        for index in range(self.count):
            if self.cancel is not None and self.cancel():
                raise RenderCancelled("generation was cancelled; finished shots are kept in the shot cache")
            yield self[index]
            if self.progress is not None:
                self.progress(index + 1, self.count)


class StillMotionBackend:
    """One still per shot; the compositor's camera move animates it. A parallax title card is the exception:
    a short clip of its moving layers (see the module docstring). Draft quality, CPU only."""

    name = VideoBackendName.STILL
    draft = True
    model = "still-motion"
    tasks = frozenset({VideoTask.TEXT, VideoTask.IMAGE, VideoTask.BRIDGE})  # a user clip is shown as it is

    def __init__(self, *, fonts: Any = None):
        self.fonts = fonts

    @classmethod
    def from_options(cls, options: VideoOptions, settings: Settings, pipelines: Any = None) -> StillMotionBackend:
        return cls()

    def defaults(self, preset: PlatformPreset) -> VideoDefaults:
        return VideoDefaults(width=preset.width, height=preset.height, fps=0.0, steps=1)

    def cache_identity(self) -> dict[str, Any]:
        return {"backend": self.name.value}

    def prepare(self, request: VideoRequest, shot: ShotSpec) -> tuple[VideoRequest, dict[str, Any]]:
        """A still with the shot's camera move (the compositor animates it); a text shot's title card carries the
        shot's own words, and a parallax card is the one move drawn here, as a clip at the preset's frame rate."""
        from studio.compose.frames import resolve_camera_move

        move = resolve_camera_move(shot.camera_move, shot.index).value
        request = request.with_(camera_move=move, fps=0.0, num_frames=1)
        if shot.ends_on_next and request.task is VideoTask.BRIDGE:
            # No last frame in a still: the keyframe shot as it was (same request, same cache key); the caller
            # tells the user, since the task it asked for is not the one that comes back.
            request = request.with_(task=VideoTask.IMAGE)
        if request.task is not VideoTask.TEXT:
            return request, {}
        request = request.with_(title=card_label(shot.index, shot.visual_prompt, move, shot.language))
        if move != PARALLAX:
            return request, {}
        return request.with_(fps=shot.clip_fps, num_frames=frames_for(shot.duration_ms, shot.clip_fps)), \
            {"move": PARALLAX}

    def uses_references(self, request: VideoRequest) -> bool:
        return False  # a draft shows the keyframe (drawn with the references already) or a card

    def check_inputs(self, request: VideoRequest) -> tuple[VideoRequest, tuple[str, ...]]:
        if request.width <= 0 or request.height <= 0:
            raise ValueError(f"still: size must be positive, got {request.width}x{request.height}")
        if request.task in (VideoTask.EXTEND_FORWARD, VideoTask.EXTEND_BACKWARD):
            raise ValueError("still: a draft cannot extend a shot; make the shot longer instead")
        if request.task is VideoTask.CLIP:
            raise ValueError("still: a draft keeps a user clip as it is; there is nothing to generate")
        if request.task in (VideoTask.IMAGE, VideoTask.BRIDGE) and request.image is None:
            raise ValueError(f"still: a {request.task.value} shot needs its picture (image)")
        if request.camera_move != PARALLAX:
            return request, ()
        if request.task is not VideoTask.TEXT:
            return request, (FLAT_PARALLAX_NOTE,)
        if request.fps <= 0 or request.num_frames < 2:
            raise ValueError(f"still: a parallax title card is a clip; it needs fps > 0 and at least 2 frames, "
                             f"got fps={request.fps!r}, num_frames={request.num_frames!r}")
        return request, ()

    def __call__(self, request: VideoRequest, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> VideoResult:
        request, notes = self.check_inputs(request)
        size = (request.width, request.height)
        if request.task is VideoTask.TEXT and request.camera_move == PARALLAX:
            from studio.compose.frames import ParallaxFrames

            far, near, tag = title_card_layers(request.title or card_text(request.prompt), size,
                                               fonts=self.fonts, seed_text=f"{request.prompt}\n{request.seed}")
            span_ms = (request.num_frames - 1) * 1000 / request.fps  # the last frame is the move at rest
            frames = ParallaxClip(ParallaxFrames(far, near, size, span_ms, fixed=tag), request.num_frames,
                                  request.fps, progress, cancel)
            return VideoResult(frames=frames, fps=request.fps, width=size[0], height=size[1],  # type: ignore[arg-type]
                               seed=request.seed, backend=self.name, model=self.model, draft=True, notes=notes)
        if request.task is VideoTask.TEXT:
            from studio.compose.frames import steady_window
            from studio.project.model import CameraMove

            text = request.title or card_text(request.prompt)
            image = title_card(text, size, fonts=self.fonts,
                               seed_text=f"{request.prompt}\n{request.seed}",
                               window=steady_window(CameraMove(request.camera_move), size))
        else:  # a user photo, the previous shot's last frame, or a bridge that holds on the last frame
            image = request.image.convert("RGB")
        if progress is not None:
            progress(1, 1)
        return VideoResult(frames=[image], fps=0.0, width=image.width, height=image.height, seed=request.seed,
                           backend=self.name, model=self.model, still=True, draft=True, notes=notes)
