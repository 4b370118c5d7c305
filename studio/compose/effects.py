"""Effects applied in the frame path: Pillow/numpy kernels for the values of ``studio.project.effects``.

Each kernel does what its ``moviepy.video.fx`` namesake does to a frame (tests/test_effects.py renders frames through
both and compares them) at a fraction of the cost: colour effects are one lookup table (``Image.point``) or one
matrix conversion, mirrors a transpose, fades a blend; only ``Painting`` runs Pillow's two 3x3 filters, as MoviePy's
does. How a shot's chain runs (``ShotEffects``):

- the clip-wide list first (looks and colour effects), then the shot's own, in order, each at its own stage time
  (a time effect changes the time every effect before it sees, as ``clip.with_effects([...])`` does);
- on a still picture, colour effects and ``Painting`` are applied once to the picture before the camera move, not
  to every frame (the move then travels over the graded picture); a clip gets them per frame;
- ``CrossFadeIn``/``CrossFadeOut``/``SlideIn``/``SlideOut`` set how the shot lies over what is under it (the
  outgoing shot during a transition, else black), which the compositor composes (``over``);
- any other moviepy.video.fx effect (``MoviePyFx``) runs through MoviePy itself on this shot's frames: the slow
  path, reported as such in the render's warnings.

A shot without effects never reaches this module: the compositor's frame loop stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from studio.compose.looks import look_filter
from studio.errors import MediaError, ProjectError
from studio.media import MediaInfo, MediaKind
from studio.project.effects import (
    BlackAndWhite,
    CrossFadeIn,
    CrossFadeOut,
    Effect,
    FadeIn,
    FadeOut,
    GammaCorrection,
    InvertColors,
    Kind,
    Look,
    LumContrast,
    MirrorX,
    MirrorY,
    MoviePyFx,
    MultiplyColor,
    Painting,
    SlideIn,
    SlideOut,
)
from studio.project.model import Project
from studio.project.timeline import Timeline
from studio.project.timemap import TimeMap, build_timemap

Kernel = Callable[[Image.Image], Image.Image]
CRT_PHOSPHOR = (0.2125, 0.7154, 0.0721)


# -- picture kernels: the same image in, the effect's image out ----------------------------------------------

def _table(values: Callable[[int], float]) -> list[int]:
    """A 256-entry point table, truncated to 8 bits as MoviePy's ``astype("uint8")`` does after clipping."""
    return [int(min(255.0, max(0.0, values(i)))) for i in range(256)] * 3


def black_and_white(effect: BlackAndWhite) -> Kernel:
    weights = (1, 1, 1) if effect.RGB is None else CRT_PHOSPHOR if effect.RGB == "CRT_phosphor" else effect.RGB
    total = sum(weights) if effect.preserve_luminosity else 1
    r, g, b = (w / total for w in weights)
    matrix = (r, g, b, -0.5)  # Pillow rounds a matrix conversion; -0.5 makes it truncate, like MoviePy's uint8 cast

    def apply(image: Image.Image) -> Image.Image:
        return image.convert("L", matrix).convert("RGB")

    return apply


def point_kernel(table: list[int]) -> Kernel:
    return lambda image: image.point(table)


def picture_kernel(effect: Effect, root: Path | None) -> Kernel:
    """The per-frame kernel of a picture or shape effect."""
    if isinstance(effect, BlackAndWhite):
        return black_and_white(effect)
    if isinstance(effect, GammaCorrection):
        return point_kernel(_table(lambda i: 255 * (i / 255) ** effect.gamma))
    if isinstance(effect, LumContrast):
        lum, contrast, threshold = effect.lum, effect.contrast, float(effect.contrast_threshold)
        return point_kernel(_table(lambda i: i + lum + contrast * (i - threshold)))
    if isinstance(effect, MultiplyColor):
        return point_kernel(_table(lambda i: effect.factor * i))
    if isinstance(effect, InvertColors):
        return point_kernel(_table(lambda i: 255 - i))
    if isinstance(effect, MirrorX):
        return lambda image: image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if isinstance(effect, MirrorY):
        return lambda image: image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    if isinstance(effect, Painting):
        return lambda image: painting(image, effect.saturation, effect.black)
    if isinstance(effect, Look):
        return look_filter(effect, root)
    raise AssertionError(f"{effect.name} is not a picture effect")


def painting(image: Image.Image, saturation: float, black: float) -> Image.Image:
    """MoviePy's ``Painting``: edges enhanced, colours pushed by ``saturation``, dark lines where edges are."""
    enhanced = image.filter(ImageFilter.EDGE_ENHANCE_MORE)
    edges = np.asarray(enhanced.convert("L").filter(ImageFilter.FIND_EDGES), dtype=np.float32)
    out = np.asarray(enhanced, dtype=np.float32) * np.float32(saturation)
    out -= (np.float32(black * 255) * edges)[..., None]
    np.clip(out, 0, 255, out=out)
    return Image.fromarray(out.astype(np.uint8))


# -- fades and layers: kernels that depend on the stage's time -------------------------------------------------

def towards(image: Image.Image, color: tuple[float, float, float] | None, k: float) -> Image.Image:
    """``k`` of the picture and ``1 - k`` of a solid colour, truncated as MoviePy's ``astype("uint8")`` does: one
    lookup table per channel (a blend with a solid colour needs no second picture)."""
    color = color or (0, 0, 0)
    table = [int(k * i + (1 - k) * c) for c in color for i in range(256)]
    return image.point(table)


def dim(image: Image.Image, k: float) -> Image.Image:
    """``Image.blend(black, image, k)``, pixel for pixel (Pillow blends in single precision and truncates; so does
    this table), as one lookup table instead of a second picture: the fade through black, several times faster."""
    table = (np.float32(k) * np.arange(256, dtype=np.float32)).astype(np.int32).tolist()
    return image.point(table * 3)


def fade(effect: FadeIn | FadeOut, image: Image.Image, t_ms: float, duration_ms: float) -> Image.Image:
    """FadeIn: from ``initial_color`` over the first ``duration`` seconds; FadeOut: to ``final_color`` at the end."""
    length = effect.duration * 1000
    if isinstance(effect, FadeIn):
        if t_ms >= length:
            return image
        k, color = t_ms / length, effect.initial_color
    else:
        if duration_ms - t_ms >= length:
            return image
        k, color = max(0.0, (duration_ms - t_ms) / length), effect.final_color
    return towards(image, color, k)


@dataclass(frozen=True)
class Placement:
    """Where a shot lies over what is under it: an offset in pixels and an opacity (MoviePy's mask, 0..255)."""

    dx: int = 0
    dy: int = 0
    alpha: int = 255

    @property
    def plain(self) -> bool:
        return self.dx == 0 and self.dy == 0 and self.alpha == 255


def place(effect: Effect, placement: Placement, size: tuple[int, int], t_ms: float, duration_ms: float) -> Placement:
    """One layer effect's share of the placement at stage time ``t_ms`` (MoviePy's positions and mask values,
    computed in seconds as MoviePy does, so a position truncates to the same pixel)."""
    w, h = size
    t, d, duration = t_ms / 1000, effect.duration, duration_ms / 1000
    if isinstance(effect, CrossFadeIn | CrossFadeOut):
        k = min(1.0, t / d) if isinstance(effect, CrossFadeIn) else min(1.0, max(0.0, (duration - t) / d))
        return Placement(placement.dx, placement.dy, placement.alpha * int(255 * k) // 255)
    if isinstance(effect, SlideIn):
        x, y = {"left": (min(0, w * (t / d - 1)), 0), "right": (max(0, w * (1 - t / d)), 0),
                "top": (0, min(0, h * (t / d - 1))), "bottom": (0, max(0, h * (1 - t / d)))}[effect.side]
    else:
        assert isinstance(effect, SlideOut)
        s = (t - (duration - d)) / d
        x, y = {"left": (min(0, -w * s), 0), "right": (max(0, w * s), 0),
                "top": (0, min(0, -h * s)), "bottom": (0, max(0, h * s))}[effect.side]
    return Placement(placement.dx + int(x), placement.dy + int(y), placement.alpha)


def over(below: Image.Image, image: Image.Image, placement: Placement) -> Image.Image:
    """``image`` placed over ``below``: shifted, and blended by its opacity (MoviePy's CompositeVideoClip)."""
    if placement.plain:
        return image
    placed = below.copy()
    placed.paste(image, (placement.dx, placement.dy))
    if placement.alpha >= 255:
        return placed
    return Image.blend(below, placed, placement.alpha / 255)


# -- a shot's chain ------------------------------------------------------------------------------------------------

@dataclass
class ShotEffects:
    """One shot's effects, checked and ready: the clip-wide list then the shot's own, its time map, its kernels."""

    effects: tuple[Effect, ...]
    timemap: TimeMap
    kernels: dict[int, Kernel]  # effect index -> kernel (picture and shape effects)
    still: bool  # the shot is a still picture
    where: str = "a shot"  # "shot 3", for messages
    once: frozenset[int] = frozenset()  # effects applied once to the still picture
    notes: list[str] = field(default_factory=list)

    @property
    def needs_seeking(self) -> bool:
        """A clip read at source times other than its own order (speed, reverse, freeze, or MoviePy's effects)."""
        return not self.timemap.identity or any(e.KIND is Kind.MOVIEPY for e in self.effects)

    @property
    def layered(self) -> bool:
        return any(e.KIND is Kind.LAYER for e in self.effects)

    def prepare_still(self, image: Image.Image) -> Image.Image:
        """The still picture with the effects that are applied to it once."""
        for index in sorted(self.once):
            image = self.kernels[index](image)
        return image

    def placement(self, size: tuple[int, int], t_ms: float) -> Placement:
        placement = Placement()
        for index, effect in enumerate(self.effects):
            if effect.KIND is Kind.LAYER:
                stage = index + 1
                placement = place(effect, placement, size, self.timemap.stage_time(stage, t_ms),
                                  self.timemap.durations[stage])
        return placement


def shot_effects(clip_wide: tuple[Effect, ...], own: tuple[Effect, ...], *, span_ms: int, fps: int,
                 clip_ms: int | None, clip_start_ms: int, root: Path | None, where: str) -> ShotEffects | None:
    """The chain of one shot, every part checked (time map, look files); None when it has no effects."""
    effects = clip_wide + own
    if not effects:
        return None
    still = clip_ms is None
    available = span_ms if still else max(0, clip_ms - clip_start_ms)
    timemap = build_timemap(effects, span_ms, fps, available_ms=available, is_clip=not still, where=where)
    kernels: dict[int, Kernel] = {}
    once: set[int] = set()
    ordered = True  # no fade, layer or MoviePy effect yet: picture effects still commute with what came before
    notes = []
    for index, effect in enumerate(effects):
        if effect.KIND in (Kind.PICTURE, Kind.SHAPE):
            try:
                kernels[index] = picture_kernel(effect, root)
            except (MediaError, ProjectError) as err:  # a look file that is missing, huge or not a LUT
                raise type(err)(f"{where}: {err}") from None
            if still and ordered and effect.ONCE_ON_STILLS:
                once.add(index)
        elif effect.KIND in (Kind.FADE, Kind.LAYER, Kind.MOVIEPY):
            ordered = False
        if isinstance(effect, MoviePyFx):
            notes.append(f"{where} uses MoviePy's {effect.effect}, which runs through MoviePy itself (the slow path: "
                         "this shot renders several times slower)")
    return ShotEffects(effects, timemap, kernels, still, where, frozenset(once), notes)


def project_effects(project: Project, timeline: Timeline, media: dict[int, MediaInfo], fps: int,
                    root: Path | None) -> dict[int, ShotEffects]:
    """Every shot's effects (the clip-wide ones first), checked against its span and media before a frame is drawn:
    time effects against the footage there is, looks parsed. Shots without effects are not in the result."""
    checked = {}
    for span in timeline.spans:
        info = media[span.index]
        chain = shot_effects(project.effects, span.shot.effects, span_ms=span.duration_ms, fps=fps,
                             clip_ms=info.duration_ms if info.kind is MediaKind.VIDEO else None,
                             clip_start_ms=span.shot.clip_start_ms, root=root, where=f"shot {span.index + 1}")
        if chain is not None:
            checked[span.index] = chain
    return checked


def effect_notes(effects: dict[int, ShotEffects]) -> tuple[str, ...]:
    """What the user should know about the effects before posting: which shots took MoviePy's slow path."""
    return tuple(note for index in sorted(effects) for note in effects[index].notes)


class EffectFrames:
    """A shot's frame source with its effects: ``frame(t_ms)`` in shot time, like every frame source.

    Each stage is computed from the one before at that stage's own time (``stage_time``), so a speed change or a
    reverse moves the source and the fades before it together, exactly as MoviePy nests them.
    """

    def __init__(self, source, chain: ShotEffects, size: tuple[int, int], fps: int):
        self.source = source
        self.chain = chain
        self.size = size
        self.stages = len(chain.effects)
        self.moviepy: dict[int, object] = {}
        for index, effect in enumerate(chain.effects):
            if isinstance(effect, MoviePyFx):
                from studio.compose.moviepy_fx import MoviePyStage

                self.moviepy[index] = MoviePyStage(effect, lambda t, k=index: self._stage(k, t),
                                                   chain.timemap.durations[index], size, fps, chain.where)

    def frame(self, t_ms: float) -> Image.Image:
        return self._stage(self.stages, t_ms)

    def _stage(self, stage: int, t_ms: float) -> Image.Image:
        """The picture after effect ``stage`` (0: the source) at that stage's time ``t_ms``."""
        if stage == 0:
            return self.source.frame(t_ms)
        index = stage - 1
        effect = self.chain.effects[index]
        kind = effect.KIND
        if kind is Kind.TIME:
            return self._stage(index, self.chain.timemap.previous_time(index, t_ms))
        if kind is Kind.MOVIEPY:
            return self.moviepy[index].frame(t_ms)
        image = self._stage(index, t_ms)
        if kind is Kind.FADE:
            return fade(effect, image, t_ms, self.chain.timemap.durations[stage])
        if kind is Kind.LAYER or index in self.chain.once:
            return image
        return self.chain.kernels[index](image)

    def over(self, below: Image.Image, image: Image.Image, t_ms: float) -> Image.Image:
        """The shot's frame composed over what is under it, by its layer effects."""
        return over(below, image, self.chain.placement(self.size, t_ms))

    def close(self) -> None:
        for stage in self.moviepy.values():
            stage.close()
        close = getattr(self.source, "close", None)
        if close is not None:
            close()
