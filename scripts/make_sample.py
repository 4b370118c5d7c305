"""Make the sample project: five pictures drawn by this script from code alone (CC0) and a project for each
language, so a first visit can see a finished clip before any model is on the machine.

    python scripts/make_sample.py      # rewrites assets/sample/*.jpg and sample.zh.json / sample.en.json

A lighthouse keeper's night, dawn to dawn: a sea at dawn, the lighthouse, waves, the harbour town at night,
the stars. Every picture is a seeded numpy drawing (gradients, soft shapes, a little grain), 1080x1920 JPEG.
The projects use the bundled music (lofi_chill, beat-synced), captions, a hook title and the AI label.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "sample"
W, H = 1080, 1920

CAPTIONS = {
    "zh": ("天还没亮，海先醒了", "灯塔守了这片海四十年", "浪一遍遍拍着礁石", "夜里，小镇的灯一盏盏亮起",
           "星星出来，灯塔也亮了"),
    "en": ("Before dawn, the sea wakes first", "The lighthouse has watched this sea for forty years",
           "Wave after wave on the rocks", "At night the town lights up, window by window",
           "The stars come out, and so does the light"),
}
HOOK = {"zh": "灯塔的一夜", "en": "A lighthouse night"}
TITLE = {"zh": "灯塔守望者的一夜", "en": "A lighthouse keeper's night"}
DESCRIPTION = {"zh": "从黎明到星空，一座灯塔的一天。示例项目：画面由代码绘制。",
               "en": "Dawn to starlight with a lighthouse. A sample project: every picture is drawn by code."}
HASHTAGS = {"zh": ("灯塔", "大海", "治愈"), "en": ("lighthouse", "sea", "calm")}
MOVES = ("push_in", "tilt_up", "pan_right", "pan_left", "pull_out")


def gradient(top: tuple[int, int, int], bottom: tuple[int, int, int], power: float = 1.0) -> np.ndarray:
    t = (np.linspace(0.0, 1.0, H) ** power)[:, None, None]
    return (np.array(top, float) * (1 - t) + np.array(bottom, float) * t) * np.ones((1, W, 1))


def glow(canvas: np.ndarray, cx: float, cy: float, radius: float, colour: tuple[int, int, int],
         strength: float = 1.0) -> None:
    y, x = np.ogrid[:H, :W]
    d = np.sqrt((x - cx) ** 2 + (y - cy) ** 2) / radius
    a = np.clip(1 - d, 0, 1)[..., None] ** 2 * strength
    canvas[:] = canvas * (1 - a) + np.array(colour, float) * a


def sea(canvas: np.ndarray, horizon: int, colour: tuple[int, int, int], rng: np.random.Generator,
        shimmer: tuple[int, int, int] | None = None) -> None:
    canvas[horizon:] = gradient(colour, tuple(c // 3 for c in colour))[horizon:]
    y = np.arange(H - horizon)[:, None]
    x = np.arange(W)[None, :]
    waves = np.sin(x / (18 + y / 9) + rng.uniform(0, 6) + y * 0.8) * np.exp(-y / 900)
    canvas[horizon:] += (waves[..., None] * 14)
    if shimmer is not None:
        band = np.exp(-((x - W / 2) / (60 + y * 0.5)) ** 2) * (waves > 0.6) * np.exp(-y / 700)
        canvas[horizon:] = canvas[horizon:] * (1 - band[..., None] * 0.7) + np.array(shimmer) * band[..., None] * 0.7


def grain(canvas: np.ndarray, rng: np.random.Generator, amount: float = 4.0) -> Image.Image:
    noisy = canvas + rng.normal(0, amount, canvas.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def dawn(rng: np.random.Generator) -> Image.Image:
    c = gradient((38, 44, 92), (246, 164, 110), 1.6)
    glow(c, W * 0.5, H * 0.52, 700, (255, 214, 150), 0.9)
    glow(c, W * 0.5, H * 0.52, 90, (255, 246, 222), 1.0)
    sea(c, int(H * 0.55), (60, 70, 112), rng, shimmer=(255, 200, 150))
    return grain(c, rng)


def lighthouse(rng: np.random.Generator) -> Image.Image:
    c = gradient((92, 128, 182), (224, 196, 170), 1.2)
    glow(c, W * 0.78, H * 0.2, 500, (255, 236, 200), 0.6)
    sea(c, int(H * 0.74), (52, 88, 120), rng)
    image = grain(c, rng, 3.0)
    draw = ImageDraw.Draw(image)
    base, top = H * 0.76, H * 0.3
    draw.polygon([(W * 0.2, H), (W * 0.2, base), (W * 0.75, base + 40), (W, H * 0.8), (W, H)], fill=(44, 40, 46))
    draw.polygon([(W * 0.42, base), (W * 0.47, top), (W * 0.57, top), (W * 0.62, base)], fill=(236, 232, 226))
    for k in range(3):  # red bands
        y0 = top + (base - top) * (0.2 + 0.27 * k)
        y1 = y0 + (base - top) * 0.11
        inset0, inset1 = (y0 - top) / (base - top) * W * 0.05, (y1 - top) / (base - top) * W * 0.05
        draw.polygon([(W * 0.47 - inset0, y0), (W * 0.57 + inset0, y0), (W * 0.57 + inset1, y1),
                      (W * 0.47 - inset1, y1)], fill=(196, 58, 52))
    draw.rectangle([W * 0.46, top - 120, W * 0.58, top], fill=(60, 64, 72))
    draw.polygon([(W * 0.44, top - 120), (W * 0.52, top - 210), (W * 0.60, top - 120)], fill=(176, 52, 48))
    draw.rectangle([W * 0.48, top - 100, W * 0.56, top - 20], fill=(255, 238, 176))
    return image


def waves(rng: np.random.Generator) -> Image.Image:
    c = gradient((24, 70, 96), (6, 24, 40), 0.8)
    y, x = np.mgrid[:H, :W].astype(float)
    for k in range(5):
        crest = np.sin(x / (80 + 30 * k) + k * 1.7 + rng.uniform(0, 6)) * (60 + 20 * k) + H * (0.2 + 0.16 * k)
        foam = np.exp(-((y - crest) / (14 + 6 * k)) ** 2)
        c = c * (1 - foam[..., None] * 0.8) + np.array([232, 244, 246]) * foam[..., None] * 0.8
    rocks = Image.new("L", (W, H), 0)
    ImageDraw.Draw(rocks).ellipse([W * -0.2, H * 0.78, W * 0.55, H * 1.2], fill=255)
    mask = np.asarray(rocks.filter(ImageFilter.GaussianBlur(6)), float)[..., None] / 255
    c = c * (1 - mask) + np.array([30, 28, 32]) * mask
    return grain(c, rng)


def town(rng: np.random.Generator) -> Image.Image:
    c = gradient((10, 14, 40), (44, 36, 78), 1.0)
    glow(c, W * 0.3, H * 0.18, 160, (244, 240, 220), 0.8)
    image = grain(c, rng, 2.5)
    draw = ImageDraw.Draw(image)
    x = 0.0
    while x < W:
        width = rng.uniform(90, 200)
        top = H * rng.uniform(0.42, 0.66)
        draw.rectangle([x, top, x + width, H * 0.8], fill=(18, 20, 34))
        for wy in np.arange(top + 30, H * 0.78, 46):
            for wx in np.arange(x + 18, x + width - 24, 34):
                if rng.random() < 0.45:
                    draw.rectangle([wx, wy, wx + 14, wy + 22], fill=(255, 206, 120))
        x += width + rng.uniform(4, 20)
    water = np.asarray(image, float)
    water[int(H * 0.8):] = water[int(H * 0.8) - 1: int(H * 0.6) - 1: -1][: H - int(H * 0.8)] * 0.45
    return grain(water, rng, 3.0)


def stars(rng: np.random.Generator) -> Image.Image:
    c = gradient((4, 6, 20), (26, 30, 64), 1.4)
    glow(c, W * 0.62, H * 0.3, 900, (120, 96, 170), 0.25)  # the milky band
    sky = Image.new("L", (W, H), 0)
    dots = ImageDraw.Draw(sky)
    for _ in range(900):
        x, y, r = rng.uniform(0, W), rng.uniform(0, H * 0.75), rng.uniform(1, 3.5)
        dots.ellipse([x - r, y - r, x + r, y + r], fill=int(rng.uniform(110, 255)))
    light = np.asarray(sky.filter(ImageFilter.GaussianBlur(1.2)), float)[..., None] / 255
    image = grain(c * (1 - light) + np.array([255, 250, 236]) * light, rng, 2.0)
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, H), (0, H * 0.84), (W * 0.5, H * 0.8), (W, H * 0.86), (W, H)], fill=(8, 8, 14))
    draw.rectangle([W * 0.72, H * 0.62, W * 0.78, H * 0.82], fill=(14, 14, 20))
    beam = Image.new("L", (W, H), 0)
    ImageDraw.Draw(beam).polygon([(W * 0.75, H * 0.6), (0, H * 0.45), (0, H * 0.56)], fill=90)
    light = Image.new("RGB", (W, H), (255, 240, 190))
    return Image.composite(light, image, beam.filter(ImageFilter.GaussianBlur(18)))


SCENES = (("dawn", dawn), ("lighthouse", lighthouse), ("waves", waves), ("town", town), ("stars", stars))


def project(language: str) -> dict:
    shots = [{"id": f"sample-{i + 1}", "media": f"{name}.jpg", "caption": CAPTIONS[language][i], "duration_ms": 3200,
              "camera_move": MOVES[i], "transition": "crossfade" if i else "cut", "transition_ms": 400 if i else 0}
             for i, (name, _) in enumerate(SCENES)]
    return {"schema_version": 1, "id": f"sample-{language}", "language": language, "preset": "douyin",
            "storyboard": {"title": TITLE[language], "hook": HOOK[language], "shots": shots,
                           "description": DESCRIPTION[language], "hashtags": list(HASHTAGS[language])},
            "music": {"library": "lofi_chill", "beat_sync": True}}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, (name, draw) in enumerate(SCENES):
        draw(np.random.default_rng(seed)).save(OUT / f"{name}.jpg", quality=85, optimize=True, progressive=True)
    for language in CAPTIONS:
        text = json.dumps(project(language), ensure_ascii=False, indent=2) + "\n"
        (OUT / f"sample.{language}.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(SCENES)} pictures and {len(CAPTIONS)} projects to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
