"""The storyboard as cards: one picture per shot (its keyframe, else its own picture, else the first frame of its
clip, else a plain card with its caption drawn on it) and a caption line with its number, length, status and
takes, in the browser's language. Pure functions of the project, so the tab only hands them to a gr.Gallery."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from studio.project.files import resolve_media
from studio.project.model import Project, Shot
from studio.settings import Settings
from ui.i18n import EN, say

CARD_SIZE = (270, 480)  # 9:16, the size of a plain card and of a clip's first frame in the gallery
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp"}
_STATUS_COLOURS = {"planned": (52, 58, 70), "rendered": (34, 74, 56), "failed": (92, 36, 40)}


def card_caption(number: int, shot: Shot, words: dict[str, str] = EN) -> str:
    """'2 · 3.0 s · rendered · 3 takes · the caption' (in Chinese with Chinese words)."""
    text = (shot.caption or shot.visual_prompt or "").replace("\n", " ").strip()
    return say(words, "board.card", number=number, seconds=shot.duration_ms / 1000,
               status=words.get(f"status.shot.{shot.status.value}", shot.status.value), takes=len(shot.candidates),
               caption=text)


def card_source(shot: Shot, root: Path) -> Path | None:
    """The file a card shows: the keyframe (or the user's picture it is made from), else the shot's media."""
    for media in (shot.source_media, shot.media):
        if media:
            path = resolve_media(media, root)
            if path.is_file():
                return path
    return None


def shot_cards(project: Project, root: Path, settings: Settings, words: dict[str, str] = EN) -> list[tuple[Any, str]]:
    """One (picture, caption) per shot, in order, so a click's index is the shot's index."""
    cards = []
    for number, shot in enumerate(project.shots, start=1):
        caption = card_caption(number, shot, words)
        path = card_source(shot, root)
        picture: Any = None
        if path is not None and path.suffix.lower() in _IMAGE_SUFFIXES:
            picture = str(path)
        elif path is not None:
            picture = _first_frame(str(path), path.stat().st_mtime_ns, settings)
        if picture is None:
            text = (shot.caption or shot.visual_prompt or "").strip()
            picture = plain_card(number, text, shot.status.value)
        cards.append((picture, caption))
    return cards


@functools.lru_cache(maxsize=64)  # keyed by the file's modification time: a re-rendered clip is read again
def _first_frame(path: str, _mtime_ns: int, settings: Settings) -> Any:
    """The first frame of a clip, or None when it cannot be read (the card then shows its caption)."""
    from pipelines.scoring import take_frames
    from studio.errors import StudioError

    try:
        return take_frames(Path(path), settings, count=1, max_side=max(CARD_SIZE))[0]
    except (StudioError, OSError, ValueError):
        return None


def plain_card(number: int, text: str, status: str = "planned") -> Any:
    """A card for a shot without a picture yet: its number and its caption on the status colour, the caption
    typeset as captions are (CJK line breaks between words, emoji in colour)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", CARD_SIZE, _STATUS_COLOURS.get(status, _STATUS_COLOURS["planned"]))
    ImageDraw.Draw(image).text((20, 16), str(number), fill=(235, 235, 240), font=_font(64))
    caption = _caption_picture(" ".join(text.split()), CARD_SIZE[0] - 40)
    if caption is not None:
        image.paste(caption, (20, 120), caption)
    return image


def _caption_picture(text: str, width: int) -> Any:
    """The caption in the "shadow" style at card scale, shortened until it fits its lines; None without text or
    a font that can draw it."""
    from studio.errors import StudioError
    from studio.project.styles import caption_style
    from studio.text.captions import render_caption
    from studio.text.fonts import default_font_book

    style = caption_style("shadow")
    while text:
        try:
            return render_caption(text, style, max_width_px=width, scale=0.4, fonts=default_font_book()).image
        except StudioError:
            text = text[:max(0, min(len(text) - 2, int(len(text) * 0.75)))].rstrip()
            text = f"{text}…" if text else ""
    return None


@functools.cache
def _font(size: int) -> Any:
    """The captions' CJK face (it draws Latin too); Pillow's own font where it is not installed."""
    from PIL import ImageFont

    from studio.errors import StudioError
    from studio.text.fonts import default_font_book

    try:
        book = default_font_book()
        return book.font(book.chain("sans", False)[0], size)
    except (StudioError, OSError, ValueError):
        return ImageFont.load_default(size)
