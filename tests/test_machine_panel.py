"""The This machine tab and the Idea tab's line about it: the doctor's report and the Models panel as the page shows
them, in English and Chinese, with the server's folders only where the page may manage models; who may download and
remove through the page (``STUDIO_MODELS_PANEL``); and, in Debian's Chromium, the line on the Idea tab opening the
panel, a tiny model downloaded from a Hub of our own on 127.0.0.1 with the page's button, and removed again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.machine import doctor
from pipelines.models import CachedModel, ModelState
from pipelines.services import Services
from studio.machine import Gpu, GpuProbe
from studio.models import Stage
from studio.settings import HubEnvironment, Settings
from tests.helpers.hub import HubServer
from tests.helpers.zh import zh_untranslated
from tests.test_ui_browser import ARTIFACTS, LONG, browser  # noqa: F401 (the fixture)
from ui.i18n import EN, ZH
from ui.machine import (
    hardware_markdown,
    may_manage_models,
    model_choices,
    models_markdown,
    stages_markdown,
    summary_line,
)

NO_GPU = GpuProbe((), "test")
RTX = GpuProbe((Gpu("NVIDIA GeForce RTX 4090", 24564),), "test")


def settings_for(tmp_path: Path, **values: str) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"), **values})


@pytest.fixture
def hub(tmp_path: Path) -> HubEnvironment:
    return HubEnvironment(endpoint="http://127.0.0.1:9", cache_dir=tmp_path / "hf" / "hub", offline=True)


@pytest.mark.parametrize(("values", "share", "space", "manage"), [
    ({}, False, False, True),  # python app.py on one's own machine
    ({}, True, False, False),  # --share: a public link
    ({}, False, True, False),  # a Hugging Face Space
    ({"STUDIO_HOST": "0.0.0.0"}, False, False, False),  # the LAN can reach it
    ({"STUDIO_HOST": "::1"}, False, False, True),
    ({"STUDIO_HOST": "localhost"}, False, False, True),
    ({"STUDIO_HOST": "0.0.0.0", "STUDIO_MODELS_PANEL": "manage"}, True, True, True),  # the operator says so
    ({"STUDIO_MODELS_PANEL": "view"}, False, False, False),
])
def test_who_may_download_through_the_page(tmp_path, values, share, space, manage):
    assert may_manage_models(settings_for(tmp_path, **values), share=share, space=space) is manage


def test_the_idea_tabs_line_in_both_languages(tmp_path, hub):
    settings = settings_for(tmp_path, STUDIO_SCRIPT_BACKEND="template")
    cpu = doctor(settings, hub, gpu_probe=lambda: NO_GPU)
    voices = cpu.stage(Stage.VOICE).backend  # which backend speaks each language: "espeak (zh), piper (en)"
    assert summary_line(cpu, EN) == f"CPU drafts: still images · script: template · voice: {voices}"
    assert summary_line(cpu, ZH) == f"CPU 草稿：静图运镜 · 脚本：模板 · 配音：{voices}"
    gpu = doctor(settings, hub, gpu_probe=lambda: RTX, torch_probe=lambda: "2.13.0")
    gpu_line = summary_line(gpu, ZH)
    assert gpu_line.startswith("24 GB 显卡：") and "生成视频" in gpu_line, gpu_line


def test_a_page_that_may_only_look_never_shows_the_servers_folders(tmp_path, hub):
    settings = settings_for(tmp_path, STUDIO_SCRIPT_MODEL=str(tmp_path / "my-chat-model"))
    (tmp_path / "my-chat-model").mkdir()  # a folder that is not a chat model: the report names it
    report = doctor(settings, hub, gpu_probe=lambda: NO_GPU)
    managed = hardware_markdown(report, EN, manage=True) + stages_markdown(report, EN, manage=True)
    looked = hardware_markdown(report, EN, manage=False) + stages_markdown(report, EN, manage=False)
    managed, looked = managed.replace("\\", ""), looked.replace("\\", "")  # Markdown's escapes
    assert str(tmp_path) in managed, "the operator sees where things are"
    assert str(tmp_path) not in looked and "my-chat-model" in looked, looked


def test_the_report_reads_in_chinese(tmp_path, hub):
    for probe in (NO_GPU, RTX):
        report = doctor(settings_for(tmp_path), hub, gpu_probe=lambda probe=probe: probe, torch_probe=lambda: None)
        text = hardware_markdown(report, ZH, manage=False) + stages_markdown(report, ZH, manage=False)
        assert "各环节用什么" in text and "怎样获得" in text
        assert not zh_untranslated(text), zh_untranslated(text)


def _listing(tmp_path: Path, commercial: str = "off", partial: str | None = None):
    from actions.machine import list_models

    services = Services(settings_for(tmp_path, STUDIO_COMMERCIAL_USE=commercial))
    hub = HubEnvironment(endpoint="http://127.0.0.1:9", cache_dir=tmp_path / "hf", offline=True)
    listing = list_models(services, hub=hub, gpu_probe=lambda: NO_GPU)
    if partial:  # as the cache reports an interrupted download
        rows = tuple(r if r.model.id != partial else
                     type(r)(r.model, CachedModel(partial, ModelState.PARTIAL, 1_500_000_000), r.fits,
                             r.in_this_version, r.refused) for r in listing.rows)
        listing = type(listing)(listing.tier, listing.cache_dir, listing.free_bytes, rows, listing.others,
                                listing.commercial_use)
    return listing


def test_the_models_table_names_size_licence_and_state(tmp_path):
    listing = _listing(tmp_path, partial="Qwen/Qwen2.5-1.5B-Instruct")
    table = models_markdown(listing, EN, manage=True)
    qwen = next(line for line in table.splitlines() if "Qwen/Qwen2.5-1.5B-Instruct" in line)
    assert "3.1 GB" in qwen and "Apache-2.0" in qwen and "partly downloaded (1.5 GB)" in qwen
    turbo = next(line for line in table.splitlines() if "stabilityai/sd-turbo" in line)
    assert "**non-commercial weights**" in turbo and "not in this version" not in turbo  # the keyframes stage
    assert "(more than this machine has)" in next(line for line in table.splitlines() if "FLF2V" in line)
    ids, first = model_choices(listing)
    assert first == "Qwen/Qwen2.5-1.5B-Instruct", "the first model that fits and adds something, not yet here"
    assert "stabilityai/sd-turbo" in ids
    table = table.replace("\\", "")  # Markdown's escapes
    assert str(tmp_path / "hf") in table and str(tmp_path / "hf") not in models_markdown(listing, EN, manage=False)
    zh = models_markdown(listing, ZH, manage=False)
    assert "非商用权重" in zh and "下载了一部分" in zh and not zh_untranslated(zh), zh_untranslated(zh)


def test_commercial_use_marks_the_refused_weights(tmp_path):
    table = models_markdown(_listing(tmp_path, commercial="on"), EN, manage=True)
    turbo = next(line for line in table.splitlines() if "stabilityai/sd-turbo" in line)
    assert "refused: STUDIO_COMMERCIAL_USE is on" in turbo
    ids, first = model_choices(_listing(tmp_path, commercial="on"))
    assert first != "stabilityai/sd-turbo"


def test_a_public_page_has_no_download_button(tmp_path):
    import app

    settings = settings_for(tmp_path, STUDIO_SCRIPT_BACKEND="template", STUDIO_VIDEO_BACKEND="still")
    for share, present in ((True, False), (False, True)):
        demo = app.build_demo(settings, share=share)
        try:
            rows = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "models_download"]
            assert len(rows) == 1
            row = next(b for b in demo.blocks.values()
                       if getattr(b, "elem_id", None) is None and rows[0] in getattr(b, "children", []))
            assert row.visible is present
            events = [d for d in demo.config["dependencies"] if d["targets"] and
                      any(t[0] == rows[0]._id for t in d["targets"])]
            assert events, "the button is wired; its handler refuses on a page that may only look"
        finally:
            demo.close(verbose=False)


# -- in the browser ---------------------------------------------------------------------------------------------

TINY = {"config.json": b'{"model_type": "tiny"}', "model.safetensors": b"\0" * 3_000_000,
        "tokenizer.json": b"{}"}


@pytest.fixture
def local_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The studio's actions read the Hub's variables when they run: point them at a Hub of our own."""
    import huggingface_hub.constants

    with HubServer({"tiny/chat": TINY}) as server:
        monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setenv("HF_HUB_OFFLINE", "0")
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
            monkeypatch.delenv(name, raising=False)
        yield server


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "words"), [("en-US", EN), ("zh-CN", ZH)])
def test_the_panel_in_the_browser_downloads_and_removes_a_model(browser, studio_app, local_hub,  # noqa: F811
                                                                 locale, words):
    from playwright.sync_api import expect

    tag = locale.split("-")[0]
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    try:
        page.goto(studio_app.url)
        line = page.locator("#machine_summary")
        expect(line).to_contain_text(words["machine.summary_still"], timeout=LONG)
        page.screenshot(path=str(ARTIFACTS / f"machine-summary-{tag}.png"))
        page.click("#machine_details")
        expect(page.locator("#machine_stages")).to_contain_text(words["machine.stages"], timeout=LONG)
        expect(page.locator("#models_table")).to_contain_text("Qwen/Qwen2.5-1.5B-Instruct")
        page.screenshot(path=str(ARTIFACTS / f"machine-panel-{tag}.png"), full_page=True)
        pick = page.locator("#models_pick input")
        pick.fill("tiny/chat")
        pick.press("Enter")
        page.click("#models_download")
        said = words["models.downloaded"].split("{")[0].strip()
        expect(page.locator("#models_status textarea")).to_have_value(re.compile(re.escape(said)), timeout=LONG)
        expect(page.locator("#models_table")).to_contain_text("tiny/chat")
        page.screenshot(path=str(ARTIFACTS / f"machine-downloaded-{tag}.png"), full_page=True)
        pick.fill("tiny/chat")
        pick.press("Enter")
        page.click("#models_remove")
        gone = words["models.removed"].split("{")[0].strip()
        expect(page.locator("#models_status textarea")).to_have_value(re.compile(re.escape(gone)), timeout=LONG)
        expect(page.locator("#models_table")).not_to_contain_text("tiny/chat")
    finally:
        context.close()
