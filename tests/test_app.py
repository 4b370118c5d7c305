"""The thin studio UI: the "compose" API endpoint end to end, its error edge, and the page in Chromium.

Renders use the draft preset (540x960) and 1 s shots so the whole module stays well under a minute.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from tests.helpers.media import make_clip, make_image, make_tone
from tests.helpers.net import free_port

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "ui"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
CAPTIONS = ["第一个镜头：春天来了 🌸", "Second shot, with emoji 🎬✨", "最后一个镜头 🚀"]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ui-media")
    fake = folder / "notes.png"
    fake.write_text("this is a text file, not a picture\n", encoding="utf-8")
    return {
        "landscape": make_image(folder / "landscape.png", (800, 600), (220, 80, 40), "gradient"),
        "portrait": make_image(folder / "portrait.jpg", (600, 900), (30, 90, 200), "checker"),
        "clip": make_clip(folder / "clip.mp4", seconds=1.0, size=(320, 240), fps=25, with_audio=True),
        "music": make_tone(folder / "music.wav", seconds=4.0, freq=440.0, rate=44100),
        "fake": fake,
    }


@pytest.fixture(scope="module")
def client(studio_app):
    from gradio_client import Client

    return Client(studio_app.url, verbose=False, download_files=str(studio_app.settings.data_dir / "downloads"))


def compose_args(files: list[Path], captions: str = "", music: Path | None = None, **overrides) -> list:
    from gradio_client import handle_file

    options = {"preset": "draft", "style": "bold_stroke", "transition": "crossfade", "fit": "cover",
               "shot_seconds": 1.0, "title": "", "visible_label": True, "library_music": "", "beat_sync": False,
               **overrides}
    voiceover = options.pop("voiceover", None)
    return [[handle_file(str(f)) for f in files], captions, handle_file(str(music)) if music else None,
            *options.values(), handle_file(str(voiceover)) if voiceover else None]


def render_folders(studio_app) -> set[Path]:
    return set(studio_app.renders.iterdir()) if studio_app.renders.exists() else set()


def ffprobe(path: str | Path) -> dict:
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30)
    return json.loads(out.stdout)


# -- pure pieces --------------------------------------------------------------------------------------

def test_caption_lines_map_line_i_to_shot_i_and_keep_blank_lines_in_place():
    from app import caption_lines

    assert caption_lines("一\n\n  three  \n\n\n") == ["一", "", "three"]
    assert caption_lines("") == [] and caption_lines(None) == []


def test_importing_app_does_not_load_the_compositor_or_torch():
    code = "import sys, app; heavy = {'torch', 'studio.compositor'} & set(sys.modules); print(sorted(heavy))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_python_app_py_serves_the_page_within_seconds(tmp_path):
    port = free_port()
    env = {**os.environ, "STUDIO_DATA_DIR": str(tmp_path / "data"), "STUDIO_PORT": str(port)}
    log = tmp_path / "server.log"
    started = time.monotonic()
    with log.open("wb") as sink:
        server = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1"], cwd=ROOT, env=env,
                                  stdout=sink, stderr=subprocess.STDOUT)
    try:
        while time.monotonic() - started < 30:
            assert server.poll() is None, log.read_text(errors="replace")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the UI did not answer within 30 s")
        assert time.monotonic() - started < 15
        assert "Short studio" in page
        assert (tmp_path / "data" / "renders").is_dir()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_main_help_shows_host_and_port_defaults_from_settings(capsys):
    import app

    with pytest.raises(SystemExit) as exit_info:
        app.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "--host" in text and "--port" in text and "--share" in text and "127.0.0.1" in text and "7860" in text


# -- the launched app ---------------------------------------------------------------------------------

def test_launch_serves_only_the_renders_folder_and_caps_uploads(studio_app):
    assert studio_app.demo.allowed_paths == [str(studio_app.renders.resolve())]
    assert studio_app.demo.max_file_size == studio_app.settings.max_media_mb * 1024 * 1024
    (compose_fn,) = [fn for fn in studio_app.demo.fns.values() if fn.api_name == "compose"]
    assert compose_fn.concurrency_limit == 1, "one render at a time on a small CPU"


def test_export_handler_reports_frames_done_of_total_through_gradio_progress(tmp_path, media):
    from app import RenderJobs, make_export
    from studio.settings import Settings

    calls: list[tuple] = []
    export = make_export(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path)}), RenderJobs())
    video, files, _ = export([str(media["landscape"])], "进度 progress", None, "draft", "shadow", "cut", "contain",
                             1.0, "", False, "", False, None, SimpleNamespace(session_hash="unit-test"),
                             progress=lambda value, **kw: calls.append((value, kw.get("unit"))))
    frames = [value for value, unit in calls if unit == "frames"]
    assert frames[-1] == (30, 30), "1 s at 30 fps"
    assert [done for done, _ in frames] == sorted(done for done, _ in frames) and len(frames) > 1
    assert Path(video).parent.parent == tmp_path / "renders" and len(files) == 5


def test_compose_endpoint_exports_a_postable_mp4_with_sidecars(studio_app, client, media):
    before = render_folders(studio_app)
    video, files, status = client.predict(
        *compose_args([media["landscape"], media["portrait"], media["clip"]], "\n".join(CAPTIONS), media["music"],
                      title="Hook 标题 🔥"),
        api_name="/compose",
    )

    info = ffprobe(video)
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert (streams["video"]["width"], streams["video"]["height"]) == (540, 960)
    assert streams["video"]["codec_name"] == "h264" and streams["video"]["pix_fmt"] == "yuv420p"
    assert streams["audio"]["codec_name"] == "aac" and streams["audio"]["sample_rate"] == "48000"
    aigc = json.loads({k.lower(): v for k, v in info["format"]["tags"].items()}["aigc"])
    assert aigc["Label"] == "1" and aigc["ContentProducer"]
    assert 1.8 <= float(info["format"]["duration"]) <= 3.2  # three 1 s shots, crossfades overlap

    by_suffix = {"".join(Path(f).suffixes[-2:]) if f.endswith((".cover.jpg", ".project.json")) else Path(f).suffix: f
                 for f in files}
    assert set(by_suffix) == {".mp4", ".srt", ".vtt", ".cover.jpg", ".project.json"}
    srt = Path(by_suffix[".srt"]).read_text(encoding="utf-8")
    assert all(caption in srt for caption in CAPTIONS)
    assert Path(by_suffix[".vtt"]).read_text(encoding="utf-8").startswith("WEBVTT")
    with Image.open(by_suffix[".cover.jpg"]) as cover:
        assert (cover.format, cover.size) == ("JPEG", (540, 960))
    project = json.loads(Path(by_suffix[".project.json"]).read_text(encoding="utf-8"))
    assert project["preset"] == "draft" and len(project["storyboard"]["shots"]) == 3
    assert "s video" in status and "MB" in status

    new = render_folders(studio_app) - before
    assert len(new) == 1, "every export writes to its own new folder"
    assert (next(iter(new)) / "short.mp4").is_file()


def test_bundled_music_with_beat_sync_and_a_voiceover(studio_app, client, media):
    from studio.audio import decode_audio
    from studio.loudness import integrated_lufs

    video, files, status = client.predict(
        *compose_args([media["landscape"], media["portrait"]], "one\ntwo", library_music="lofi_chill",
                      beat_sync=True, shot_seconds=1.6, transition="cut", voiceover=media["music"]),
        api_name="/compose",
    )
    assert "Beat sync: 84 BPM" in status and "LUFS" in status
    project = json.loads(next(Path(f) for f in files if f.endswith(".project.json")).read_text(encoding="utf-8"))
    assert project["music"]["library"] == "lofi_chill" and project["music"]["beat_sync"] is True
    assert project["voiceover"]["path"]
    sound = decode_audio(Path(video), studio_app.settings)
    assert abs(integrated_lufs(sound, 48_000) + 14) <= 1.0


def test_choosing_a_bundled_track_shows_its_preview():
    import app
    from studio.music_library import library

    shown = app.preview_music("sunny_pop")
    assert shown["visible"] is True and shown["value"] == str(library()["sunny_pop"].path)
    assert app.preview_music("")["visible"] is False


@pytest.mark.parametrize(("files", "expected"), [
    (["fake"], "shot 1: notes.png is not a readable image"),
    ([], "add at least one image or clip"),
])
def test_bad_input_gives_the_one_sentence_studio_error_and_changes_nothing(studio_app, client, media, files,
                                                                            expected):
    from gradio_client.exceptions import AppError

    before = render_folders(studio_app)
    with pytest.raises(AppError) as raised:
        client.predict(*compose_args([media[name] for name in files], "caption"), api_name="/compose")
    assert str(raised.value) == expected
    assert "Traceback" not in str(raised.value)
    assert render_folders(studio_app) == before

    video, files_back, _ = client.predict(*compose_args([media["landscape"]], "still works 好"), api_name="/compose")
    assert ffprobe(video)["streams"][0]["width"] == 540 and len(files_back) == 5
    assert len(render_folders(studio_app) - before) == 1, "the good request after it got a folder of its own"


def test_stop_cancels_the_running_export_and_leaves_no_files(studio_app, client, media):
    from gradio_client.exceptions import AppError

    before = render_folders(studio_app)
    job = client.submit(*compose_args([media["landscape"], media["portrait"], media["clip"]], "long one",
                                      shot_seconds=4.0, transition="cut"), api_name="/compose")
    deadline = time.monotonic() + 60
    while not any(unit.unit == "frames" for unit in job.status().progress_data or []):
        assert time.monotonic() < deadline and not job.done(), "the render never reported frame progress"
        time.sleep(0.05)
    client.predict(api_name="/cancel")
    with pytest.raises(AppError) as raised:
        job.result(timeout=60)
    assert str(raised.value) == "the render was cancelled; nothing was written"
    assert render_folders(studio_app) == before


# -- the page in a real browser -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def page(studio_app):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(studio_app.url)
        page.locator("#export").wait_for(timeout=30_000)
        yield page
        browser.close()


def file_row(page, elem_id: str, name: str):
    """A file listed by a gr.File component (it shows the name split into stem and extension)."""
    return page.locator(f'#{elem_id} td.filename[aria-label="{name}"]')


@pytest.mark.browser
def test_browser_upload_captions_export_shows_the_video(page, media):
    page.screenshot(path=ARTIFACTS / "01-start.png", full_page=True)

    page.locator("#media input[type=file]").set_input_files([media["landscape"], media["portrait"]])
    file_row(page, "media", "portrait.jpg").wait_for(timeout=30_000)
    page.locator("#captions textarea").fill("\n".join(CAPTIONS[:2]))
    page.locator("#preset input").click()
    page.get_by_role("option", name="Draft preview (540x960)").click()
    page.get_by_role("listbox").wait_for(state="hidden")
    page.get_by_label("Shot length, s (镜头时长)").fill("1")
    page.screenshot(path=ARTIFACTS / "02-filled.png", full_page=True)

    page.locator("#export").click()
    page.locator("#result video").wait_for(timeout=120_000)
    file_row(page, "downloads", "short.srt").wait_for(timeout=30_000)
    page.screenshot(path=ARTIFACTS / "03-exported.png", full_page=True)

    assert page.locator("#result video").get_attribute("src")
    assert page.locator("#status textarea").input_value().startswith("Done: ")
    names = [cell.get_attribute("aria-label") for cell in page.locator("#downloads td.filename").all()]
    assert names == ["short.mp4", "short.srt", "short.vtt", "short.cover.jpg", "short.project.json"]


@pytest.mark.browser
def test_browser_bad_upload_shows_the_studio_message_not_a_traceback(page, media):
    from playwright.sync_api import expect

    page.reload()
    page.locator("#media input[type=file]").set_input_files([media["fake"]])
    file_row(page, "media", "notes.png").wait_for(timeout=30_000)
    page.locator("#export").click()
    toast = page.get_by_text("shot 1: notes.png is not a readable image")
    expect(toast).to_be_in_viewport(ratio=1, timeout=30_000)  # the toast slides in
    page.screenshot(path=ARTIFACTS / "04-error.png", animations="disabled")  # the toast has landed
    assert "Traceback" not in page.content()
