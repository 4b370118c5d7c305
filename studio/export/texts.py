"""The words on screen as editable text: captions, the hook title and the AI label, laid out as the MP4 has them.

The compositor paints each text as a picture; an editor needs the text itself. Each one is laid out by the same
renderer (``studio.text.captions``), so the editor's text item gets the MP4's line breaks (CJK rules, emoji, RTL),
its font size after any shrinking to fit, and the box the MP4 draws it in (placed by the same arithmetic as
``studio.compose.compositor.build_overlays``; tests/test_export.py holds the two together). The pictures are kept
too: formats that cannot hold text (an EDL) get them as PNGs beside the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from studio.compose.compositor import HOOK_FADE_MS
from studio.compose.labels import MIN_LABEL_TEXT_FRACTION, label_text
from studio.errors import CaptionError
from studio.export.timeline import EditText, Role, TextLook, editor_text, frame_window
from studio.project.model import CaptionPosition, CaptionStyle, LabelPosition, Project
from studio.project.presets import PlatformPreset
from studio.project.timeline import Timeline
from studio.settings import Settings

LABEL_BOX = "#0000008C"  # the MP4's label pill: black at 140/255 (studio.text.captions.LABEL_BACKGROUND)


@dataclass(frozen=True)
class Texts:
    captions: tuple[EditText, ...]
    title: EditText | None
    label: EditText
    pictures: dict[str, Image.Image]  # EditText.name -> the MP4's RGBA picture of it
    highlighted: tuple[int, ...]  # shot indexes whose captions light up word by word in the MP4


def _rgba(color: str | None) -> str | None:
    if color is None:
        return None
    return color.upper() if len(color) == 9 else f"{color.upper()}FF"


def _look(style: CaptionStyle, size_px: int, scale: float, *, bold: bool | None = None,
          min_stroke: int = 0) -> TextLook:
    return TextLook(family=style.font, bold=style.bold if bold is None else bold, size_px=size_px,
                    color=_rgba(style.color), stroke_color=_rgba(style.stroke_color),
                    stroke_px=max(round(style.stroke_px * scale), min_stroke), box_color=_rgba(style.box_color),
                    box_padding_px=round(style.box_padding_px * scale) if style.box_color else 0)


def lay_out_texts(project: Project, preset: PlatformPreset, timeline: Timeline, settings: Settings) -> Texts:
    """Every text of the project as an editor item in canvas frames and pixels (raises CaptionError like a
    render would when a caption cannot fit)."""
    from studio.text.captions import render_caption, render_hook_title, render_label
    from studio.text.fonts import default_font_book

    fonts = default_font_book(settings.font_dirs)
    fps, total = preset.fps, _total_frames(timeline, preset)
    width, height = preset.width, preset.height
    left, top, right, bottom = preset.safe_rect
    pad = round(0.02 * width)
    max_width = right - left - 2 * pad
    style = project.caption_style
    pictures: dict[str, Image.Image] = {}

    # The AI label: the MP4's corner and size, but the whole length (its own track in the editor).
    glyph_px = MIN_LABEL_TEXT_FRACTION * min(width, height)
    text = editor_text(label_text(project))
    rendered = render_label(text, glyph_px=glyph_px, fonts=fonts)
    image = rendered.image
    margin = round(0.015 * width)
    position = project.label.position
    on_left = position in (LabelPosition.TOP_LEFT, LabelPosition.BOTTOM_LEFT)
    on_top = position in (LabelPosition.TOP_LEFT, LabelPosition.TOP_RIGHT)
    x = left + margin if on_left else right - margin - image.width
    y = top + margin if on_top else bottom - margin - image.height
    label = EditText(Role.LABEL, "AI label", text, 0, total, (x, y, image.width, image.height),
                     TextLook("sans", False, rendered.font_px, "#FFFFFFFF", "#00000000", 0, LABEL_BOX,
                              round(image.height * 0.4)))
    pictures[label.name] = image
    label_bottom = y + image.height if project.label.visible else None

    title = None
    if project.storyboard.hook:
        rendered = render_hook_title(project.storyboard.hook, style, max_width_px=max_width, scale=preset.scale,
                                     fonts=fonts)
        image = rendered.image
        if style.position is CaptionPosition.TOP:
            y = (top + bottom - image.height) // 2
        else:
            y = top + round(0.10 * (bottom - top))
            if label_bottom is not None and on_top:
                y = max(y, label_bottom + pad)
        x = left + (right - left - image.width) // 2
        first, end = frame_window(0, min(project.hook_ms, timeline.duration_ms), fps, total)
        fade = min(end - first, round(HOOK_FADE_MS * fps / 1000))
        title = EditText(Role.TITLE, "Title", editor_text("\n".join(rendered.lines)), first, end,
                         (x, y, image.width, image.height),
                         _look(style, rendered.font_px, preset.scale, bold=True,
                               min_stroke=0 if style.box_color else round(rendered.font_px * 0.09)), fade)
        pictures[title.name] = image

    captions = []
    for cue in timeline.captions:
        try:
            rendered = render_caption(cue.text, style, max_width_px=max_width, scale=preset.scale, fonts=fonts)
        except CaptionError as err:
            raise CaptionError(f"shot {cue.index + 1} caption {err}") from None
        image = rendered.image
        x = left + (right - left - image.width) // 2
        if style.position is CaptionPosition.BOTTOM:
            y = bottom - pad - image.height
        elif style.position is CaptionPosition.TOP:
            y = top + pad
        else:
            y = (top + bottom - image.height) // 2
        first, end = frame_window(cue.start_ms, cue.end_ms, fps, total)
        if end <= first:
            continue
        words = editor_text("\n".join(rendered.lines))
        item = EditText(Role.CAPTION, f"Caption {cue.index + 1:02d}", words, first, end,
                        (x, y, image.width, image.height), _look(style, rendered.font_px, preset.scale))
        captions.append(item)
        pictures[item.name] = image
    highlighted = tuple(cue.index for cue in timeline.captions if timeline.spans[cue.index].shot.caption_words)
    return Texts(tuple(captions), title, label, pictures, highlighted)


def _total_frames(timeline: Timeline, preset: PlatformPreset) -> int:
    from studio.project.timeline import frame_count

    return frame_count(timeline.duration_ms, preset.fps)
