"""The hostile-input corpus (tests/helpers/hostile.py) through the named API of one launched studio (tight
limits, 1 MB uploads): each case is refused with the studio's one sentence (no traceback text), nothing is
written under the data folder, and the server still answers afterwards. Plus the launch's own guards:
served paths, the upload cap, and no endpoint that takes a URL or a folder from a visitor."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import hostile
from tests.helpers.media import make_image
from tests.helpers.net import free_port

API = [c for c in hostile.all_cases() if "api" in c.surfaces]
TEXT_SHOT = {"id": "t1", "visual_prompt": "a paper boat on a rainy street", "duration_ms": 1000}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    import app as studio_app
    from studio.settings import Settings

    data = tmp_path_factory.mktemp("hostile-data")
    settings = Settings.from_env({**hostile.LIMITS, "STUDIO_DATA_DIR": str(data), "STUDIO_MAX_MEDIA_MB": "1"})
    port = free_port()
    demo = studio_app.build_demo(settings)
    studio_app.launch(demo, settings, host="127.0.0.1", port=port, prevent_thread_lock=True)
    try:
        yield f"http://127.0.0.1:{port}/", settings, demo
    finally:
        demo.close(verbose=False)


@pytest.fixture(scope="module")
def client(app, tmp_path_factory):
    from gradio_client import Client

    return Client(app[0], verbose=False, download_files=str(tmp_path_factory.mktemp("downloads")))


def _serving(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status == 200


def _compose_media(client, files, music=None, voiceover=None):
    from gradio_client import handle_file

    return client.predict([handle_file(str(f)) for f in files], "caption", handle_file(str(music)) if music else None,
                          "draft", "bold_stroke", "cut", "cover", 0.5, "", True, "", False,
                          handle_file(str(voiceover)) if voiceover else None, api_name="/compose_media")


def _call(client, case: hostile.Case, value, folder: Path):
    good = make_image(folder / "good.png", (64, 96))
    if case.kind == "shot":
        return _compose_media(client, [value])
    if case.kind == "music":
        return _compose_media(client, [good], music=value)
    if case.kind == "voiceover":
        return _compose_media(client, [good], voiceover=value)
    if case.kind == "project":
        text = value.decode("utf-8")
        return client.predict(text, True, api_name="/compose")
    if case.kind == "idea":
        return client.predict(value, 30, "douyin", "cinematic", "auto", "", "", None, api_name="/write_storyboard")
    if case.kind == "video_model":
        project = json.dumps(hostile.project_data([TEXT_SHOT]))
        return client.predict(project, "ltx", value, 1, 0, 0, 0, api_name="/render_all")
    raise AssertionError(case.kind)


def _params(cases):
    return [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(reason=c.api_xfail, strict=True)] if c.api_xfail
                         else []) for c in cases]


@pytest.mark.parametrize("case", _params(API))
def test_the_api_refuses_each_case_in_one_sentence_and_keeps_serving(case, app, client, tmp_path):
    from gradio_client.exceptions import AppError

    url, settings, _ = app
    folder = tmp_path / "case"
    folder.mkdir()
    value = case.make(folder)
    before = hostile.tree(settings.data_dir)
    with pytest.raises(AppError) as raised:
        _call(client, case, value, folder)
    message = str(raised.value)
    assert "Traceback" not in message and "File \"" not in message
    assert (case.api_needle or case.needle) in message and "\n" not in message, message
    assert hostile.tree(settings.data_dir) == before, "a refused call wrote under the data folder"
    assert _serving(url)


def test_every_api_case_is_counted():
    assert len(API) >= 50


def test_no_endpoint_takes_a_url_or_a_script_model_from_a_visitor(client):
    names = {p["parameter_name"] for endpoint in client.view_api(print_info=False, return_format="dict")
             ["named_endpoints"].values() for p in endpoint["parameters"]}
    assert not {n for n in names if "url" in n.lower() or n in ("model", "script_model", "llm_model")}, names


def test_uploads_over_the_size_cap_are_refused_and_the_server_keeps_serving(app, client, tmp_path):
    url, settings, demo = app
    assert demo.max_file_size == 1 * 2**20
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + b"\0" * (2 * 2**20))
    before = hostile.tree(settings.data_dir)
    with pytest.raises(Exception) as raised:  # gradio refuses it at upload, before any handler runs
        _compose_media(client, [big])
    assert "Traceback" not in str(raised.value)
    assert hostile.tree(settings.data_dir) == before
    assert _serving(url)


@pytest.mark.parametrize("path", ["/etc/passwd", "{data}/.browser-secret", "{data}/shots", "{repo}/app.py",
                                  "{data}/renders/../.browser-secret"])
def test_only_renders_and_projects_are_served(app, path):
    url, settings, demo = app
    assert demo.allowed_paths == [str((settings.data_dir / "renders").resolve()),
                                  str((settings.data_dir / "projects").resolve())]
    target = path.format(data=settings.data_dir, repo=Path(__file__).resolve().parent.parent)
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{url}gradio_api/file={target}", timeout=10)
    assert raised.value.code in (403, 404)


def test_a_title_never_becomes_a_path_outside_the_render_folder(app, tmp_path):
    from actions import bundle_name, export_bundle
    from studio.project.model import Project, Storyboard

    for title in ("../../../../tmp/evil", "/etc/passwd", "..", "a/b\\c\x00d", "CON", "名字 🎬 ../x"):
        folder = tmp_path / "render"
        folder.mkdir()
        project = Project(storyboard=Storyboard(title=title))
        bundle = export_bundle(project, tmp_path, folder / bundle_name(project))
        assert bundle.parent == folder and bundle.name.endswith(".bundle.zip"), bundle
        assert "/" not in bundle.name and ".." not in bundle.name.removesuffix(".bundle.zip")
        bundle.unlink()
        folder.rmdir()
