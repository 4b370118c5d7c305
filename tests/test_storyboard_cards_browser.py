"""The storyboard as cards in Debian's Chromium, in English and with a zh-CN browser: write a storyboard, see one
card per shot above the table (number, length, status, takes, caption in the browser's language), click the second
card and find shot 2 in the editor, move it earlier and see the cards and the table in the new order. Screenshots
go to test-artifacts/ui/cards-en.png and cards-zh.png."""

from __future__ import annotations

import re

import pytest

from tests.test_ui_browser import ARTIFACTS, LONG, _textarea_contains, browser  # noqa: F401 (the fixture)
from ui.i18n import EN, ZH


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "words", "idea", "written"), [
    ("en-US", EN, "A fox learns to bake bread", "shots by the template writer"),
    ("zh-CN", ZH, "一只狐狸学做面包", "已用模板写好"),
])
def test_cards_show_the_shots_select_the_editor_and_follow_a_move(browser, studio_app, locale, words, idea,  # noqa: F811
                                                                    written):
    from playwright.sync_api import expect

    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    try:
        page.goto(studio_app.url)
        page.locator("#idea textarea").wait_for(timeout=30_000)
        page.locator("#idea textarea").fill(idea)
        page.locator("#idea_seconds input[type=number]").fill("15")
        page.locator("#idea_seconds input[type=number]").press("Tab")
        page.locator("#write_storyboard").click()
        _textarea_contains(page, "idea_status", written)
        page.get_by_role("tab", name=words["tab.storyboard"]).click()

        cards = page.locator("#board_cards .thumbnail-item")
        expect(cards.nth(1)).to_be_visible(timeout=30_000)
        rows = page.locator("#board_table").get_by_role("row")  # the header row, then one a shot
        count = cards.count()
        assert count >= 2 and count == rows.count() - 1, (count, rows.count())
        seconds = words["common.col.seconds"]
        planned = words["status.shot.planned"]
        expect(cards.nth(0)).to_contain_text(re.compile(rf"^\s*1 · [\d.]+ {seconds} · {planned} · "))
        expect(cards.nth(1)).to_contain_text(re.compile(rf"^\s*2 · [\d.]+ {seconds} · {planned} · "))
        expect(page.locator("#board_cards img")).to_have_count(count)  # a plain card drawn for each shot

        # the second card selects shot 2 for the editor
        expect(page.locator("#shot_pick input")).to_have_value(re.compile(r"^1\. "))
        cards.nth(1).click()
        expect(page.locator("#shot_pick input")).to_have_value(re.compile(r"^2\. "), timeout=30_000)
        second = page.locator("#shot_caption textarea").input_value()
        assert second and second[:20] in (cards.nth(1).inner_text()), (second, cards.nth(1).inner_text())

        # moved earlier: it is card 1 and row 1, still selected
        page.locator("#shot_up").click()
        expect(cards.nth(0)).to_contain_text(second[:20], timeout=30_000)
        expect(cards.nth(0)).to_contain_text(re.compile(r"^\s*1 · "))
        expect(rows.nth(1)).to_contain_text(second[:20])
        expect(page.locator("#shot_pick input")).to_have_value(re.compile(r"^1\. "))
        expect(page.locator("#shot_caption textarea")).to_have_value(second)
        if words is ZH:  # the cards, buttons and table read in Chinese (the prompts the models read aside)
            from tests.helpers.zh import page_untranslated

            prompt = page.locator("#shot_prompt textarea").input_value()
            assert not page_untranslated(page, [idea, prompt, "short", "prompt"])
        page.locator("#board_cards").scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / f"cards-{locale.split('-')[0]}.png", full_page=False)
    finally:
        page.close()
        context.close()
