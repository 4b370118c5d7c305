"""The storyboard as cards: one picture per shot (its keyframe, else its own picture, else the first frame of its
clip, else a plain card with its caption drawn on it) and a caption line with its number, length, status and
takes, in the browser's language. Pure functions of the project, so the tab only hands them to its card strip.

The strip (``strip_html``) is one gr.HTML whose pictures travel inside it as small JPEG data: URIs: nothing to
serve, so a card shows its keyframe wherever the project lives, and the browser never sees a server path. Its
script (``STRIP_JS``) listens on the strip itself, not on the cards, because every refresh redraws the cards: a
click says "select" with the shot's id, a drop says "reorder" with the dragged shot's id and the one it landed on.
"""

from __future__ import annotations

import base64
import functools
import html
import io
from pathlib import Path
from typing import Any

from studio.project.files import resolve_media
from studio.project.model import Project, Shot
from studio.settings import Settings
from ui.i18n import EN, say

CARD_SIZE = (270, 480)  # 9:16, the size of a plain card and of a clip's first frame on the strip
THUMB_SIZE = (144, 256)  # what travels to the browser: sharp at the strip's 112 px on a 2x screen, ~5-10 kB a card
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


@functools.lru_cache(maxsize=128)  # every refresh redraws the strip; typesetting a caption is the slow part
def plain_card(number: int, text: str, status: str = "planned") -> Any:
    """A card for a shot without a picture yet: its number and its caption on the status colour, the caption
    typeset as captions are (CJK line breaks between words, emoji in colour). Cached: use it, never draw on it."""
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


# -- the strip the tab shows: one gr.HTML, pictures inline, click to select, drag to reorder -----------------------

STRIP_CSS = """
.board-label { font-weight: 600; margin: 0 0 6px; color: var(--body-text-color); }
.board-strip { display: flex; gap: 8px; overflow-x: auto; padding: 2px 2px 8px; min-height: 40px; }
.board-card { flex: 0 0 112px; width: 112px; padding: 4px; border: 2px solid transparent; border-radius: 8px;
  background: var(--block-background-fill); color: var(--body-text-color); cursor: grab; user-select: none; }
.board-card:focus-visible { outline: 2px solid var(--color-accent); }
.board-card.selected { border-color: var(--color-accent); background: var(--color-accent-soft); }
.board-card.drop-target { border-style: dashed; border-color: var(--color-accent); }
.board-card.dragging { opacity: 0.4; }
.board-card img { display: block; width: 100%; aspect-ratio: 9 / 16; object-fit: contain; background: #16181d;
  border-radius: 4px; pointer-events: none; }
.board-caption { display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden;
  margin-top: 4px; font-size: 12px; line-height: 1.3; }
.board-empty { color: var(--body-text-color-subdued); font-size: 13px; }
"""

# Listeners on the strip's own element (it survives the redraws; the cards do not). HTML5 drag and drop, so a
# mouse drags; the move buttons stay the keyboard's (and a touch screen's) way, Enter on a focused card selects.
STRIP_JS = """
let dragged = null;
const cardOf = (event) => event.target.closest ? event.target.closest('[data-shot]') : null;
const clearMarks = () => element.querySelectorAll('.drop-target, .dragging')
  .forEach((c) => c.classList.remove('drop-target', 'dragging'));
element.addEventListener('click', (event) => {
  const card = cardOf(event);
  if (card) trigger('select', {shot: card.dataset.shot});
});
element.addEventListener('keydown', (event) => {
  const card = cardOf(event);
  if (card && (event.key === 'Enter' || event.key === ' ')) {
    event.preventDefault();
    trigger('select', {shot: card.dataset.shot});
  }
});
element.addEventListener('dragstart', (event) => {
  const card = cardOf(event);
  if (!card) return;
  dragged = card.dataset.shot;
  event.dataTransfer.effectAllowed = 'move';
  event.dataTransfer.setData('text/plain', dragged);
  card.classList.add('dragging');
});
element.addEventListener('dragover', (event) => {
  const card = cardOf(event);
  if (!card || dragged === null) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'move';
  element.querySelectorAll('.drop-target').forEach((c) => { if (c !== card) c.classList.remove('drop-target'); });
  if (card.dataset.shot !== dragged) card.classList.add('drop-target');
});
element.addEventListener('drop', (event) => {
  const card = cardOf(event);
  const shot = dragged;
  dragged = null;
  clearMarks();
  if (!card || shot === null) return;
  event.preventDefault();
  if (card.dataset.shot !== shot) trigger('reorder', {shot: shot, onto: card.dataset.shot});
});
element.addEventListener('dragend', () => { dragged = null; clearMarks(); });
"""


def strip_html(project: Project, root: Path, settings: Settings, words: dict[str, str] = EN,
               selected: str | None = None) -> str:
    """The cards as the strip's HTML, in shot order: each card carries its shot's id (what a click or a drop
    reports), its picture as a data: URI and its caption; the selected shot's card is marked."""
    cards = []
    for (picture, caption), shot in zip(shot_cards(project, root, settings, words), project.shots, strict=True):
        chosen = shot.id == selected
        text = html.escape(caption, quote=True)
        cards.append(
            f'<div class="board-card{" selected" if chosen else ""}" role="listitem" draggable="true" tabindex="0" '
            f'data-shot="{html.escape(shot.id, quote=True)}" aria-current="{"true" if chosen else "false"}" '
            f'title="{text}"><img src="{thumbnail_uri(picture)}" alt="" draggable="false">'
            f'<span class="board-caption">{text}</span></div>')
    body = "".join(cards) or f'<span class="board-empty">{html.escape(words.get("board.strip_empty", ""))}</span>'
    label = html.escape(words.get("board.strip", EN["board.strip"]))
    return f'<div class="board-label">{label}</div><div class="board-strip" role="list" aria-label="{label}">' \
           f"{body}</div>"


def thumbnail_uri(picture: Any) -> str:
    """A card's picture (a file path or a Pillow image) as a small JPEG data: URI."""
    if isinstance(picture, str):
        path = Path(picture)
        try:
            return _file_thumbnail(str(path), path.stat().st_mtime_ns)
        except OSError:  # gone or unreadable since the card was made: a blank card, not an error
            return _image_uri(_blank())
    return _image_uri(picture)


@functools.lru_cache(maxsize=256)  # keyed by the file's modification time: a redrawn keyframe is read again
def _file_thumbnail(path: str, _mtime_ns: int) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.draft("RGB", THUMB_SIZE)  # a JPEG decodes at a fraction of its size
            return _image_uri(image)
    except (UnidentifiedImageError, ValueError):
        return _image_uri(_blank())


def _image_uri(image: Any) -> str:
    from PIL import Image

    if not isinstance(image, Image.Image):  # a frame as an array
        image = Image.fromarray(image)
    image = image.convert("RGB")
    image.thumbnail(THUMB_SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _blank() -> Any:
    from PIL import Image

    return Image.new("RGB", CARD_SIZE, _STATUS_COLOURS["planned"])
