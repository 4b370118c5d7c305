"""Colour looks: 3D LUTs in the ``.cube`` format (Adobe/Resolve), bundled (assets/looks/) or the user's own.

A ``.cube`` file is untrusted input: it is refused with one sentence when it is over 16 MB, not UTF-8 text, a 1D
LUT, has no size or a size outside 2..65, the wrong number of colour rows, a row that is not three numbers, or
values that are not finite or far outside 0..1. The grid is stored as the file has it (red changing fastest).

Applying: Pillow's ``Color3DLUT`` does the per-pixel work in C with trilinear interpolation. ``tetrahedral`` (the
default, what grading tools use: it keeps neutrals neutral and is smoother on hue edges) is evaluated exactly, in
numpy, at the nodes of a 65-point grid once per look, and Pillow interpolates between those; the result is within a
level of exact per-pixel tetrahedral interpolation (``apply_lut_exact``, the reference the tests hold it to). A
look's ``strength`` mixes its table with the identity, which mixes the result with the picture at no cost per
frame. An identity LUT leaves every pixel as it was.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

import numpy as np
from PIL import Image, ImageFilter

from studio.errors import CorruptMediaError, MediaTooLargeError, MissingMediaError
from studio.project.effects import Look, bundled_looks

MAX_CUBE_BYTES = 16 * 2**20
MIN_SIZE, MAX_SIZE = 2, 65  # Pillow's Color3DLUT takes 2..65 points a side
VALUE_RANGE = (-0.5, 1.5)  # a little outside 0..1 is common (film emulations); the output is clipped anyway
DENSE = 65  # the grid tetrahedral looks are evaluated on


@dataclass(frozen=True)
class Lut3D:
    """A 3D LUT: ``table[b, g, r]`` is the output colour (0..1) for input (r, g, b) at the grid nodes."""

    size: int
    table: np.ndarray  # (size, size, size, 3) float64, indexed [b, g, r]
    domain_min: tuple[float, float, float] = (0.0, 0.0, 0.0)
    domain_max: tuple[float, float, float] = (1.0, 1.0, 1.0)
    title: str = ""


def _numbers(words: list[str], count: int, what: str, name: str) -> tuple[float, ...]:
    try:
        values = tuple(float(w) for w in words)
    except ValueError:
        values = ()
    if len(values) != count or not all(math.isfinite(v) for v in values):
        raise CorruptMediaError(f"{name}: {what} must be {count} numbers")
    return values


def parse_cube(data: bytes, name: str) -> Lut3D:
    """The LUT in a ``.cube`` file's bytes, or CorruptMediaError naming the file and the problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CorruptMediaError(f"{name} is not a .cube look (not UTF-8 text)") from None
    size = None
    title = ""
    domain_min, domain_max = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
    rows: list[str] = []
    first_row = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, *more = line.split(None, 1)  # spaces or tabs
        rest = more[0] if more else ""
        key = word.upper()
        if not _is_numbers(word):  # a keyword line ("inf" and "nan" are numbers: rows, refused below)
            if rows:
                raise CorruptMediaError(f"{name}: line {number} ({line[:30]!r}) comes after the colour rows")
            if key == "TITLE":
                title = rest.strip().strip('"')[:200]
            elif key == "LUT_3D_SIZE":
                (value,) = _numbers(rest.split(), 1, "LUT_3D_SIZE", name)
                if value != int(value) or not MIN_SIZE <= value <= MAX_SIZE:
                    raise CorruptMediaError(f"{name}: LUT_3D_SIZE {rest.strip()[:12]} is outside "
                                            f"{MIN_SIZE}..{MAX_SIZE}")
                size = int(value)
            elif key == "LUT_1D_SIZE":
                raise CorruptMediaError(f"{name} is a 1D LUT; a look must be a 3D LUT (LUT_3D_SIZE)")
            elif key == "DOMAIN_MIN":
                domain_min = _numbers(rest.split(), 3, "DOMAIN_MIN", name)
            elif key == "DOMAIN_MAX":
                domain_max = _numbers(rest.split(), 3, "DOMAIN_MAX", name)
            elif key == "LUT_3D_INPUT_RANGE":
                low, high = _numbers(rest.split(), 2, "LUT_3D_INPUT_RANGE", name)
                domain_min, domain_max = (low,) * 3, (high,) * 3
            else:
                raise CorruptMediaError(f"{name}: line {number} starts with {word[:30]!r}, which a .cube file does "
                                        "not have")
            continue
        if not rows:
            first_row = number
        rows.append(line)
    if size is None:
        raise CorruptMediaError(f"{name} has no LUT_3D_SIZE line, so it is not a 3D LUT")
    if any(high <= low for low, high in zip(domain_min, domain_max, strict=True)):
        raise CorruptMediaError(f"{name}: DOMAIN_MAX must be above DOMAIN_MIN")
    need = size ** 3
    if len(rows) != need:
        raise CorruptMediaError(f"{name} has {len(rows)} colour rows; a {size}-point LUT has {need}")
    try:
        values = np.array(" ".join(rows).split(), dtype=np.float64)
    except ValueError:
        values = np.zeros(0)
    if values.size != need * 3:
        bad = next(i for i, row in enumerate(rows) if len(row.split()) != 3 or not _is_numbers(row))
        raise CorruptMediaError(f"{name}: line {first_row + bad} ({rows[bad][:30]!r}) is not three numbers")
    if not np.isfinite(values).all() or values.min() < VALUE_RANGE[0] or values.max() > VALUE_RANGE[1]:
        raise CorruptMediaError(f"{name} has colour values outside {VALUE_RANGE[0]:g}..{VALUE_RANGE[1]:g} (or not "
                                "finite); a look's values are 0..1")
    return Lut3D(size, values.reshape(size, size, size, 3), domain_min, domain_max, title)


def _is_numbers(row: str) -> bool:
    try:
        [float(w) for w in row.split()]
    except ValueError:
        return False
    return True


def read_cube(path: Path) -> Lut3D:
    """The LUT in a ``.cube`` file: size checked before a byte is read."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise MissingMediaError(f"look {path.name} does not exist") from None
    if not path.is_file():
        raise CorruptMediaError(f"look {path.name} is not a regular file")
    if size > MAX_CUBE_BYTES:
        raise MediaTooLargeError(f"look {path.name} is {size / 2**20:.1f} MB; a .cube look is at most "
                                 f"{MAX_CUBE_BYTES // 2**20} MB")
    return parse_cube(path.read_bytes(), path.name)


def identity_lut(size: int) -> Lut3D:
    axis = np.linspace(0.0, 1.0, size)
    b, g, r = np.meshgrid(axis, axis, axis, indexing="ij")
    return Lut3D(size, np.stack([r, g, b], axis=-1))


# -- interpolation ----------------------------------------------------------------------------------------------

def _coordinates(rgb: np.ndarray, lut: Lut3D) -> np.ndarray:
    """Input colours (0..1, (..., 3)) as grid coordinates 0..size-1 through the LUT's domain."""
    low, high = np.array(lut.domain_min), np.array(lut.domain_max)
    return np.clip((rgb - low) / (high - low), 0.0, 1.0) * (lut.size - 1)


def sample_tetrahedral(lut: Lut3D, rgb: np.ndarray) -> np.ndarray:
    """The LUT at colours ``rgb`` (0..1, shape (..., 3)), tetrahedral interpolation."""
    x = _coordinates(rgb, lut)
    base = np.minimum(np.floor(x).astype(np.int64), lut.size - 2)
    f = x - base
    r0, g0, b0 = base[..., 0], base[..., 1], base[..., 2]
    fr, fg, fb = f[..., 0:1], f[..., 1:2], f[..., 2:3]
    t = lut.table

    def at(dr: int, dg: int, db: int) -> np.ndarray:
        return t[b0 + db, g0 + dg, r0 + dr]

    c000, c111 = at(0, 0, 0), at(1, 1, 1)
    out = np.empty_like(c000)
    # The six tetrahedra of the unit cube, by the order of the fractions (Kasson et al.).
    cases = (
        ((fr >= fg) & (fg >= fb), (1, 0, 0), (1, 1, 0), fr, fg, fb),
        ((fr >= fb) & (fb > fg), (1, 0, 0), (1, 0, 1), fr, fb, fg),
        ((fb > fr) & (fr >= fg), (0, 0, 1), (1, 0, 1), fb, fr, fg),
        ((fg > fr) & (fr >= fb), (0, 1, 0), (1, 1, 0), fg, fr, fb),
        ((fg >= fb) & (fb > fr), (0, 1, 0), (0, 1, 1), fg, fb, fr),
        ((fb > fg) & (fg > fr), (0, 0, 1), (0, 1, 1), fb, fg, fr),
    )
    done = np.zeros(out.shape[:-1] + (1,), dtype=bool)
    for mask, first, second, a, b, c in cases:
        mask = mask & ~done
        c1, c2 = at(*first), at(*second)
        value = (1 - a) * c000 + (a - b) * c1 + (b - c) * c2 + c * c111
        out = np.where(mask, value, out)
        done |= mask
    return out


def sample_trilinear(lut: Lut3D, rgb: np.ndarray) -> np.ndarray:
    x = _coordinates(rgb, lut)
    base = np.minimum(np.floor(x).astype(np.int64), lut.size - 2)
    f = x - base
    out = np.zeros(rgb.shape, dtype=np.float64)
    for dr in (0, 1):
        for dg in (0, 1):
            for db in (0, 1):
                w = ((f[..., 0:1] if dr else 1 - f[..., 0:1]) * (f[..., 1:2] if dg else 1 - f[..., 1:2])
                     * (f[..., 2:3] if db else 1 - f[..., 2:3]))
                out += w * lut.table[base[..., 2] + db, base[..., 1] + dg, base[..., 0] + dr]
    return out


def apply_lut_exact(image: Image.Image, lut: Lut3D, interpolation: str = "tetrahedral") -> Image.Image:
    """Per-pixel interpolation in numpy: slow, exact; the reference for ``LookFilter``."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0
    sample = sample_tetrahedral if interpolation == "tetrahedral" else sample_trilinear
    out = sample(lut, rgb)
    return Image.fromarray(np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8))


class LookFilter:
    """A look ready for frames: one Pillow ``Color3DLUT`` built once."""

    def __init__(self, lut: Lut3D, interpolation: str = "tetrahedral", strength: float = 1.0):
        plain = lut.domain_min == (0.0, 0.0, 0.0) and lut.domain_max == (1.0, 1.0, 1.0)
        if interpolation == "trilinear" and plain:
            size, table = lut.size, lut.table
        else:  # evaluate on a dense grid over pixel values, through the domain
            size = DENSE
            table = (sample_tetrahedral if interpolation == "tetrahedral" else sample_trilinear)(
                lut, identity_lut(DENSE).table)
        if strength < 1.0:
            table = strength * table + (1.0 - strength) * identity_lut(size).table
        self.size = size
        self.filter = ImageFilter.Color3DLUT(size, np.clip(table, 0.0, 1.0).reshape(-1).tolist(), channels=3)

    def __call__(self, image: Image.Image) -> Image.Image:
        return image.filter(self.filter)


# -- where looks come from ------------------------------------------------------------------------------------

_CACHE: OrderedDict[tuple, LookFilter] = OrderedDict()
_CACHE_LOCK = Lock()
_CACHE_SIZE = 16


def look_file(effect: Look, root: Path | None) -> Path:
    """The .cube file of a look: a bundled one, or the user's (resolved inside the project folder)."""
    from studio.assets import asset_path
    from studio.project.files import resolve_media

    if effect.look is not None:
        return asset_path("looks", bundled_looks()[effect.look]["file"])
    return resolve_media(effect.file, root)


def look_filter(effect: Look, root: Path | None) -> LookFilter:
    """The look's filter, parsed and built once per file version and settings in this process."""
    path = look_file(effect, root)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise MissingMediaError(f"look {path.name} does not exist") from None
    key = (str(path), stat.st_size, stat.st_mtime_ns, effect.interpolation, effect.strength)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    made = LookFilter(read_cube(path), effect.interpolation, effect.strength)
    with _CACHE_LOCK:
        _CACHE[key] = made
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return made


def write_cube(path: Path, lut: Lut3D, *, title: str = "", comments: tuple[str, ...] = ()) -> Path:
    """A ``.cube`` file of ``lut`` (red fastest), 5 decimals: what scripts/make_looks.py writes."""
    lines = [f"# {c}" for c in comments]
    if title:
        lines.append(f'TITLE "{title}"')
    lines.append(f"LUT_3D_SIZE {lut.size}")
    flat = np.clip(lut.table, 0.0, 1.0).reshape(-1, 3)
    lines += [f"{r:.5f} {g:.5f} {b:.5f}" for r, g, b in flat]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
