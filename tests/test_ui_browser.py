"""The studio in Debian's Chromium, once in English and once with a zh-CN browser: type an idea, write the
storyboard, edit a caption, generate the shots, export a draft, download the MP4 (judged by ffprobe), and
reload the page to find the project restored. Screenshots of each step go to test-artifacts/ui/."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers.zh import page_untranslated
from ui.i18n import EN, ZH

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "ui"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
LONG = 120_000


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_studio(page, url: str) -> None:
    """Open the studio and wait for the page load to finish: its handler gives a first visit its user id (kept in
    the browser's storage) and restores the last project. A click sent before that answers acts for no user yet:
    its files would land under a throwaway id, and the restore's refresh could then undo what it showed."""
    page.goto(url)
    page.locator("#idea textarea").wait_for(timeout=30_000)
    page.wait_for_function("() => localStorage.getItem('shortstudio-user') !== null", timeout=LONG)


def _textarea_contains(page, elem_id: str, text: str) -> None:
    page.wait_for_function(
        "([id, text]) => { const box = document.querySelector(`#${id} textarea`); "
        "return box && box.value.includes(text) }",
        arg=[elem_id, text], timeout=LONG)


def _ffprobe(path: Path) -> dict:
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30).stdout)


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "words", "idea", "caption", "said"), [
    ("en-US", EN, "A cat opens a tiny coffee shop", "Edited caption ✨", ("shots by the template writer",
                                                                         "generated", "Done:")),
    ("zh-CN", ZH, "一只猫在上海开了一家小咖啡店", "改过的字幕 ✨", ("已用模板写好", "新生成", "完成：")),
])
def test_idea_to_downloaded_mp4_in_the_browser(browser, studio_app, tmp_path, locale, words, idea, caption, said):
    from playwright.sync_api import expect

    import actions

    def reads_in_chinese(step: str) -> None:
        """On the Chinese page, each step's page and statuses are Chinese (the prompts the models read, the
        examples, the user's own words and file names aside)."""
        if words is ZH:
            user = [idea, caption, *(example[0] for example in actions.EXAMPLE_IDEAS), "short", "prompt",
                    *(page.locator("#shot_prompt textarea").all_inner_texts()),
                    page.locator("#shot_prompt textarea").input_value() if page.locator("#shot_prompt").count()
                    else ""]
            assert not page_untranslated(page, [u for u in user if u]), (step, page_untranslated(page, user))

    tag = locale.split("-")[0]
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    try:
        open_studio(page, studio_app.url)
        expect(page.get_by_role("tab", name=words["tab.storyboard"])).to_be_visible()
        # Choice labels in the browser's language (the values behind them stay the API's).
        expect(page.locator("#idea_preset input")).to_have_value(words["choice.preset.douyin"])
        expect(page.locator("#idea_style input")).to_have_value(words["choice.style.cinematic"])
        page.locator("#idea textarea").fill(idea)
        page.locator("#idea_seconds input[type=number]").fill("15")
        page.locator("#idea_seconds input[type=number]").press("Tab")
        page.screenshot(path=ARTIFACTS / f"{tag}-01-idea.png", full_page=True)

        page.locator("#write_storyboard").click()
        _textarea_contains(page, "idea_status", said[0])
        page.screenshot(path=ARTIFACTS / f"{tag}-02-storyboard-written.png", full_page=True)
        reads_in_chinese("storyboard written")

        page.get_by_role("tab", name=words["tab.storyboard"]).click()
        page.locator("#shot_caption textarea").wait_for(timeout=30_000)
        expect(page.locator("#shot_prompt textarea")).not_to_have_value("", timeout=30_000)
        expect(page.locator("#shot_source input")).to_have_value(words["choice.source.text"])
        expect(page.locator("#board_table")).to_contain_text(words["board.col.camera"])
        page.locator("#shot_caption textarea").fill(caption)
        page.locator("#save_shot").click()
        expect(page.locator("#board_table")).to_contain_text(caption, timeout=30_000)
        page.screenshot(path=ARTIFACTS / f"{tag}-03-caption-edited.png", full_page=True)
        reads_in_chinese("storyboard")

        page.get_by_role("tab", name=words["tab.shots"]).click()
        page.locator("#render_all").click()
        _textarea_contains(page, "shots_status", said[1])
        expect(page.locator("#shot_gallery img, #shot_gallery video").first).to_be_visible(timeout=30_000)
        page.screenshot(path=ARTIFACTS / f"{tag}-04-shots.png", full_page=True)
        reads_in_chinese("shots")

        page.get_by_role("tab", name=words["tab.finish"]).click()
        page.locator("#show_cover").click()
        expect(page.locator("#style_preview img")).to_be_visible(timeout=60_000)
        page.screenshot(path=ARTIFACTS / f"{tag}-05-finish-preview.png", full_page=True)
        reads_in_chinese("finish")

        page.get_by_role("tab", name=words["tab.export"]).click()
        page.locator("#export_draft").click()
        page.locator("#export_video video").wait_for(timeout=LONG)
        _textarea_contains(page, "export_status", said[2])
        row = page.locator("#export_files tr", has=page.locator('td.filename[aria-label="short.mp4"]'))
        with page.expect_download() as download_info:
            row.locator("a").first.click()
        mp4 = tmp_path / "short.mp4"
        download_info.value.save_as(mp4)
        page.screenshot(path=ARTIFACTS / f"{tag}-06-exported.png", full_page=True)
        reads_in_chinese("export")
        for tab in ("projects", "batch", "machine"):  # the tabs this walk does not use, as they first show
            page.get_by_role("tab", name=words[f"tab.{tab}"]).click()
            if tab == "machine":
                expect(page.locator("#machine_stages")).to_contain_text(words["machine.stages"], timeout=30_000)
            page.screenshot(path=ARTIFACTS / f"{tag}-06-{tab}.png", full_page=True)
            reads_in_chinese(tab)
        page.get_by_role("tab", name=words["tab.export"]).click()

        info = _ffprobe(mp4)
        streams = {s["codec_type"]: s for s in info["streams"]}
        assert (streams["video"]["width"], streams["video"]["height"]) == (540, 960)
        assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac"
        assert 12 <= float(info["format"]["duration"]) <= 18
        srt = max(studio_app.renders.glob("*/short.srt"), key=lambda p: p.stat().st_mtime)
        assert caption in srt.read_text(encoding="utf-8"), "the edited caption is in the export"
        assert page.locator("#posting textarea").input_value()

        page.reload()  # the project comes back from the autosave, found by the id in localStorage
        page.get_by_role("tab", name=words["tab.storyboard"]).click()
        expect(page.locator("#board_table")).to_contain_text(caption, timeout=30_000)
        page.screenshot(path=ARTIFACTS / f"{tag}-07-reloaded.png", full_page=True)
    finally:
        context.close()


@pytest.mark.browser
def test_bad_media_shows_the_studio_sentence_not_a_traceback(browser, studio_app, tmp_path):
    from playwright.sync_api import expect

    fake = tmp_path / "notes.png"
    fake.write_text("this is a text file, not a picture\n", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        open_studio(page, studio_app.url)
        page.get_by_text(EN["idea.own_media"]).click()
        page.locator("#media input[type=file]").set_input_files([fake])
        page.locator('#media td.filename[aria-label="notes.png"]').wait_for(timeout=30_000)
        page.locator("#use_media").click()
        toast = page.get_by_text("shot 1: notes.png is not a readable image")
        expect(toast).to_be_in_viewport(ratio=1, timeout=30_000)
        page.screenshot(path=ARTIFACTS / "en-08-error.png", animations="disabled")
        assert "Traceback" not in page.content()
    finally:
        page.close()


def _pick(page, elem_id: str, label: str) -> None:
    """Choose an option of a Gradio dropdown by the label the user sees."""
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=label, exact=True).click()


def _storyboard_with_shots(page, idea: str) -> None:
    """Idea -> storyboard -> every shot generated (the still draft backend), all through the page."""
    open_studio(page, page.context.studio_url)
    page.locator("#idea textarea").fill(idea)
    page.locator("#idea_seconds input[type=number]").fill("15")
    page.locator("#idea_seconds input[type=number]").press("Tab")
    _pick(page, "idea_preset", EN["choice.preset.draft"])
    page.locator("#write_storyboard").click()
    _textarea_contains(page, "idea_status", "shots by the template writer")
    page.get_by_role("tab", name=EN["tab.shots"]).click()
    page.locator("#render_all").click()
    _textarea_contains(page, "shots_status", "generated")


def _image_bytes(page, elem_id: str) -> bytes:
    src = page.locator(f"#{elem_id} img").first.get_attribute("src")
    return page.request.get(src).body()


def _context(browser, studio_app, locale: str = "en-US"):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    context.studio_url = studio_app.url
    return context


@pytest.mark.browser
def test_finish_tab_style_preview_bundled_music_and_beat_sync_reach_the_export(browser, studio_app, tmp_path):
    from playwright.sync_api import expect

    from studio.sound.decode import decode_audio
    from studio.sound.loudness import integrated_lufs

    context = _context(browser, studio_app)
    page = context.new_page()
    try:
        _storyboard_with_shots(page, "A dog learns to skateboard in the park")
        page.get_by_role("tab", name=EN["tab.finish"]).click()
        expect(page.locator("#caption_style input")).to_have_value(EN["choice.caption.bold_stroke"])
        page.locator("#show_cover").click()
        expect(page.locator("#style_preview img")).to_be_visible(timeout=60_000)
        before = _image_bytes(page, "style_preview")
        page.screenshot(path=ARTIFACTS / "en-10-finish-before.png", full_page=True)

        old_src = page.locator("#style_preview img").get_attribute("src")
        _pick(page, "caption_style", EN["choice.caption.box"])
        page.wait_for_function("old => { const img = document.querySelector('#style_preview img'); "
                               "return img && img.src !== old }", arg=old_src, timeout=60_000)
        after = _image_bytes(page, "style_preview")
        assert after != before, "the preview frame shows the new caption style"

        _pick(page, "library_music", "Late Window (calm, lofi, study, cozy; 84 BPM)")
        expect(page.locator("#music_preview audio").first).to_be_attached(timeout=30_000)
        page.locator("#beat_sync input").check()
        page.locator("#hook textarea").fill("Watch him fly 🛹")
        page.locator("#hook textarea").press("Enter")
        page.wait_for_timeout(500)  # the last change saves (always_last) before the export reads the project
        page.screenshot(path=ARTIFACTS / "en-11-finish-music.png", full_page=True)

        page.get_by_role("tab", name=EN["tab.export"]).click()
        page.locator("#export_draft").click()
        _textarea_contains(page, "export_status", "Done:")
        _textarea_contains(page, "export_status", "Beat sync")
        row = page.locator("#export_files tr", has=page.locator('td.filename[aria-label="short.mp4"]'))
        with page.expect_download() as download_info:
            row.locator("a").first.click()
        mp4 = tmp_path / "short.mp4"
        download_info.value.save_as(mp4)
        page.screenshot(path=ARTIFACTS / "en-12-finish-exported.png", full_page=True)
    finally:
        context.close()

    streams = {s["codec_type"]: s for s in _ffprobe(mp4)["streams"]}
    assert streams["audio"]["codec_name"] == "aac"
    assert integrated_lufs(decode_audio(mp4, studio_app.settings), 48_000) > -20, "the music is in the export"
    folder = max(studio_app.renders.glob("*/short.mp4"), key=lambda p: p.stat().st_mtime).parent
    project = json.loads(next(folder.glob("*.project.json")).read_text(encoding="utf-8"))
    assert project["music"] == {**project["music"], "library": "lofi_chill", "beat_sync": True}
    assert project["caption_style"]["preset"] == "box" and project["storyboard"]["hook"] == "Watch him fly 🛹"


@pytest.mark.browser
def test_projects_tab_bundle_round_trip(browser, studio_app, tmp_path):
    from playwright.sync_api import expect

    context = _context(browser, studio_app)
    page = context.new_page()
    try:
        open_studio(page, studio_app.url)
        page.locator("#idea textarea").fill("A robot waters a rooftop garden")
        page.locator("#write_storyboard").click()
        _textarea_contains(page, "idea_status", "shots by the template writer")
        page.get_by_role("tab", name=EN["tab.storyboard"]).click()
        page.locator("#shot_caption textarea").fill("Bundle me 📦")
        page.locator("#save_shot").click()
        expect(page.locator("#board_table")).to_contain_text("Bundle me 📦", timeout=30_000)

        page.get_by_role("tab", name=EN["tab.projects"]).click()
        expect(page.locator("#autosave_note")).to_contain_text("Autosaved", timeout=30_000)
        page.locator("#download_bundle").click()
        link = page.locator("#bundle_file a").first
        link.wait_for(timeout=30_000)
        with page.expect_download() as download_info:
            link.click()
        bundle = tmp_path / "project.bundle.zip"
        download_info.value.save_as(bundle)
        page.screenshot(path=ARTIFACTS / "en-13-projects-bundle.png", full_page=True)

        page.locator("#new_project").click()
        expect(page.locator("#autosave_note")).to_contain_text("Not saved yet", timeout=30_000)
        page.get_by_role("tab", name=EN["tab.storyboard"]).click()
        expect(page.locator("#board_table")).not_to_contain_text("Bundle me", timeout=30_000)

        page.get_by_role("tab", name=EN["tab.projects"]).click()
        page.locator("#bundle_upload input[type=file]").set_input_files([bundle])
        expect(page.locator("#autosave_note")).to_contain_text("Autosaved", timeout=30_000)
        page.screenshot(path=ARTIFACTS / "en-14-projects-opened.png", full_page=True)
        page.get_by_role("tab", name=EN["tab.storyboard"]).click()
        expect(page.locator("#board_table")).to_contain_text("Bundle me 📦", timeout=30_000)
        page.screenshot(path=ARTIFACTS / "en-15-projects-storyboard-back.png", full_page=True)
    finally:
        context.close()

    import zipfile

    with zipfile.ZipFile(bundle) as archive:
        assert "project.json" in archive.namelist()
        assert "Bundle me 📦" in archive.read("project.json").decode("utf-8")


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "words", "example", "caption"), [
    ("en-US", EN, 3, "Before dawn, the sea wakes first"),
    ("zh-CN", ZH, 0, "天还没亮，海先醒了"),
])
def test_examples_fill_the_idea_and_the_sample_project_plays(browser, studio_app, locale, words, example, caption):
    """A first visit: click an example and the idea, its length, platform and style are filled in; open the sample
    project and it is the user's, in the browser's language, with a draft clip to play."""
    from playwright.sync_api import expect

    from actions.examples import EXAMPLE_IDEAS
    from studio.project.files import load_project

    idea, seconds, preset, style, _ = EXAMPLE_IDEAS[example]
    tag = locale.split("-")[0]
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    try:
        open_studio(page, studio_app.url)
        examples = page.locator("#idea_examples")
        expect(examples).to_contain_text(words["idea.examples"])
        examples.get_by_text(idea[:12]).first.click()
        expect(page.locator("#idea textarea")).to_have_value(idea)
        expect(page.locator("#idea_seconds input[type=number]")).to_have_value(str(seconds))
        expect(page.locator("#idea_preset input")).to_have_value(words[f"choice.preset.{preset}"])
        expect(page.locator("#idea_style input")).to_have_value(words[f"choice.style.{style}"])
        page.screenshot(path=ARTIFACTS / f"{tag}-20-example-filled.png", full_page=True)

        page.locator("#open_sample").click()
        _textarea_contains(page, "idea_status", words["status.sample"][:12])
        page.locator("#make_result video").wait_for(timeout=LONG)
        page.screenshot(path=ARTIFACTS / f"{tag}-21-sample-opened.png", full_page=True)
        page.get_by_role("tab", name=words["tab.storyboard"]).click()
        expect(page.locator("#board_table")).to_contain_text(caption, timeout=LONG)
    finally:
        context.close()
    saved = [load_project(p)[0] for p in (studio_app.settings.data_dir / "projects").glob("*/*/project.json")]
    opened = [p for p in saved if p.storyboard.shots and p.storyboard.shots[0].caption == caption]
    assert opened and all(p.id != f"sample-{tag}" for p in opened), "a copy of its own, never the sample's id"
