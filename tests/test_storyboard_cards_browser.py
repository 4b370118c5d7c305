"""The storyboard as cards in Debian's Chromium, in English and with a zh-CN browser.

1. Write a storyboard, see one card per shot above the table (number, length, status, takes, caption in the
   browser's language), click the second card and find shot 2 in the editor, move it earlier with the button and
   see the cards and the table in the new order (cards-en.png, cards-zh.png).
2. Open a project whose shots have keyframes (distinct colours, chosen through the product's keyframe action) and a
   character: the cards show those pictures (pixels of the screenshot at each card), a click selects and marks a
   card, dragging card 3 onto card 1 reorders the cards, the table and the saved project; "end on the next shot's
   picture" is offered for an image shot with a next shot and saved; the character's kind is said on the Keyframes
   tab and saved (cards-drag-en.png, cards-drag-zh.png, ...).
Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from tests.test_ui_browser import ARTIFACTS, LONG, _textarea_contains, browser, open_studio  # noqa: F401 (the fixture)
from ui.i18n import EN, ZH, say


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
        open_studio(page, studio_app.url)
        page.locator("#idea textarea").fill(idea)
        page.locator("#idea_seconds input[type=number]").fill("15")
        page.locator("#idea_seconds input[type=number]").press("Tab")
        page.locator("#write_storyboard").click()
        _textarea_contains(page, "idea_status", written)
        page.get_by_role("tab", name=words["tab.storyboard"]).click()

        cards = page.locator("#board_cards [data-shot]")
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


COLOURS = {"red": (214, 40, 48), "green": (36, 178, 72), "blue": (44, 72, 222)}


def _keyframes_bundle(folder: Path, title: str, captions: list[str]) -> Path:
    """A project of three image shots, each with a one-colour keyframe in the project's keyframes folder chosen
    through the keyframe action, and one character in its bible, packed as the Projects tab opens it."""
    from PIL import Image

    import actions
    from actions import keyframes as act
    from pipelines.keyframes import KEYFRAME_DIR
    from studio.project.model import Bible, BibleEntry, Project, Shot, Storyboard

    root = folder / "project"
    (root / KEYFRAME_DIR).mkdir(parents=True)
    bible = Bible(characters=(BibleEntry(name="Mimi", description="a ginger cat"),))
    project = Project(storyboard=Storyboard(title=title, bible=bible)).with_shots(
        [Shot(id=name, caption=caption, visual_prompt=f"a {name} room") for name, caption in zip(COLOURS, captions,
                                                                                                  strict=True)])
    for name, colour in COLOURS.items():
        Image.new("RGB", (288, 512), colour).save(root / KEYFRAME_DIR / f"{name}.png")
        project = act.choose_keyframe(project, root, name, f"{KEYFRAME_DIR}/{name}.png")
    return actions.export_bundle(project, root, folder / "keyframes.bundle.zip")


def _saved(studio_app, title: str, page, check) -> dict:
    """The autosaved project with this title, once ``check`` holds for it (the save follows the click)."""
    data: dict = {}
    for _ in range(150):
        for path in (studio_app.settings.data_dir / "projects").glob("*/*/project.json"):
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if loaded["storyboard"]["title"] == title:
                data = loaded
                if check(data):
                    return data
        page.wait_for_timeout(200)
    raise AssertionError(f"the saved project never matched: {data.get('storyboard')}")


def _shots(project: dict) -> list[dict]:
    return project["storyboard"]["shots"]


def _colour_at(page, locator) -> tuple[int, int, int]:
    """The screenshot's pixel at the middle of what ``locator`` shows."""
    from PIL import Image

    box = locator.bounding_box()
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    return shot.getpixel((int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2)))


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "words", "captions"), [
    ("en-US", EN, ["The red room", "The green room", "The blue room"]),
    ("zh-CN", ZH, ["红色的房间", "绿色的房间", "蓝色的房间"]),
])
def test_cards_show_the_keyframes_and_a_drag_reorders_the_shots(browser, studio_app, tmp_path, locale, words,  # noqa: F811
                                                               captions):
    from playwright.sync_api import expect

    tag = locale.split("-")[0]
    title = f"Drag {tag} {tmp_path.name}"
    bundle = _keyframes_bundle(tmp_path, title, captions)
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    try:
        open_studio(page, studio_app.url)
        page.get_by_role("tab", name=words["tab.projects"]).click()
        page.locator("#bundle_upload input[type=file]").set_input_files(str(bundle))
        page.get_by_role("tab", name=words["tab.storyboard"]).click()
        cards = page.locator("#board_cards [data-shot]")
        expect(cards).to_have_count(3, timeout=LONG)
        expect(cards.nth(0)).to_contain_text(captions[0])

        # 1. each card shows its shot's keyframe
        page.locator("#board_cards").scroll_into_view_if_needed()
        for i, colour in enumerate(COLOURS.values()):
            seen = _colour_at(page, cards.nth(i).locator("img"))
            assert max(abs(a - b) for a, b in zip(seen, colour, strict=True)) <= 16, (i, seen, colour)
        page.screenshot(path=ARTIFACTS / f"cards-drag-{tag}-1-keyframes.png")

        # 2. a click selects a card's shot and marks that card alone
        cards.nth(1).click()
        expect(page.locator("#shot_pick input")).to_have_value(re.compile(r"^2\. "), timeout=30_000)
        expect(cards.nth(1)).to_have_class(re.compile(r"\bselected\b"))
        expect(page.locator("#board_cards .selected")).to_have_count(1)
        expect(page.locator("#shot_caption textarea")).to_have_value(captions[1])

        # 3. card 3 dragged onto card 1: the shots, the table and the saved project follow; it is the one edited
        cards.nth(2).drag_to(cards.nth(0))
        expect(cards.nth(0)).to_have_attribute("data-shot", "blue", timeout=30_000)
        assert [cards.nth(i).get_attribute("data-shot") for i in range(3)] == ["blue", "red", "green"]
        expect(cards.nth(0)).to_contain_text(re.compile(rf"^\s*1 · .*{captions[2]}"))
        rows = page.locator("#board_table").get_by_role("row")
        for i, caption in enumerate([captions[2], captions[0], captions[1]], start=1):
            expect(rows.nth(i)).to_contain_text(caption)
        expect(page.locator("#shot_pick input")).to_have_value(re.compile(r"^1\. "))
        expect(page.locator("#shot_caption textarea")).to_have_value(captions[2])
        expect(cards.nth(0)).to_have_class(re.compile(r"\bselected\b"))
        assert _colour_at(page, cards.nth(0).locator("img"))[2] > 180, "the blue keyframe moved with its card"
        _saved(studio_app, title, page, lambda p: [s["id"] for s in _shots(p)] == ["blue", "red", "green"])
        page.screenshot(path=ARTIFACTS / f"cards-drag-{tag}-2-dragged.png")

        # 4. the seamless cut: offered for this image shot with a next shot, saved with it; not for the last shot
        ends = page.locator("#shot_ends_on_next input[type=checkbox]")
        expect(page.locator("#shot_ends_on_next")).to_contain_text(words["board.ends_on_next"])
        expect(ends).to_be_enabled()
        ends.check()
        page.locator("#save_shot").click()
        _saved(studio_app, title, page, lambda p: [s.get("ends_on_next") for s in _shots(p)] == [True, False, False])
        page.locator("#shot_ends_on_next").scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / f"cards-drag-{tag}-3-seamless.png")
        cards.nth(2).click()
        expect(page.locator("#shot_pick input")).to_have_value(re.compile(r"^3\. "), timeout=30_000)
        expect(ends).to_be_disabled()
        if words is ZH:
            from tests.helpers.zh import page_untranslated

            assert not page_untranslated(page, [title, "Mimi", *captions, *(f"a {c} room" for c in COLOURS)])

        # 5. the character's kind, said where the character sheet is edited
        page.get_by_role("tab", name=words["tab.keyframes"]).click()
        expect(page.locator("#sheet_character input")).to_have_value("Mimi", timeout=30_000)
        expect(page.locator("#sheet_kind input")).to_have_value(words["choice.entry_kind.unsaid"])
        page.locator("#sheet_kind input").click()
        page.get_by_role("option", name=words["choice.entry_kind.creature"]).click()
        _textarea_contains(page, "keyframes_status", say(words, "keyframes.status.kind", name="Mimi",
                                                         kind=words["choice.entry_kind.creature"]))
        saved = _saved(studio_app, title, page, lambda p: p["storyboard"]["bible"]["characters"][0].get("kind"))
        assert saved["storyboard"]["bible"]["characters"][0]["kind"] == "creature"
        expect(page.locator("#sheet_kind input")).to_have_value(words["choice.entry_kind.creature"])
        page.screenshot(path=ARTIFACTS / f"cards-drag-{tag}-4-kind.png")
    finally:
        page.close()
        context.close()
