"""Make the studio's bundled colour looks: 3D LUTs (``.cube``) computed here from a few lines of colour math each.

Every look is a function from an RGB colour (0..1) to another, evaluated at the nodes of a 17-point grid and
written as an Adobe/Resolve ``.cube`` file (red changing fastest), so the looks are ours to give away (CC0) and
any grading tool opens them too. The ids, titles and moods go into assets/looks/looks.json, which the studio reads.

    python scripts/make_looks.py            # rewrites assets/looks/*.cube and looks.json

Released under CC0-1.0: the files this script writes may be used for anything, without attribution.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "assets" / "looks"
SIZE = 17
LICENCE = "CC0-1.0 (made by scripts/make_looks.py)"


def luma(rgb: np.ndarray) -> np.ndarray:
    return (rgb @ np.array([0.2126, 0.7152, 0.0722]))[..., None]


def s_curve(x: np.ndarray, amount: float) -> np.ndarray:
    """Contrast around mid-grey that keeps 0 and 1 where they are (a blend towards a smoothstep)."""
    return (1 - amount) * x + amount * (x * x * (3 - 2 * x))


def saturate(rgb: np.ndarray, amount: float) -> np.ndarray:
    y = luma(rgb)
    return y + (rgb - y) * amount


def teal_orange(rgb: np.ndarray) -> np.ndarray:
    """Shadows towards teal, highlights and skin towards orange, a little more contrast."""
    y = luma(rgb)
    teal, orange = np.array([-0.06, 0.02, 0.07]), np.array([0.07, 0.015, -0.06])
    out = rgb + (1 - y) ** 2 * teal + y ** 2 * orange
    return s_curve(np.clip(saturate(out, 1.1), 0, 1), 0.25)


def warm_film(rgb: np.ndarray) -> np.ndarray:
    """Lifted blacks, rolled-off highlights, a warm cast and a little less colour: a soft film print."""
    out = saturate(rgb, 0.85) * np.array([1.04, 1.0, 0.92])
    out = s_curve(np.clip(out, 0, 1), 0.2)
    return 0.045 + out * (0.94 - 0.045)


def cool_night(rgb: np.ndarray) -> np.ndarray:
    """Blue and quiet: cooler, darker mid-tones, less colour, deeper blacks."""
    out = saturate(rgb, 0.7) * np.array([0.9, 0.98, 1.1])
    out = np.clip(out, 0, 1) ** 1.15
    return np.clip((out - 0.02) / 0.98, 0, 1)


def mono_noir(rgb: np.ndarray) -> np.ndarray:
    """Black and white (Rec. 709 weights) with a strong S-curve."""
    y = np.clip(luma(rgb), 0, 1)
    return np.repeat(s_curve(y, 0.6), 3, axis=-1)


def vivid_pop(rgb: np.ndarray) -> np.ndarray:
    """More colour and contrast, a touch warm: food, travel, products."""
    out = saturate(rgb, 1.3) * np.array([1.02, 1.0, 0.98])
    return s_curve(np.clip(out, 0, 1), 0.3)


@dataclass(frozen=True)
class LookSpec:
    id: str
    title: str
    mood: str
    make: Callable[[np.ndarray], np.ndarray]


LOOKS = (
    LookSpec("teal_orange", "Teal & Orange", "cinematic, blockbuster, travel", teal_orange),
    LookSpec("warm_film", "Warm Film", "nostalgic, soft, vlog, golden hour", warm_film),
    LookSpec("cool_night", "Cool Night", "moody, night, city, calm", cool_night),
    LookSpec("mono_noir", "Mono Noir", "black and white, dramatic, classic", mono_noir),
    LookSpec("vivid_pop", "Vivid Pop", "bright, saturated, food, products", vivid_pop),
)


def main() -> int:
    from studio.compose.looks import Lut3D, identity_lut, write_cube

    OUT.mkdir(parents=True, exist_ok=True)
    grid = identity_lut(SIZE).table
    entries = []
    for spec in LOOKS:
        table = np.clip(spec.make(grid), 0.0, 1.0)
        path = write_cube(OUT / f"{spec.id}.cube", Lut3D(SIZE, table), title=spec.title,
                          comments=(f"{spec.title}: {spec.mood}", "Made by scripts/make_looks.py; CC0-1.0."))
        entries.append({"id": spec.id, "title": spec.title, "mood": spec.mood, "file": path.name, "size": SIZE,
                        "license": LICENCE})
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    (OUT / "looks.json").write_text(json.dumps({"looks": entries}, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
