"""The Export tab's "Open in your editor" in Debian's Chromium: a storyboard written and rendered in the browser,
then handed to Final Cut's format and downloaded as one zip holding the editor's folder (judged by its files).
Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.test_ui_browser import ARTIFACTS, LONG, _textarea_contains, browser, open_studio  # noqa: F401 (the fixture)
from ui.i18n import EN


@pytest.mark.browser
def test_open_in_your_editor_downloads_the_folder_as_a_zip(browser, studio_app, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    try:
        open_studio(page, studio_app.url)
        page.locator("#idea textarea").fill("A lantern drifts down a quiet river")
        page.locator("#idea_seconds input[type=number]").fill("15")
        page.locator("#idea_seconds input[type=number]").press("Tab")
        page.locator("#write_storyboard").click()
        _textarea_contains(page, "idea_status", "shots by the template writer")
        page.get_by_role("tab", name=EN["tab.shots"]).click()
        page.locator("#render_all").click()
        _textarea_contains(page, "shots_status", "generated")

        page.get_by_role("tab", name=EN["tab.export"]).click()
        page.locator("#editor_format input").click()
        page.get_by_role("option", name=EN["choice.editor.fcpxml"]).click()
        expect(page.locator("#editor_format input")).to_have_value(EN["choice.editor.fcpxml"])
        page.locator("#export_editor").click()
        _textarea_contains(page, "export_status", "Editor hand-off (fcpxml)")
        link = page.locator("#editor_file a").first
        link.wait_for(timeout=LONG)
        with page.expect_download() as download_info:
            link.click()
        archive = tmp_path / "editor.zip"
        download_info.value.save_as(archive)
        page.screenshot(path=ARTIFACTS / "en-20-open-in-editor.png", full_page=True)
    finally:
        context.close()
    with zipfile.ZipFile(archive) as bundle:
        names = bundle.namelist()
    top = Path(names[0]).parts[0]
    assert top.endswith("-fcpxml")
    assert {f"{top}/project.fcpxml", f"{top}/README.md", f"{top}/captions.srt"} <= set(names)
    assert [n for n in names if n.startswith(f"{top}/media/shot-")]
