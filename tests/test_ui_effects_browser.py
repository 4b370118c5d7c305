"""The effect, look and transition pickers in Debian's Chromium: on a shot in the Storyboard tab (transition and its
length, a bundled look, speed; a preview frame and a short preview clip of the transition) and for the whole clip in
the Finish tab (a look its preview frame shows). Screenshots of each step go to test-artifacts/ui/."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from tests.test_ui_browser import ARTIFACTS, _context, _image_bytes, _pick, _storyboard_with_shots, browser  # noqa: F401
from ui.i18n import EN


def _latest_project(studio_app) -> dict:
    files = sorted((studio_app.settings.data_dir / "projects").glob("*/*/project.json"),
                   key=lambda p: p.stat().st_mtime)
    return json.loads(files[-1].read_text(encoding="utf-8"))


def _saturation(data: bytes) -> float:
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)
    return float((rgb.max(axis=2) - rgb.min(axis=2)).mean())


@pytest.mark.browser
def test_shot_and_clip_effects_are_picked_previewed_and_saved(browser, studio_app):  # noqa: F811
    from playwright.sync_api import expect

    context = _context(browser, studio_app)
    page = context.new_page()
    try:
        _storyboard_with_shots(page, "A fox learns to ski down a snowy hill")
        page.get_by_role("tab", name=EN["tab.storyboard"]).click()
        page.locator("#shot_pick input").click()
        page.get_by_role("option").nth(1).click()  # the second shot: it has a transition in
        page.get_by_text(EN["board.fx"]).click()
        _pick(page, "shot_transition", EN["choice.transition.slide_left"])
        page.locator("#shot_transition_s input[type=number]").fill("0.4")
        _pick(page, "shot_look", EN["choice.look.teal_orange"])
        page.locator("#shot_speed input[type=number]").fill("1.5")
        page.locator("#shot_effects textarea").fill("FadeOut(0.3)")
        page.locator("#save_shot").click()
        page.wait_for_timeout(1500)
        shot = _latest_project(studio_app)["storyboard"]["shots"][1]
        assert shot["transition"] == "slide_left" and shot["transition_ms"] == 400
        assert shot["effects"] == [{"name": "FadeOut", "duration": 0.3}, {"name": "Look", "look": "teal_orange"},
                                   {"name": "MultiplySpeed", "factor": 1.5}]

        page.locator("#preview_shot").click()
        expect(page.locator("#shot_preview img")).to_be_visible(timeout=60_000)
        page.locator("#preview_transition").click()
        expect(page.locator("#shot_preview_clip video")).to_be_visible(timeout=120_000)
        page.screenshot(path=ARTIFACTS / "en-30-shot-effects.png", full_page=True)

        page.get_by_role("tab", name=EN["tab.finish"]).click()
        page.locator("#show_cover").click()
        expect(page.locator("#style_preview img")).to_be_visible(timeout=60_000)
        before = _image_bytes(page, "style_preview")
        old_src = page.locator("#style_preview img").get_attribute("src")
        _pick(page, "clip_look", EN["choice.look.mono_noir"])
        page.wait_for_function("old => { const img = document.querySelector('#style_preview img'); "
                               "return img && img.src !== old }", arg=old_src, timeout=60_000)
        after = _image_bytes(page, "style_preview")
        page.screenshot(path=ARTIFACTS / "en-31-clip-look.png", full_page=True)
    finally:
        context.close()
    assert _saturation(after) < _saturation(before) / 3, "the preview frame shows the black-and-white look"
    assert _latest_project(studio_app)["effects"] == [{"name": "Look", "look": "mono_noir"}]
