"""Benchmark: one word-highlight state of a caption, against a plain render and Pillow's own drawing.

Run ``.venv/bin/python bench/captions.py [--repeat 20] [--no-write]``. A benchmark, not a test: it prints a table
and writes the ``captions-bench`` section of ``bench/RESULTS.md`` (between its markers, appended at the end the first
time; other sections are never touched). Targets that miss are reported as FAIL, never raised.

Method
------
The caption is the one tests/test_captions.py steps word by word: "今天教你3招拍出电影感😎，第一招：光线要对！" in the
``yellow_pop`` style (70 px bold, 8 px outline, blurred shadow), at most 940 px wide (a douyin caption) and scale 1,
so two lines, Han, a digit, punctuation and a colour emoji. The compositor renders one such image per spoken word
(``build_overlays``), so this is the cost of a word in a karaoke caption. Caches are warmed first (fonts, widths,
the scaled emoji). Each round times, one after the other so machine load hits all alike:

- H: ``render_caption`` with a two-character highlight, once per state (11 states, the whole caption in turn);
- P: ``render_caption`` of the same text without a highlight (the reference: H / P is the highlight's own cost);
- D: Pillow drawing the same two lines, as the renderer broke them, with its CJK face at the same size and the same
  outline width, one ``ImageDraw.text`` call per line onto an RGBA canvas: no emoji font, shadow, line breaking or
  cropping (the floor any Pillow caption renderer starts from: H / D is what the studio's typesetting costs).

Medians in ms per render over ``--repeat`` rounds. Targets: H <= 1.5x P (a highlight state is a plain render plus
one recolour of the fill); and H within one 30 fps frame (33.3 ms), the bound tests/test_captions.py used to assert
as "under 30 ms" (reported for the record: on a shared machine it is the ratios that compare).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT = "今天教你3招拍出电影感😎，第一招：光线要对！"
STYLE = "yellow_pop"
MAX_WIDTH_PX = 940
TARGET_HIGHLIGHT_VS_PLAIN = 1.5
FRAME_MS = 1000 / 30


def bench(repeat: int) -> dict[str, list[float]]:
    from PIL import Image, ImageDraw

    from studio.project.styles import caption_style
    from studio.text.captions import render_caption
    from studio.text.fonts import default_font_book

    fonts = default_font_book()
    style = caption_style(STYLE)
    states = [(start, start + 2) for start in range(0, len(TEXT), 2)]

    def render(highlight: tuple[int, int] | None = None):
        return render_caption(TEXT, style, max_width_px=MAX_WIDTH_PX, scale=1.0, fonts=fonts, highlight=highlight)

    plain = render()
    face = fonts.chain(style.font, style.bold)[0]
    font = fonts.font(face, plain.font_px)
    pitch = plain.font_px * style.line_spacing
    canvas_size = plain.image.size

    def pillow() -> Image.Image:
        image = Image.new("RGBA", canvas_size)
        draw = ImageDraw.Draw(image)
        for number, line in enumerate(plain.lines):
            draw.text((style.stroke_px, style.stroke_px + plain.font_px + number * pitch), line, font=font,
                      fill=style.color, stroke_width=style.stroke_px, stroke_fill=style.stroke_color, anchor="ls")
        return image

    for highlight in (None, *states):  # warm every cache the timed calls use
        render(highlight)
    pillow()

    times: dict[str, list[float]] = {"H": [], "P": [], "D": []}
    for _ in range(repeat):
        for highlight in states:
            started = time.perf_counter()
            render(highlight)
            times["H"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            render()
            times["P"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            pillow()
            times["D"].append((time.perf_counter() - started) * 1000)
    times["lines"] = list(plain.lines)  # type: ignore[assignment]
    times["size"] = list(plain.image.size)  # type: ignore[assignment]
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    times = bench(args.repeat)
    med = {key: statistics.median(times[key]) for key in ("H", "P", "D")}
    p90 = {key: sorted(times[key])[int(0.9 * (len(times[key]) - 1))] for key in ("H", "P", "D")}
    ratio = med["H"] / med["P"]
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    width, height = times["size"]
    rows = (
        ("H", "`render_caption` with a two-character highlight (each of the 11 states)"),
        ("P", "`render_caption`, the same text without a highlight"),
        ("D", "Pillow `ImageDraw.text` of the same two lines, one face, same outline"),
    )
    lines = [
        "## Captions: one word-highlight state (bench/captions.py)",
        "",
        f"Generated by `.venv/bin/python bench/captions.py --repeat {args.repeat}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(shared machine: compare the ratios). Method in the module docstring.",
        "",
        f"Caption: {STYLE}, {width}x{height} px, lines {' / '.join(times['lines'])}; "
        f"{len(times['H'])} renders of each kind.",
        "",
        "| what | median ms | p90 ms | vs P | vs D |",
        "|---|---|---|---|---|",
        *(f"| {key} {label} | {med[key]:.2f} | {p90[key]:.2f} | {med[key] / med['P']:.2f}x | "
          f"{med[key] / med['D']:.2f}x |" for key, label in rows),
        "",
        f"- **{verdict(ratio <= TARGET_HIGHLIGHT_VS_PLAIN)}** a highlight state costs <= "
        f"{TARGET_HIGHLIGHT_VS_PLAIN:g}x a plain render: {med['H']:.2f} ms / {med['P']:.2f} ms = {ratio:.2f}x",
        f"- **{verdict(med['H'] < FRAME_MS)}** a highlight state renders inside one 30 fps frame "
        f"({FRAME_MS:.1f} ms): {med['H']:.2f} ms = {med['H'] / FRAME_MS:.2f} frames; the studio's typesetting "
        f"(fallback fonts, emoji, shadow, highlight) is {med['H'] / med['D']:.2f}x Pillow drawing the lines alone",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        from bench.results import write_section

        write_section("captions-bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
