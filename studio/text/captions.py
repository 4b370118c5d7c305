"""Caption drawing: text in, a tightly cropped RGBA image out, for the compositor to paste.

The pipeline for one caption: pick the style's size (shrinking in steps when the text needs more
than ``max_lines``), break the text into lines by pixel width (``studio.text.layout``), order each
line's runs for bidi, then paint layers back to front: box, shadow, stroke, fill (with the
karaoke highlight recoloured in place), colour emoji. Strokes are painted for every line before
any fill so neighbouring lines never cover each other's letters, and emoji go last so no outline
is drawn over them.

Word highlight states of one caption must not wobble: the highlight only recolours glyphs that
were laid out exactly as in the plain state, never re-shapes the text.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from studio.errors import CaptionError
from studio.project.model import CaptionStyle
from studio.text.fonts import EMOJI_BITMAP_PX, FontBook, FontFace
from studio.text.layout import Cluster, Line, MissingGlyphs, Run, break_lines, clusters_for, logical_runs, visual_runs

SHRINK_STEPS = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75)
"""Font-size factors tried in order when a caption needs more lines than its style allows."""

HOOK_SIZE_FACTOR = 1.5
HOOK_MAX_LINES = 3
EMOJI_EM = 1.1
"""Height of an emoji's bitmap box in ems: its ink then matches the height of bold Han glyphs."""
LABEL_FONT_FRACTION = 0.62
"""Label font size as a fraction of the pill height (the rest is the pill's margin above and below)."""
LABEL_BACKGROUND: RGBA = (0, 0, 0, 140)
_OVERHANG_EM_PERCENT = 8  # how far ink may stick out past the first/last glyph advance, in % of an em
_ALPHA_CUTOFF = 4  # alpha at or below this (under 2 %) is blur tail, not ink, when cropping

RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class RenderedText:
    """A rendered caption: the cropped image, the lines as laid out, and the font size used."""

    image: Image.Image
    lines: tuple[str, ...]
    font_px: int


def _rgba(value: str) -> RGBA:
    value = value.lstrip("#")
    alpha = int(value[6:8], 16) if len(value) == 8 else 255
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha


@dataclass(frozen=True)
class _Look:
    """A style resolved to pixels at one font size (every length already scaled)."""

    family: str
    bold: bool
    font_px: int
    color: RGBA
    highlight_color: RGBA
    line_spacing: float
    max_lines: int
    stroke_color: RGBA = (0, 0, 0, 255)
    stroke_px: int = 0
    shadow_color: RGBA | None = None
    shadow_offset_px: int = 0
    shadow_blur_px: int = 0
    box_color: RGBA | None = None
    box_padding_px: int = 0
    box_radius_px: int = 0

    def at_size(self, font_px: int) -> _Look:
        """The same look with a smaller font: stroke, shadow and box shrink in proportion."""
        k = font_px / self.font_px
        return replace(
            self,
            font_px=font_px,
            stroke_px=round(self.stroke_px * k),
            shadow_offset_px=round(self.shadow_offset_px * k),
            shadow_blur_px=round(self.shadow_blur_px * k),
            box_padding_px=round(self.box_padding_px * k),
            box_radius_px=round(self.box_radius_px * k),
        )

    def _shadow_reach(self) -> tuple[int, int]:
        """How far the blurred shadow reaches left and right of the outlined ink (2.5 sigma: beyond
        that the blur is under the crop's alpha cutoff)."""
        if self.shadow_color is None:
            return 0, 0
        spread = (5 * self.shadow_blur_px + 1) // 2
        return max(0, spread - self.shadow_offset_px), self.shadow_offset_px + spread

    def margin_px(self) -> int:
        """Canvas room on every side of the glyph advances: the furthest any ink can reach."""
        box = self.box_padding_px if self.box_color else 0
        return max(box, self.stroke_px + max(self._shadow_reach()))

    def extra_width_px(self) -> int:
        """Width the outline, shadow and box add to the widest line, so lines can be budgeted;
        includes glyphs overhanging their advance (the tail of a leading "j") on either end."""
        left, right = self._shadow_reach()
        box = self.box_padding_px if self.box_color else 0
        overhang = -(-self.font_px * _OVERHANG_EM_PERCENT // 100)
        return max(box, self.stroke_px + left) + max(box, self.stroke_px + right) + overhang


def _caption_look(style: CaptionStyle, scale: float) -> _Look:
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return _Look(
        family=style.font,
        bold=style.bold,
        font_px=max(1, round(style.size_px * scale)),
        color=_rgba(style.color),
        stroke_color=_rgba(style.stroke_color),
        stroke_px=round(style.stroke_px * scale),
        shadow_color=_rgba(style.shadow_color) if style.shadow_color else None,
        shadow_offset_px=round(style.shadow_offset_px * scale),
        shadow_blur_px=round(style.shadow_blur_px * scale),
        box_color=_rgba(style.box_color) if style.box_color else None,
        box_padding_px=round(style.box_padding_px * scale),
        box_radius_px=round(style.box_radius_px * scale),
        highlight_color=_rgba(style.highlight_color),
        line_spacing=style.line_spacing,
        max_lines=style.max_lines,
    )


def _hook_look(style: CaptionStyle, scale: float) -> _Look:
    """The opening title: 1.5x, bold, tight leading, and a heavy outline plus drop shadow.

    Hook titles sit over the busiest frames of the video, so unless the style uses a box they get
    an outline of at least 9 % of the size and a soft shadow, whatever the caption style says.
    """
    base = _caption_look(style, scale)
    px = max(1, round(style.size_px * scale * HOOK_SIZE_FACTOR))
    look = replace(base.at_size(px), bold=True, max_lines=HOOK_MAX_LINES, line_spacing=min(style.line_spacing, 1.18))
    if look.box_color is not None:
        return look
    return replace(
        look,
        stroke_color=look.stroke_color if style.stroke_px else (0, 0, 0, 255),
        stroke_px=max(look.stroke_px, round(px * 0.09)),
        shadow_color=look.shadow_color or (0, 0, 0, 150),
        shadow_offset_px=max(look.shadow_offset_px, round(px * 0.05)),
        shadow_blur_px=max(look.shadow_blur_px, round(px * 0.06)),
    )


class _Typesetter:
    """Measures and draws clusters for one look; caches widths and scaled emoji bitmaps."""

    # Process-wide: the same emoji at the same size is drawn for every highlight state and caption.
    _emoji_cache: dict[tuple[FontFace, str, int], Image.Image] = {}

    def __init__(self, fonts: FontBook, look: _Look) -> None:
        self.fonts = fonts
        self.look = look
        self.chain = fonts.chain(look.family, look.bold)
        self.px = look.font_px
        ascent, descent = self._emoji_font().getmetrics()
        self.emoji_scale = look.font_px * EMOJI_EM / (ascent + descent)  # the bitmap box is ascent + descent
        self._emoji_height = (ascent + descent) * self.emoji_scale
        # Ink top (negative) and bottom of a Han glyph relative to the baseline: the box every
        # line is centred and boxed on, whatever mix of scripts it holds.
        if fonts.covers(self.chain[0], "中"):
            self.em_top, self.em_bottom = self.font(self.chain[0]).getbbox("中", anchor="ls")[1::2]
        else:
            self.em_top, self.em_bottom = -0.86 * self.px, 0.1 * self.px
        self._widths: dict[tuple[FontFace, str, bool], float] = {}

    def _emoji_font(self) -> ImageFont.FreeTypeFont:
        return self.fonts.font(self.fonts.emoji, EMOJI_BITMAP_PX)

    def font(self, face: FontFace) -> ImageFont.FreeTypeFont:
        return self.fonts.font(face, self.px)

    def clusters(self, text: str) -> list[Cluster]:
        try:
            return clusters_for(text, self.chain, self.fonts.emoji, self.fonts.covers)
        except MissingGlyphs as err:
            raise CaptionError(f"{err}; remove those characters or install a font that has them") from None

    def run_width(self, run: Run) -> float:
        if run.emoji:
            return sum(self.emoji_image(c.text).width for c in run.clusters)
        return self.text_width(run.face, run.text, run.rtl)

    def text_width(self, face: FontFace, text: str, rtl: bool) -> float:
        key = (face, text, rtl)
        if key not in self._widths:
            self._widths[key] = self.font(face).getlength(text, direction="rtl" if rtl else "ltr")
        return self._widths[key]

    def measure(self, clusters: Sequence[Cluster]) -> float:
        return sum(self.run_width(run) for run in logical_runs(clusters))

    def emoji_image(self, cluster: str) -> Image.Image:
        """The cluster drawn from the 109 px colour bitmaps in one call (so raqm forms ZWJ/flag
        ligatures), scaled to this size with premultiplied alpha to avoid dark fringes."""
        key = (self.fonts.emoji, cluster, self.px)
        cached = self._emoji_cache.get(key)
        if cached is not None:
            return cached
        font = self._emoji_font()
        ascent, descent = font.getmetrics()
        width = max(1, round(font.getlength(cluster)))
        big = Image.new("RGBA", (width, ascent + descent))
        ImageDraw.Draw(big).text((0, ascent), cluster, font=font, anchor="ls", embedded_color=True)
        size = (max(1, round(width * self.emoji_scale)), max(1, round((ascent + descent) * self.emoji_scale)))
        small = big.convert("RGBa").resize(size, Image.Resampling.LANCZOS).convert("RGBA")
        if len(self._emoji_cache) > 2048:
            self._emoji_cache.clear()
        self._emoji_cache[key] = small
        return small

    def emoji_top(self, baseline: float) -> int:
        """Top of an emoji box so its centre sits on the centre of the Han glyphs around it."""
        centre = baseline + (self.em_top + self.em_bottom) / 2
        return round(centre - self._emoji_height / 2)


@dataclass(frozen=True)
class _PlacedRun:
    run: Run
    x: float
    baseline: float
    width: float


def _place(
    lines: Sequence[Line], setter: _Typesetter, origin: tuple[int, int], block_width: float
) -> list[_PlacedRun]:
    """Centre each line in the block and give every run its pen position."""
    pitch = setter.px * setter.look.line_spacing
    placed: list[_PlacedRun] = []
    for index, line in enumerate(lines):
        runs = visual_runs(line)
        widths = [setter.run_width(run) for run in runs]
        x = origin[0] + round((block_width - sum(widths)) / 2)
        baseline = origin[1] + round(index * pitch)
        for run, width in zip(runs, widths, strict=True):
            placed.append(_PlacedRun(run, x, baseline, width))
            x += width
    return placed


def _highlight_spans(placed: _PlacedRun, setter: _Typesetter, span: tuple[int, int]) -> list[tuple[float, float]]:
    """x-intervals (absolute) covering the run's clusters that fall inside the character span."""
    run, font = placed.run, setter.font(placed.run.face)
    direction = "rtl" if run.rtl else "ltr"
    intervals: list[tuple[float, float]] = []
    i, clusters = 0, run.clusters
    while i < len(clusters):
        if not (clusters[i].start < span[1] and clusters[i].end > span[0]):
            i += 1
            continue
        j = i
        while j < len(clusters) and clusters[j].start < span[1] and clusters[j].end > span[0]:
            j += 1
        before = font.getlength("".join(c.text for c in clusters[:i]), direction=direction) if i else 0.0
        through = font.getlength("".join(c.text for c in clusters[:j]), direction=direction)
        if run.rtl:
            intervals.append((placed.x + placed.width - through, placed.x + placed.width - before))
        else:
            intervals.append((placed.x + before, placed.x + through))
        i = j
    return intervals


@dataclass
class _Layers:
    """Masks of one caption before colouring: glyphs, outline, highlight choice, and emoji."""

    fill: Image.Image
    stroke: Image.Image | None
    chosen: Image.Image  # where the highlight colour replaces the text colour
    emoji: Image.Image


def _draw_runs(
    placed: Sequence[_PlacedRun], setter: _Typesetter, size: tuple[int, int], highlight: tuple[int, int] | None
) -> _Layers:
    stroke_px = setter.look.stroke_px
    layers = _Layers(
        Image.new("L", size),
        Image.new("L", size) if stroke_px else None,
        Image.new("L", size),
        Image.new("RGBA", size),
    )
    fill_draw = ImageDraw.Draw(layers.fill)
    stroke_draw = ImageDraw.Draw(layers.stroke) if layers.stroke is not None else None
    for item in placed:
        run = item.run
        if run.emoji:
            x = round(item.x)
            for cluster in run.clusters:
                bitmap = setter.emoji_image(cluster.text)
                layers.emoji.alpha_composite(bitmap, (x, setter.emoji_top(item.baseline)))
                x += bitmap.width
            continue
        font, direction, xy = setter.font(run.face), "rtl" if run.rtl else "ltr", (item.x, item.baseline)
        fill_draw.text(xy, run.text, fill=255, font=font, anchor="ls", direction=direction)
        if stroke_draw is not None:
            stroke_draw.text(
                xy,
                run.text,
                fill=255,
                font=font,
                anchor="ls",
                direction=direction,
                stroke_width=stroke_px,
                stroke_fill=255,
            )
        intervals = _highlight_spans(item, setter, highlight) if highlight is not None else []
        if intervals:
            # The run's own glyph pixels inside the highlighted x-ranges: never a neighbour line's.
            glyphs, window = Image.new("L", size), Image.new("L", size)
            ImageDraw.Draw(glyphs).text(xy, run.text, fill=255, font=font, anchor="ls", direction=direction)
            for left, right in intervals:
                window.paste(255, (round(left), 0, round(right), size[1]))
            layers.chosen = ImageChops.lighter(layers.chosen, ImageChops.multiply(glyphs, window))
    return layers


def _paint(lines: Sequence[Line], setter: _Typesetter, highlight: tuple[int, int] | None) -> Image.Image:
    """Paint the laid-out lines with the look's box, shadow, stroke, fill and emoji; crop to ink."""
    look, px = setter.look, setter.px
    pitch = px * look.line_spacing
    block_width = max((sum(setter.run_width(r) for r in visual_runs(line)) for line in lines), default=0.0)
    margin = look.margin_px() + px  # room for ink that overhangs the advances (italics, accents)
    size = (int(block_width) + 2 * margin + 2, int((len(lines) - 1) * pitch + 2 * px) + 2 * margin)
    placed = _place(lines, setter, (margin, margin + px), block_width)
    layers = _draw_runs(placed, setter, size, highlight)
    fill, stroke, chosen, emoji = layers.fill, layers.stroke, layers.chosen, layers.emoji

    canvas = Image.new("RGBA", size)
    ink = ImageChops.lighter(fill, emoji.getchannel("A"))
    if stroke is not None:
        ink = ImageChops.lighter(ink, stroke)
    if look.box_color is not None:
        canvas.alpha_composite(_box(ink, placed, setter, size))
    if look.shadow_color is not None:
        shadow = Image.new("L", size)
        shadow.paste(ink, (look.shadow_offset_px, look.shadow_offset_px))
        if look.shadow_blur_px:
            shadow = shadow.filter(ImageFilter.GaussianBlur(look.shadow_blur_px))
        canvas.alpha_composite(_colored(look.shadow_color, shadow))
    if stroke is not None:
        canvas.alpha_composite(_colored(look.stroke_color, stroke))
    if highlight is not None and chosen.getbbox():
        # Choose the colour per pixel but keep one alpha mask, so highlighted glyph edges are as
        # thick as plain ones and each highlight state has exactly the same ink.
        chosen = chosen.point(lambda v: 255 if v else 0)
        colour = Image.composite(
            Image.new("RGBA", size, look.highlight_color), Image.new("RGBA", size, look.color), chosen
        )
        alpha = Image.composite(
            Image.new("L", size, look.highlight_color[3]), Image.new("L", size, look.color[3]), chosen
        )
        colour.putalpha(ImageChops.multiply(fill, alpha))
        canvas.alpha_composite(colour)
    else:
        canvas.alpha_composite(_colored(look.color, fill))
    canvas.alpha_composite(emoji)
    return _crop(canvas)


def _colored(color: RGBA, mask: Image.Image) -> Image.Image:
    layer = Image.new("RGBA", mask.size, color[:3] + (0,))
    layer.putalpha(mask if color[3] == 255 else mask.point(lambda v: v * color[3] // 255))
    return layer


def _box(ink: Image.Image, placed: Sequence[_PlacedRun], setter: _Typesetter, size: tuple[int, int]) -> Image.Image:
    """The rounded box behind the block: Han-glyph height per line (so a one-line box never
    collapses onto a flat glyph like 一), grown to any ink that reaches further, plus padding."""
    look = setter.look
    left = min(p.x for p in placed)
    right = max(p.x + p.width for p in placed)
    top = min(p.baseline for p in placed) + setter.em_top
    bottom = max(p.baseline for p in placed) + setter.em_bottom
    bbox = ink.getbbox()
    if bbox:
        left, top, right, bottom = min(left, bbox[0]), min(top, bbox[1]), max(right, bbox[2]), max(bottom, bbox[3])
    pad = look.box_padding_px
    x0, y0 = round(left - pad), round(top - pad)
    mask = Image.new("L", size)
    mask.paste(_rounded_mask(round(right + pad) - x0, round(bottom + pad) - y0, look.box_radius_px), (x0, y0))
    return _colored(look.box_color, mask)


@functools.lru_cache(maxsize=64)
def _rounded_mask(width: int, height: int, radius: int) -> Image.Image:
    """An anti-aliased rounded rectangle (Pillow's own has stair-stepped corners, which look
    cheap on a label or box edge). Only the corners are supersampled; cached because every
    highlight state of a caption asks for the same box."""
    radius = max(0, min(radius, width // 2, height // 2))
    mask = Image.new("L", (width, height), 255)
    if radius == 0:
        return mask
    factor = 4
    big = Image.new("L", (2 * radius * factor, 2 * radius * factor))
    ImageDraw.Draw(big).ellipse((0, 0, big.width - 1, big.height - 1), fill=255)
    circle = big.resize((2 * radius, 2 * radius), Image.Resampling.LANCZOS)
    for cx, cy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        corner = circle.crop((cx * radius, cy * radius, (cx + 1) * radius, (cy + 1) * radius))
        mask.paste(corner, (cx * (width - radius), cy * (height - radius)))
    return mask


def _crop(image: Image.Image) -> Image.Image:
    bbox = image.getchannel("A").point(lambda v: 255 if v > _ALPHA_CUTOFF else 0).getbbox()
    return image.crop(bbox) if bbox else image.crop((0, 0, 1, 1))


def _fit(
    text: str, look: _Look, fonts: FontBook, max_width_px: int, highlight: tuple[int, int] | None
) -> RenderedText:
    """Lay out at full size, shrinking in SHRINK_STEPS until the text fits ``look.max_lines``."""
    if not text.strip():
        raise ValueError("caption text is empty; the caller should skip empty captions")
    tried: set[int] = set()
    for factor in SHRINK_STEPS:
        px = max(1, round(look.font_px * factor))
        if px in tried:
            continue
        tried.add(px)
        sized = look.at_size(px)
        available = max_width_px - sized.extra_width_px()
        if available < px:
            raise ValueError(f"max_width_px={max_width_px} leaves no room for {px} px text with this style")
        setter = _Typesetter(fonts, sized)
        lines = break_lines(setter.clusters(text), available, setter.measure)
        if len(lines) <= sized.max_lines:
            image = _paint(lines, setter, highlight)
            return RenderedText(image, tuple(line.text for line in lines), px)
    raise CaptionError(f"does not fit in {look.max_lines} lines at the smallest caption size; shorten it")


def render_caption(
    text: str,
    style: CaptionStyle,
    *,
    max_width_px: int,
    scale: float,
    fonts: FontBook,
    highlight: tuple[int, int] | None = None,
) -> RenderedText:
    """Render a caption in ``style`` no wider than ``max_width_px`` (the whole image, outline,
    shadow and box included). ``highlight`` is a character span of ``text`` (see
    ``text_layout.word_spans``) drawn in the style's highlight colour; every highlight state has
    the same size and layout, so the compositor can swap them without the caption jumping.

    Raises CaptionError when the text needs more than ``style.max_lines`` lines even at 75 % size
    or uses characters no font has, and ValueError for empty text.
    """
    return _fit(text, _caption_look(style, scale), fonts, max_width_px, highlight)


def render_hook_title(
    text: str, style: CaptionStyle, *, max_width_px: int, scale: float, fonts: FontBook
) -> RenderedText:
    """Render the big opening title: 1.5x the caption size, bold, up to 3 balanced lines, with a
    heavy outline and shadow (or the style's box)."""
    return _fit(text, _hook_look(style, scale), fonts, max_width_px, None)


def _core_glyph_ratio(text: str, fonts: FontBook) -> float:
    """Height of the label's capitals and Han characters per pixel of font size, measured on the font.

    Descenders and lowercase letters are left out: "text height" for a label means the height of its
    characters as read (the Han character box, a Latin capital), which is what GB 45438 measures.
    """
    han = "".join(ch for ch in text if "\u3400" <= ch <= "\u9fff")
    core = han or "".join(ch for ch in text if ch.isupper()) or text  # Chinese label: its Han characters
    font = fonts.font(fonts.chain("sans", False)[0], 100)
    left, top, right, bottom = font.getbbox(core, anchor="ls")
    return max(0.3, (bottom - top) / 100)


def render_label(text: str, *, glyph_px: float, fonts: FontBook) -> RenderedText:
    """Render the visible AI-generated label: white text on a translucent dark pill, its capitals and
    Han characters at least ``glyph_px`` tall, legible on any footage without covering much of it."""
    if not text.strip():
        raise ValueError("label text is empty")
    if glyph_px < 4:
        raise ValueError(f"glyph_px={glyph_px} is too small for a legible label (at least 4)")
    px = max(6, math.ceil(glyph_px / _core_glyph_ratio(text, fonts)))
    height_px = round(px / LABEL_FONT_FRACTION)
    white = (255, 255, 255, 255)
    setter = _Typesetter(fonts, _Look("sans", False, px, white, white, line_spacing=1.0, max_lines=1))
    line = break_lines(setter.clusters(" ".join(text.split())), float("inf"), setter.measure, balance=False)[0]
    text_width = sum(setter.run_width(run) for run in visual_runs(line))
    pad = round(height_px * 0.4)
    image = _colored(LABEL_BACKGROUND, _rounded_mask(round(text_width) + 2 * pad, height_px, height_px // 2))
    # Centre the Han glyph box vertically; Latin capitals share that centre closely enough.
    baseline = round(height_px / 2 - (setter.em_top + setter.em_bottom) / 2)
    layers = _draw_runs(_place([line], setter, (pad, baseline), text_width), setter, image.size, None)
    image.alpha_composite(_colored(white, layers.fill))
    image.alpha_composite(layers.emoji)
    return RenderedText(image, (line.text,), px)
