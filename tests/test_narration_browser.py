"""Narration in the browser (English and Chinese) and through the API: the Storyboard tab's voice panel narrates
every shot, shows the selected shot's words with their times and plays a preview line; the ``narrate`` endpoint does
the same for a project JSON. Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LaunchedStudio
from tests.helpers.net import free_port
from tests.helpers.zh import page_untranslated
from tests.test_ui_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, LONG, _textarea_contains, open_studio
from ui.i18n import EN, ZH

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


@pytest.fixture(scope="module")
def voiced_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaunchedStudio]:
    import app
    from studio.settings import Settings

    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path_factory.mktemp("voiced-data")),
                                  "STUDIO_SCRIPT_BACKEND": "template", "STUDIO_VIDEO_BACKEND": "still",
                                  "STUDIO_VOICE_BACKEND": "espeak"})
    port = free_port()
    demo = app.build_demo(settings)
    app.launch(demo, settings, host="127.0.0.1", port=port, prevent_thread_lock=True)
    try:
        yield LaunchedStudio(f"http://127.0.0.1:{port}/", settings, demo)
    finally:
        demo.close(verbose=False)


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "words", "idea", "written"), [
    ("en-US", EN, "A robot waters one flower every morning", "shots by the template writer"),
    ("zh-CN", ZH, "一只猫在上海开了一家小咖啡店", "已用模板写好"),
])
def test_the_storyboard_narrates_every_shot_and_shows_its_timed_words(voiced_app, locale, words, idea, written):
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tag = locale.split("-")[0]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1100}).new_page()
        try:
            open_studio(page, voiced_app.url)
            expect(page.locator("#idea_voice input")).to_have_value(words["choice.voice.auto"])
            page.locator("#idea textarea").fill(idea)
            page.locator("#write_storyboard").click()
            _textarea_contains(page, "idea_status", written)
            page.screenshot(path=ARTIFACTS / f"{tag}-narration-01-idea.png", full_page=True)

            page.get_by_role("tab", name=words["tab.storyboard"]).click()
            page.locator("#shot_caption textarea").wait_for(timeout=30_000)
            page.get_by_text(words["board.narration"]).click()
            expect(page.locator("#shot_narration_info")).to_contain_text(words["board.narration_none"],
                                                                         timeout=30_000)
            page.locator("#narrate_all").click()
            expect(page.locator("#narration_status")).to_contain_text(
                words["status.narrated"].split("{")[0].strip(), timeout=LONG)
            expect(page.locator("#shot_narration_info")).to_contain_text("espeak", timeout=30_000)
            rows = page.locator("#shot_words").get_by_role("row")
            expect(rows.nth(1)).to_be_attached(timeout=30_000)  # the header, then one row per word
            cells = [c.strip() for c in rows.nth(1).get_by_role("gridcell").all_text_contents()]
            assert len(cells) == 3 and cells[0] and 0 <= float(cells[1]) < float(cells[2]) < 20, cells
            expect(page.locator("#shot_narration_audio audio, #shot_narration_audio button").first).to_be_attached()
            page.locator("#shot_narration").scroll_into_view_if_needed()
            page.screenshot(path=ARTIFACTS / f"{tag}-narration-02-narrated.png", full_page=True)

            page.locator("#voice_listen").click()
            expect(page.locator("#voice_preview audio, #voice_preview button").first).to_be_attached(timeout=LONG)
            page.locator("#narrate_shot").click()
            expect(page.locator("#narration_status")).to_contain_text(
                words["status.narrated"].split("{")[0].strip(), timeout=LONG)
            page.screenshot(path=ARTIFACTS / f"{tag}-narration-03-preview-and-regenerate.png", full_page=True)
            if words is ZH:
                user = [idea, *page.locator("#shot_prompt textarea").all_inner_texts(),
                        page.locator("#shot_prompt textarea").input_value(), "espeak", "cmn-latn-pinyin",
                        "en-us", "word_pop"]
                assert not page_untranslated(page, user), page_untranslated(page, user)
            assert "Traceback" not in page.content()
        finally:
            browser.close()


def test_the_narrate_endpoint_speaks_a_project_json(voiced_app, tmp_path):
    from gradio_client import Client

    client = Client(voiced_app.url, verbose=False)
    project_json, _notes = client.predict("A lighthouse keeper counts the ships", api_name="/write_storyboard")
    narrated, files, status = client.predict(project_json, "espeak", "", 1.0, "", False, api_name="/narrate")
    project = json.loads(narrated)
    spoken = [s for s in project["storyboard"]["shots"] if s["voiceover"]]
    assert spoken and all(s["voiceover_audio"] and s["narration"]["backend"] == "espeak" for s in spoken)
    assert len(files) == len(spoken) and all(Path(f).suffix == ".wav" for f in files)
    assert status.startswith(f"{len(spoken)} lines: {len(spoken)} spoken")
    again = client.predict(narrated, "espeak", "", 1.0, spoken[0]["id"], False, api_name="/narrate")[2]
    assert again.startswith("1 lines: 0 spoken, 1 from the cache")
    with pytest.raises(Exception, match="unknown voice backend 'robot'"):
        client.predict(project_json, "robot", "", 1.0, "", False, api_name="/narrate")
