"""Caption fonts: find them once, know what each one covers, and hand out sized Pillow fonts.

Captions mix Chinese, Latin, Arabic/Hebrew and colour emoji, and no single font covers all of
them. The primary face is Noto Sans/Serif CJK in its *Simplified Chinese* flavour: the same .ttc
holds JP/KR/SC/TC/HK faces whose glyphs differ for many Han characters (直, 骨, 画), so picking the
wrong face index silently draws Japanese forms in a Chinese video. The face index is found by
reading each face's family name rather than trusting a hard-coded number, because distributions
order the collection differently. Scripts the CJK fonts lack (Arabic, Hebrew) fall back to Noto
Sans Arabic/Hebrew when installed and then to DejaVu Sans; emoji come from Noto Color Emoji.

Fonts are process-wide read-only resources, so ``default_font_book`` caches one book per set of
extra folders, and the book caches cmaps and ``FreeTypeFont`` objects.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont, features

from studio.errors import EnvironmentProblem

SYSTEM_FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path("~/.local/share/fonts").expanduser(),
    Path("~/.fonts").expanduser(),
)

EMOJI_BITMAP_PX = 109
"""Noto Color Emoji is a bitmap (CBDT) font with one strike: asking for any other size fails."""

_FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc"}

# File-name stems (lower case) that may hold each face, best first. Debian ships one .ttc per
# weight holding every region; other distributions ship per-region .otf files.
_CJK_STEMS: dict[tuple[str, bool], tuple[str, ...]] = {
    ("sans", False): ("notosanscjk-regular", "notosanscjksc-regular", "notosanssc-regular"),
    ("sans", True): ("notosanscjk-bold", "notosanscjksc-bold", "notosanssc-bold"),
    ("serif", False): ("notoserifcjk-regular", "notoserifcjksc-regular", "notoserifsc-regular"),
    ("serif", True): ("notoserifcjk-bold", "notoserifcjksc-bold", "notoserifsc-bold"),
}
_EMOJI_STEMS = ("notocoloremoji",)
# Fallbacks for scripts the CJK faces lack, in the order they are tried.
_FALLBACK_STEMS: dict[bool, tuple[str, ...]] = {
    False: ("notosansarabic-regular", "notosanshebrew-regular", "dejavusans"),
    True: ("notosansarabic-bold", "notosanshebrew-bold", "dejavusans-bold"),
}
_SCRIPT_FALLBACK = re.compile(r"notosans(?!cjk|mono|display)[a-z]+-(regular|bold)")
_CJK_PACKAGE = "fonts-noto-cjk"
_EMOJI_PACKAGE = "fonts-noto-color-emoji"


@dataclass(frozen=True)
class FontFace:
    """One face of one font file; ``index`` selects the face inside a .ttc collection."""

    path: Path
    index: int
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.path}#{self.index})"


def _face_names(path: Path) -> list[str]:
    """Family names of every face in a font file, in face-index order."""
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in {".ttc", ".otc"}:
        fonts = TTCollection(str(path), lazy=True).fonts
    else:
        fonts = [TTFont(str(path), lazy=True)]
    # Name ID 16 is the typographic family ("Noto Sans CJK SC"); ID 1 may carry a weight suffix.
    return [str(font["name"].getDebugName(16) or font["name"].getDebugName(1) or "") for font in fonts]


def _sc_face(path: Path) -> FontFace | None:
    """The Simplified Chinese (non-monospaced) face of a Noto CJK file, read from its names."""
    names = _face_names(path)
    for index, name in enumerate(names):
        words = name.split()
        if "SC" in words and "Mono" not in words:
            return FontFace(path, index, name)
    if len(names) == 1 and "sc" in path.stem.lower():  # a region-specific file with an unusual name
        return FontFace(path, 0, names[0])
    return None


def _index_font_files(dirs: Iterable[Path]) -> dict[str, Path]:
    """Map lower-case file stems to paths; a folder listed earlier wins over a later one."""
    found: dict[str, Path] = {}
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in _FONT_SUFFIXES and path.is_file():
                found.setdefault(path.stem.lower(), path)
    return found


class FontBook:
    """The fonts captions are drawn with, and what each covers.

    Build it with ``FontBook.discover`` (or ``default_font_book``); the constructor takes already
    resolved faces so tests can assemble a book from specific files.
    """

    def __init__(
        self,
        cjk: dict[tuple[str, bool], FontFace],
        emoji: FontFace,
        fallbacks: dict[bool, tuple[FontFace, ...]],
    ) -> None:
        self._cjk = dict(cjk)
        self.emoji = emoji
        self._fallbacks = {bold: tuple(faces) for bold, faces in fallbacks.items()}
        self._cmaps: dict[FontFace, frozenset[int]] = {}
        self._fonts: dict[tuple[FontFace, int], ImageFont.FreeTypeFont] = {}
        self._lock = threading.Lock()

    @classmethod
    def discover(cls, extra_dirs: tuple[Path, ...] = (), *, search_system: bool = True) -> FontBook:
        """Find the caption fonts in ``extra_dirs`` first, then (unless disabled) the system folders.

        Raises EnvironmentProblem naming the Debian package when Noto Sans CJK or Noto Color Emoji
        is missing, or when Pillow was built without raqm (no shaping: Arabic would not join and
        emoji ZWJ sequences would fall apart).
        """
        if not features.check("raqm"):
            raise EnvironmentProblem(
                "Pillow cannot shape text (its raqm layout engine is unavailable); "
                "install libraqm0 and libfribidi0 (apt-get install libraqm0 libfribidi0)"
            )
        dirs = tuple(Path(d).expanduser() for d in extra_dirs) + (SYSTEM_FONT_DIRS if search_system else ())
        files = _index_font_files(dirs)
        where = ", ".join(str(d) for d in dirs) or "no folders"

        cjk: dict[tuple[str, bool], FontFace] = {}
        for key, stems in _CJK_STEMS.items():
            for stem in stems:
                face = _sc_face(files[stem]) if stem in files else None
                if face is not None:
                    cjk[key] = face
                    break
        for key in (("sans", False), ("sans", True)):
            if key not in cjk:
                weight = "Bold" if key[1] else "Regular"
                raise EnvironmentProblem(
                    f"the caption font Noto Sans CJK SC {weight} was not found in {where}; "
                    f"install it with: apt-get install {_CJK_PACKAGE}"
                )

        emoji_path = next((files[s] for s in _EMOJI_STEMS if s in files), None)
        if emoji_path is None:
            raise EnvironmentProblem(
                f"the emoji font Noto Color Emoji was not found in {where}; "
                f"install it with: apt-get install {_EMOJI_PACKAGE}"
            )
        emoji = FontFace(emoji_path, 0, "Noto Color Emoji")

        fallbacks: dict[bool, tuple[FontFace, ...]] = {}
        for bold, stems in _FALLBACK_STEMS.items():
            # Any other installed Noto Sans script font (Thai, Devanagari... from fonts-noto-core)
            # comes after the named ones; its cmap is only read when earlier faces miss a character.
            weight = "bold" if bold else "regular"
            extra = sorted(s for s in files if _SCRIPT_FALLBACK.fullmatch(s) and s.endswith(weight) and s not in stems)
            fallbacks[bold] = tuple(FontFace(files[s], 0, files[s].stem) for s in (*stems, *extra) if s in files)
        return cls(cjk, emoji, fallbacks)

    def chain(self, family: str, bold: bool) -> tuple[FontFace, ...]:
        """Text faces to try in order for a caption style: the CJK SC face, then script fallbacks.

        The serif faces are only checked here, so a machine without them can still draw sans
        captions; asking for serif without them raises EnvironmentProblem.
        """
        primary = self._cjk.get((family, bold))
        if primary is None:
            if family not in {"sans", "serif"}:
                raise ValueError(f"unknown font family {family!r}; expected 'sans' or 'serif'")
            weight = "Bold" if bold else "Regular"
            raise EnvironmentProblem(
                f"the caption font Noto {family.title()} CJK SC {weight} is not installed; "
                f"install it with: apt-get install {_CJK_PACKAGE}"
            )
        return (primary, *self._fallbacks.get(bold, ()))

    def coverage(self, face: FontFace) -> frozenset[int]:
        """Code points the face maps to a glyph (its best cmap), read once per face."""
        cached = self._cmaps.get(face)
        if cached is not None:
            return cached
        from fontTools.ttLib import TTCollection, TTFont

        if face.path.suffix.lower() in {".ttc", ".otc"}:
            font = TTCollection(str(face.path), lazy=True).fonts[face.index]
        else:
            font = TTFont(str(face.path), lazy=True, fontNumber=face.index)
        cmap = frozenset(font.getBestCmap() or {})
        with self._lock:
            self._cmaps[face] = cmap
        return cmap

    def covers(self, face: FontFace, char: str) -> bool:
        return ord(char) in self.coverage(face)

    def can_draw(self, char: str) -> bool:
        """Whether a caption can show ``char`` in any style: the emoji font, or both weights' text faces have it
        (invisible and combining characters need no glyph of their own)."""
        if char.isspace() or unicodedata.category(char) in {"Cf", "Mn", "Me"} or self.covers(self.emoji, char):
            return True
        return all(any(self.covers(face, char) for face in self.chain("sans", bold)) for bold in (False, True))

    def font(self, face: FontFace, size_px: int) -> ImageFont.FreeTypeFont:
        """A shaped (raqm) Pillow font for the face at a pixel size, cached per (file, index, size).

        The emoji face only exists at EMOJI_BITMAP_PX; other sizes are refused here rather than
        failing deep inside FreeType.
        """
        if face == self.emoji and size_px != EMOJI_BITMAP_PX:
            raise ValueError(f"Noto Color Emoji is a bitmap font; load it at {EMOJI_BITMAP_PX} px, not {size_px}")
        key = (face, size_px)
        cached = self._fonts.get(key)
        if cached is not None:
            return cached
        font = ImageFont.truetype(str(face.path), size_px, index=face.index, layout_engine=ImageFont.Layout.RAQM)
        with self._lock:
            self._fonts[key] = font
        return font


@functools.cache
def default_font_book(extra_dirs: tuple[Path, ...] = ()) -> FontBook:
    """The process-wide font book for ``Settings.font_dirs`` (fonts never change while running)."""
    return FontBook.discover(tuple(extra_dirs))
