"""Caption rendering with the real fonts, checked by looking at pixels.

Sample images go to test-artifacts/captions/ so a person can look at them after a run.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from studio.errors import CaptionError, EnvironmentProblem
from studio.project.model import CaptionStyle
from studio.project.styles import caption_style, caption_style_presets
from studio.text.captions import RenderedText, render_caption, render_hook_title, render_label
from studio.text.fonts import SYSTEM_FONT_DIRS, FontBook, default_font_book
from studio.text.layout import NO_LINE_END, NO_LINE_START, word_spans

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "captions"
PLAIN = CaptionStyle(stroke_px=0, color="#FFFFFF")  # no outline, shadow or box: ink is the glyphs
HIGHLIGHT = (255, 212, 0)  # the default style's #FFD400


@pytest.fixture(scope="module")
def fonts() -> FontBook:
    return default_font_book()


def rgba(result: RenderedText) -> np.ndarray:
    return np.asarray(result.image.convert("RGBA")).astype(int)


def saturated(pixels: np.ndarray) -> np.ndarray:
    """Opaque pixels with a clear hue: emoji colour, never white text or a black outline."""
    rgb = pixels[..., :3]
    return (pixels[..., 3] > 200) & (rgb.max(axis=-1) - rgb.min(axis=-1) > 80)


def reference_mask(font: ImageFont.FreeTypeFont, text: str, direction: str = "ltr") -> np.ndarray:
    """The text drawn directly with one font, cropped like the renderer crops (alpha > 4)."""
    left, top, right, bottom = font.getbbox(text, anchor="ls", direction=direction)
    image = Image.new("L", (right - left + 8, bottom - top + 8))
    ImageDraw.Draw(image).text((4 - left, 4 - top), text, font=font, fill=255, anchor="ls", direction=direction)
    image = image.crop(image.point(lambda v: 255 if v > 4 else 0).getbbox())
    return np.asarray(image) > 127


def mismatch(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of differing pixels between two masks, best over one-pixel shifts (sub-pixel pen
    positions can move a glyph by a pixel)."""
    h, w = max(a.shape[0], b.shape[0]) + 2, max(a.shape[1], b.shape[1]) + 2
    big_a = np.zeros((h, w), bool)
    big_a[1 : 1 + a.shape[0], 1 : 1 + a.shape[1]] = a
    best = 1.0
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            big_b = np.zeros((h, w), bool)
            big_b[dy : dy + b.shape[0], dx : dx + b.shape[1]] = b
            best = min(best, (big_a != big_b).sum() / max(1, (big_a | big_b).sum()))
    return best


def ink_columns(mask: np.ndarray) -> tuple[int, int]:
    cols = np.flatnonzero(mask.any(axis=0))
    return int(cols[0]), int(cols[-1])


def save(result: RenderedText, name: str, backdrop: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image = result.image
    if backdrop:  # stripes of light and dark footage, so outline, shadow and box can be judged
        canvas = Image.new("RGBA", (image.width + 40, image.height + 40), (60, 90, 60, 255))
        for x in range(0, canvas.width, 40):
            canvas.paste((215, 215, 190, 255), (x, 0, x + 20, canvas.height))
        canvas.alpha_composite(image, (20, 20))
        image = canvas
    image.save(ARTIFACTS / f"{name}.png")


# --- Chinese, emoji ------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["直", "骨"])
def test_chinese_uses_simplified_chinese_glyph_forms_not_japanese(fonts: FontBook, char: str) -> None:
    result = render_caption(char, PLAIN, max_width_px=400, scale=2.0, fonts=fonts)
    face = fonts.chain("sans", True)[0]
    assert "SC" in face.name.split()

    def reference(index: int) -> np.ndarray:
        font = ImageFont.truetype(str(face.path), result.font_px, index=index, layout_engine=ImageFont.Layout.RAQM)
        return reference_mask(font, char)

    drawn = rgba(result)[..., 3] > 127
    sc, jp = reference(face.index), reference(0)
    assert mismatch(jp, sc) > 0.1, "JP and SC glyphs should differ for this character"
    assert mismatch(drawn, sc) < 0.03, "caption must match the SC face"


def test_chinese_caption_with_emoji_draws_white_text_and_coloured_emoji(fonts: FontBook) -> None:
    result = render_caption("今天很开心😀", caption_style("bold_stroke"), max_width_px=900, scale=1.0, fonts=fonts)
    pixels = rgba(result)
    white = (pixels[..., :3].min(axis=-1) > 240) & (pixels[..., 3] > 240)
    colour = saturated(pixels)
    assert white.sum() > 2000, "Han glyphs should be drawn in the text colour"
    assert colour.sum() > 1500, "the emoji should be a colour bitmap, not an empty box or grey outline"
    assert ink_columns(colour)[0] > 0.9 * 5 * result.font_px, "the emoji follows the five Han glyphs"


def test_outline_is_not_drawn_over_emoji(fonts: FontBook) -> None:
    outlined = caption_style("bold_stroke", stroke_px=12)
    with_outline = render_caption("中😀🇨🇳", outlined, max_width_px=900, scale=1.0, fonts=fonts)
    without = render_caption("中😀🇨🇳", PLAIN, max_width_px=900, scale=1.0, fonts=fonts)
    assert with_outline.image.width > without.image.width, "the outline should still surround the line"
    assert saturated(rgba(with_outline)).sum() >= 0.98 * saturated(rgba(without)).sum()


@pytest.mark.parametrize(
    ("sequence", "colourful"),
    [("👨\u200d👩\u200d👧\u200d👦", False), ("🇨🇳", True), ("🇺🇸", True), ("👍🏽", True), ("1\ufe0f\u20e3", False)],
    ids=["zwj-family", "flag-cn", "flag-us", "skin-tone", "keycap"],
)
def test_emoji_sequences_render_as_one_glyph(fonts: FontBook, sequence: str, colourful: bool) -> None:
    single = render_caption("😀", PLAIN, max_width_px=900, scale=1.0, fonts=fonts).image
    result = render_caption(sequence, PLAIN, max_width_px=900, scale=1.0, fonts=fonts)
    assert result.image.width < 1.3 * single.width, f"{sequence!r} fell apart into several glyphs"
    pixels = rgba(result)
    assert (pixels[..., 3] > 200).mean() > 0.4, "one solid emoji, not an outline or an empty box"
    if colourful:  # Noto draws the family and keycap in grey-blue; flags and skin tones are vivid
        assert saturated(pixels).sum() > 1000


def test_emoji_are_centred_on_the_han_glyphs_beside_them(fonts: FontBook) -> None:
    pixels = rgba(render_caption("中😀中", PLAIN, max_width_px=900, scale=1.0, fonts=fonts))
    rows = np.arange(pixels.shape[0])
    emoji_rows = rows[saturated(pixels).any(axis=1)]
    text_rows = rows[((pixels[..., :3].min(axis=-1) > 240) & (pixels[..., 3] > 200)).any(axis=1)]
    emoji_centre = (emoji_rows[0] + emoji_rows[-1]) / 2
    text_centre = (text_rows[0] + text_rows[-1]) / 2
    assert abs(emoji_centre - text_centre) < 0.08 * 64


# --- layout ----------------------------------------------------------------------------------------

LONG_MIXED = "今天我们来聊一聊AI video tools如何改变短视频创作🔥，第一步：写好脚本！Then shoot."


@pytest.mark.parametrize("preset", sorted(caption_style_presets()))
def test_no_caption_is_wider_than_the_maximum_width(fonts: FontBook, preset: str) -> None:
    style = caption_style(preset, max_lines=6)
    result = render_caption(LONG_MIXED, style, max_width_px=520, scale=1.0, fonts=fonts)
    assert result.image.width <= 520
    assert len(result.lines) >= 3
    assert "".join(result.lines).replace(" ", "") == LONG_MIXED.replace(" ", "")


@pytest.mark.parametrize("width", [300, 360, 420, 480, 540, 600])
def test_kinsoku_holds_on_real_captions(fonts: FontBook, width: int) -> None:
    text = "“别急。”他说：「先看光线，再看构图……」（很重要！）这就是第一课。"
    lines = render_caption(text, caption_style("box", max_lines=6), max_width_px=width, scale=1.0, fonts=fonts).lines
    assert len(lines) > 1
    assert not any(line[0] in NO_LINE_START for line in lines), lines
    assert not any(line[-1] in NO_LINE_END for line in lines), lines


def test_long_latin_word_is_broken_rather_than_overflowing(fonts: FontBook) -> None:
    word = "Supercalifragilisticexpialidocious"
    result = render_caption(word, PLAIN.model_copy(update={"max_lines": 4}), max_width_px=400, scale=1.0, fonts=fonts)
    assert result.image.width <= 400
    assert len(result.lines) >= 2 and "".join(result.lines) == word


def test_explicit_newline_is_kept(fonts: FontBook) -> None:
    result = render_caption("短\n两行", PLAIN, max_width_px=900, scale=1.0, fonts=fonts)
    assert result.lines == ("短", "两行")


def test_lines_are_evenly_spaced_and_descenders_are_not_clipped(fonts: FontBook) -> None:
    result = render_caption("中中中\n中中中\n中中中", PLAIN, max_width_px=900, scale=1.0, fonts=fonts)
    rows = (rgba(result)[..., 3] > 127).any(axis=1)
    starts = [i for i in range(len(rows)) if rows[i] and (i == 0 or not rows[i - 1])]
    assert len(starts) == 3
    pitch = 64 * PLAIN.line_spacing
    assert all(abs(b - a - pitch) <= 1 for a, b in zip(starts, starts[1:], strict=False)), starts

    latin = render_caption("gjpqy", PLAIN, max_width_px=900, scale=1.0, fonts=fonts)
    font = fonts.font(fonts.chain("sans", True)[0], latin.font_px)
    top, bottom = font.getbbox("gjpqy", anchor="ls")[1::2]
    assert latin.image.height >= bottom - top - 1


def test_long_text_shrinks_before_it_gives_up(fonts: FontBook) -> None:
    style = caption_style("bold_stroke", max_lines=2)
    text = "这一句字幕稍微有一点长所以需要缩小一点字号才能放进两行里面"
    result = render_caption(text, style, max_width_px=900, scale=1.0, fonts=fonts)
    assert len(result.lines) == 2
    assert round(64 * 0.75) <= result.font_px < 64


def test_text_that_cannot_fit_raises_caption_error(fonts: FontBook) -> None:
    with pytest.raises(CaptionError, match="does not fit in 2 lines"):
        render_caption(
            "很长的字幕" * 20, caption_style("bold_stroke", max_lines=2), max_width_px=900, scale=1.0, fonts=fonts
        )


def test_empty_text_is_a_caller_error(fonts: FontBook) -> None:
    with pytest.raises(ValueError, match="empty"):
        render_caption("  ", PLAIN, max_width_px=900, scale=1.0, fonts=fonts)


def test_characters_without_a_font_raise_caption_error(fonts: FontBook) -> None:
    with pytest.raises(CaptionError, match="U\\+E000"):
        render_caption("私用\ue000", PLAIN, max_width_px=900, scale=1.0, fonts=fonts)


def test_scale_multiplies_the_font_size(fonts: FontBook) -> None:
    assert render_caption("字", caption_style("box"), max_width_px=900, scale=0.5, fonts=fonts).font_px == 28


# --- RTL -------------------------------------------------------------------------------------------


def test_hebrew_word_before_a_latin_word_on_an_ltr_line_is_left_of_it(fonts: FontBook) -> None:
    text = "Go שלום world"
    (span,) = word_spans(text, ["world"])
    pixels = rgba(render_caption(text, PLAIN, max_width_px=900, scale=1.0, fonts=fonts, highlight=span))
    lit = (np.abs(pixels[..., :3] - HIGHLIGHT).sum(axis=-1) < 30) & (pixels[..., 3] > 200)
    plain = (pixels[..., :3].min(axis=-1) > 240) & (pixels[..., 3] > 200)
    hebrew_and_go = ink_columns(plain)
    assert ink_columns(lit)[0] > hebrew_and_go[1], "'world' must be the rightmost ink"


def test_hebrew_letters_are_drawn_right_to_left(fonts: FontBook) -> None:
    result = render_caption("שלום", PLAIN, max_width_px=900, scale=1.0, fonts=fonts)
    face = next(f for f in fonts.chain("sans", True) if fonts.covers(f, "ש"))
    font = fonts.font(face, result.font_px)

    def letters_left_to_right(letters: str) -> np.ndarray:
        # One letter per call, so nothing (not even raqm's own bidi) can reorder them.
        image = Image.new("L", (8 * result.font_px, 3 * result.font_px))
        x = 10.0
        for letter in letters:
            ImageDraw.Draw(image).text((x, 2 * result.font_px), letter, font=font, fill=255, anchor="ls")
            x += font.getlength(letter)
        image = image.crop(image.point(lambda v: 255 if v > 4 else 0).getbbox())
        return np.asarray(image) > 127

    drawn = rgba(result)[..., 3] > 127
    reversed_order, logical_order = letters_left_to_right("םולש"), letters_left_to_right("שלום")
    assert mismatch(drawn, reversed_order) < 0.03 and mismatch(drawn, logical_order) > 0.2


def test_arabic_letters_join(fonts: FontBook) -> None:
    joined = render_caption("ببب", PLAIN, max_width_px=900, scale=1.0, fonts=fonts).image.width
    isolated = render_caption("ب", PLAIN, max_width_px=900, scale=1.0, fonts=fonts).image.width
    assert joined < 0.8 * 3 * isolated, "joined (initial/medial/final) forms are narrower than isolated ones"


def test_arabic_sentence_with_number_renders_rtl_with_digits_on_the_left(fonts: FontBook) -> None:
    text = "السعر 100 دولار"
    (span,) = word_spans(text, ["100"])
    pixels = rgba(render_caption(text, PLAIN, max_width_px=900, scale=1.0, fonts=fonts, highlight=span))
    lit = (np.abs(pixels[..., :3] - HIGHLIGHT).sum(axis=-1) < 30) & (pixels[..., 3] > 200)
    plain = (pixels[..., :3].min(axis=-1) > 240) & (pixels[..., 3] > 200)
    left, right = ink_columns(lit)
    assert plain[:, :left].any() and plain[:, right + 1 :].any(), "the number sits between the two words"


# --- highlight ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("style_name", ["bold_stroke", "box"])
def test_highlight_recolours_exactly_the_highlighted_word(fonts: FontBook, style_name: str) -> None:
    text = "我们 hello world 你好"
    style = caption_style(style_name)
    (span,) = word_spans(text, ["hello"])
    plain = rgba(render_caption(text, style, max_width_px=900, scale=1.0, fonts=fonts))
    lit = rgba(render_caption(text, style, max_width_px=900, scale=1.0, fonts=fonts, highlight=span))
    assert plain.shape == lit.shape, "highlight states must not change the caption's size"
    assert (plain[..., 3] == lit[..., 3]).all(), "highlight states must have identical ink"
    changed = (np.abs(plain - lit).sum(axis=-1) > 0).any(axis=0)
    yellow = (np.abs(lit[..., :3] - HIGHLIGHT).sum(axis=-1) < 30).any(axis=0)
    left, right = np.flatnonzero(changed)[[0, -1]]
    assert yellow.sum() > 50
    # Only the columns of "hello": compare against where "hello" sits in the plain layout.
    width = plain.shape[1]
    assert 0.2 * width < left and right < 0.6 * width


# --- hook title, label -------------------------------------------------------------------------------


def test_hook_title_is_big_bold_outlined_and_at_most_three_lines(fonts: FontBook) -> None:
    style = caption_style("shadow")  # no outline in the caption style: the hook still gets one
    result = render_hook_title("3个动作让你的视频播放量翻倍🔥", style, max_width_px=900, scale=1.0, fonts=fonts)
    assert result.font_px == round(62 * 1.5)
    assert 1 < len(result.lines) <= 3 and result.image.width <= 900
    pixels = rgba(result)
    black = (pixels[..., :3].max(axis=-1) < 40) & (pixels[..., 3] > 240)
    assert black.sum() > 5000, "the hook title needs a heavy outline"
    save(result, "hook_shadow_preset")
    save(
        render_hook_title(
            "Stop scrolling: this trick doubles your views 🔥",
            caption_style("box"),
            max_width_px=900,
            scale=1.0,
            fonts=fonts,
        ),
        "hook_box_preset",
    )


def test_hook_title_that_cannot_fit_raises_caption_error(fonts: FontBook) -> None:
    with pytest.raises(CaptionError, match="3 lines"):
        render_hook_title("标题太长了" * 24, caption_style("bold_stroke"), max_width_px=900, scale=1.0, fonts=fonts)


@pytest.mark.parametrize("text", ["AI生成", "AI-generated"])
def test_label_is_white_text_on_a_translucent_pill_with_glyphs_of_the_asked_height(fonts: FontBook,
                                                                                   text: str) -> None:
    result = render_label(text, glyph_px=27, fonts=fonts)
    pixels = rgba(result)
    height = result.image.height
    assert 27 < height < 27 * 2.5 and result.image.width > height
    assert pixels[0, 0, 3] == 0 and pixels[-1, -1, 3] == 0, "rounded corners are transparent"
    assert 100 <= pixels[height // 2, 8, 3] <= 180 and pixels[height // 2, 8, :3].max() < 30, "dark, see-through"
    white = (pixels[..., :3].min(axis=-1) > 200) & (pixels[..., 3] > 200)
    assert white.sum() > 40, "white text on it"
    # The characters a reader reads must be at least the asked height: the capital "A" of the English
    # label (its first glyph), the Han characters of the Chinese one (its last two glyphs).
    columns = np.nonzero(white.any(axis=0))[0]
    glyph = white[:, : columns[0] + round(height * 0.4)] if text.isascii() else white[:, columns[-1] - height // 2:]
    rows = np.nonzero(glyph.any(axis=1))[0]
    assert rows.max() - rows.min() + 1 >= 27
    save(result, f"label_{'en' if text.isascii() else 'zh'}")


# --- fonts -------------------------------------------------------------------------------------------


def test_missing_cjk_font_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentProblem, match="fonts-noto-cjk"):
        FontBook.discover((tmp_path,), search_system=False)


def test_missing_emoji_font_names_the_debian_package(tmp_path: Path, fonts: FontBook) -> None:
    for face in {fonts.chain("sans", False)[0], fonts.chain("sans", True)[0]}:
        os.symlink(face.path, tmp_path / face.path.name)
    with pytest.raises(EnvironmentProblem, match="fonts-noto-color-emoji"):
        FontBook.discover((tmp_path,), search_system=False)


def test_extra_font_dirs_are_searched_before_the_system_ones(tmp_path: Path, fonts: FontBook) -> None:
    for face in (*{fonts.chain("sans", False)[0], fonts.chain("sans", True)[0]}, fonts.emoji):
        os.symlink(face.path, tmp_path / face.path.name)
    book = FontBook.discover((tmp_path,))
    assert book.emoji.path.parent == tmp_path
    assert book.chain("sans", True)[0].path.parent == tmp_path
    assert SYSTEM_FONT_DIRS[0] in book.chain("serif", False)[0].path.parents


# --- word-by-word highlight, samples -----------------------------------------------------------------


def test_stepping_the_highlight_word_by_word_lights_each_glyph_once_and_never_moves_the_caption(
        fonts: FontBook) -> None:
    """Karaoke captions swap one image per word: every state must be the plain caption with exactly that word
    recoloured, so nothing jumps between words. The text wraps after 感, so the 感😎 step spans the line break,
    and the emoji is a colour bitmap that keeps its own colours. (Render speed is measured in bench/captions.py.)"""
    style = caption_style("yellow_pop")  # yellow text, white highlight
    text = "今天教你3招拍出电影感😎，第一招：光线要对！"
    plain_result = render_caption(text, style, max_width_px=940, scale=1.0, fonts=fonts)
    assert plain_result.lines == ("今天教你3招拍出电影感", "😎，第一招：光线要对！")
    plain = rgba(plain_result)
    text_colour = (255, 225, 77)  # yellow_pop's #FFE14D
    lit_colour = (255, 255, 255)  # its highlight colour
    glyphs = (np.abs(plain[..., :3] - text_colour).sum(axis=-1) < 30) & (plain[..., 3] > 240)
    inked_rows = np.flatnonzero(glyphs.any(axis=1))
    gap = int(np.flatnonzero(np.diff(inked_rows) > 1)[0])
    between_lines = (inked_rows[gap] + inked_rows[gap + 1]) // 2
    times_lit = np.zeros(glyphs.shape, int)
    steps: dict[str, tuple[int, int, int, int]] = {}
    for start in range(0, len(text), 2):
        word = text[start : start + 2]
        lit = rgba(render_caption(text, style, max_width_px=940, scale=1.0, fonts=fonts, highlight=(start, start + 2)))
        assert lit.shape == plain.shape and (lit[..., 3] == plain[..., 3]).all(), f"{word}: the caption moved"
        changed = np.abs(lit - plain).sum(axis=-1) > 0
        assert changed.any(), f"{word}: nothing was highlighted"
        assert (np.abs(lit[changed][:, :3] - lit_colour).sum(axis=-1) < 30).mean() > 0.75, f"{word}: not white"
        assert (lit[changed][:, :3] >= plain[changed][:, :3]).all(), f"{word}: only the fill turns lighter"
        times_lit += changed
        rows, cols = np.nonzero(changed)
        steps[word] = (int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max()))
    assert times_lit.max() == 1, "two words lit the same pixel"
    # every glyph of the text colour is lit by its word; yellow left unlit can only be the emoji's own face
    unlit_rows, unlit_cols = np.nonzero(glyphs & (times_lit == 0))
    assert len(unlit_rows) < 0.005 * glyphs.sum(), "some glyphs are never highlighted"
    assert (unlit_rows > between_lines).all() and (unlit_cols < 0.1 * plain.shape[1]).all(), "only the emoji stays"
    first_line = [word for word, (top, bottom, *_) in steps.items() if bottom < between_lines]
    second_line = [word for word, (top, *_) in steps.items() if top > between_lines]
    assert "".join(first_line) == "今天教你3招拍出电影感😎", "感😎 lights 感 on the first line, not the emoji below"
    assert "".join(second_line) == "，第一招：光线要对！"
    for line in (first_line, second_line):
        lefts = [steps[word][2] for word in line]
        rights = [steps[word][3] for word in line]
        assert lefts == sorted(lefts) and all(r < n for r, n in zip(rights, lefts[1:], strict=False)), line


def test_sample_gallery(fonts: FontBook) -> None:
    """Writes the samples a person looks at; each must carry ink and respect the width."""
    text = "今天教你3招拍出电影感😎👨\u200d👩\u200d👧\u200d👦，第一招：光线要对！🇨🇳👍🏽1\ufe0f\u20e3"
    samples = {
        f"caption_{name}": render_caption(text, style, max_width_px=940, scale=1.0, fonts=fonts, highlight=(5, 8))
        for name, style in caption_style_presets().items()
    }
    samples["caption_rtl_mixed"] = render_caption(
        "Hello שלום world 你好 مرحبا بالعالم 2024 😀",
        caption_style("bold_stroke"),
        max_width_px=940,
        scale=1.0,
        fonts=fonts,
    )
    samples["caption_latin_descenders"] = render_caption(
        "Typography: jumping glyphs gjpqy\nand a second paragraph",
        caption_style("serif_subtitle"),
        max_width_px=940,
        scale=1.0,
        fonts=fonts,
    )
    for name, result in samples.items():
        assert result.image.width <= 940 and rgba(result)[..., 3].max() == 255, name
        save(result, name)
