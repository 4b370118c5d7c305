"""The storyboard's card strip (ui.cards.strip_html) and the tab around it: each card carries its shot's id and its
real picture as a small inline JPEG (the keyframe's colours, no server path), the selected card is marked, captions
are text and never markup, the words follow the browser's language, and the tab wires a drop to the move action
and the seamless-cut checkbox to the editor."""

from __future__ import annotations

import base64
import io
import re

import gradio as gr
import pytest
from PIL import Image

from pipelines.services import Services
from studio.project.limits import JobQuota
from studio.project.model import Project, Shot, ShotSource
from studio.settings import Settings
from ui.cards import strip_html
from ui.context import Studio
from ui.i18n import EN, ZH, t
from ui.session import RenderJobs, Workspace

COLOURS = {"red": (220, 30, 40), "green": (30, 200, 60), "blue": (40, 60, 230)}


def _keyframes_project(root) -> Project:
    folder = root / "keyframes"
    folder.mkdir(parents=True)
    shots = []
    for name, colour in COLOURS.items():
        Image.new("RGB", (288, 512), colour).save(folder / f"{name}.png")
        shots.append(Shot(id=name, caption=f"{name} <b>&", source=ShotSource.IMAGE,
                          source_media=f"keyframes/{name}.png"))
    return Project().with_shots([*shots, Shot(id="plain", caption="没有图片的镜头")])


def _pictures(html: str) -> list[Image.Image]:
    return [Image.open(io.BytesIO(base64.b64decode(data)))
            for data in re.findall(r'src="data:image/jpeg;base64,([^"]+)"', html)]


@pytest.mark.parametrize("words", [EN, ZH])
def test_each_card_carries_its_shot_and_its_keyframes_picture_inline(tmp_path, words):
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")})
    project = _keyframes_project(tmp_path)
    html = strip_html(project, tmp_path, settings, words, selected="green")
    assert re.findall(r'data-shot="([^"]+)"', html) == ["red", "green", "blue", "plain"]
    pictures = _pictures(html)
    assert len(pictures) == 4 and all(p.size == (144, 256) for p in pictures)
    for picture, colour in zip(pictures, COLOURS.values(), strict=False):
        middle = picture.getpixel((72, 128))
        assert max(abs(a - b) for a, b in zip(middle, colour, strict=True)) <= 12, (middle, colour)
    assert pictures[3].getpixel((4, 250)) == pytest.approx((52, 58, 70), abs=12), "a plain card for the 4th"
    assert len(re.findall(r'class="board-card selected"', html)) == 1
    assert re.search(r'class="board-card selected"[^>]*data-shot="green"', html)
    assert "<b>" not in html and "red &lt;b&gt;&amp;" in html, "a caption is text, never markup"
    assert str(tmp_path) not in html, "no server path reaches the page"
    assert words["board.strip"] in html and ("1 · 3.0 s · " if words is EN else "1 · 3.0 秒 · ") in html
    assert words["status.shot.planned"] in html


def test_an_empty_storyboard_says_how_to_start_and_a_missing_picture_is_a_plain_card(tmp_path):
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")})
    assert ZH["board.strip_empty"] in strip_html(Project(), tmp_path, settings, ZH)
    gone = Project().with_shots([Shot(id="x", source=ShotSource.IMAGE, source_media="keyframes/gone.png")])
    assert len(_pictures(strip_html(gone, tmp_path, settings))) == 1


def test_the_tab_wires_a_drop_to_the_move_and_offers_the_seamless_cut(tmp_path):
    from ui.storyboard import build_storyboard_tab

    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")})
    with gr.Blocks() as demo:
        studio = Studio(Services(settings), Workspace(settings), RenderJobs(JobQuota.from_settings(settings)),
                        project=gr.State(None), user=gr.BrowserState(None), selected=gr.State(None))
        with gr.Tabs(), gr.Tab(t("tab.storyboard")):
            build_storyboard_tab(studio)
    strip = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "board_cards")
    events = {event for fn in demo.fns.values() for block, event in fn.targets if block == strip._id}
    assert {"select", "reorder"} <= events
    ends = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "shot_ends_on_next")
    assert isinstance(ends, gr.Checkbox) and not ends.interactive, "off until an image shot is chosen"
    view = next(v for v in studio.views if ends in v.outputs)
    project = _keyframes_project(tmp_path)
    for selected, offered in (("red", True), ("blue", True), ("plain", False)):
        values = view.render(project, selected, tmp_path, EN)
        update = values[view.outputs.index(ends)]
        assert update["interactive"] is offered and update["value"] is False, selected
