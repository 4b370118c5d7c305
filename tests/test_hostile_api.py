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
ENDPOINT_KINDS = ("shot", "music", "voiceover", "project", "look", "idea", "video_model")  # where _call sends each
# Cases of those kinds hostile.py keeps to the CLI: what a browser cannot upload (a pipe, a link, a folder, a name
# that is not UTF-8), a file over the upload cap (refused at upload, tested below), and the checks on reading a project
# file (its encoding, its size on disk, media linked beside it) where the API takes the project as text.
NOT_SENDABLE = {"shot-fifo-named-mp4", "shot-link-to-dev-zero", "shot-folder-named-mp4", "shot-link-to-etc-passwd",
                "shot-non-utf8-file-name", "shot-over-the-size-setting", "project-latin1-bytes",
                "project-symlinked-media", "project-over-5-MB", "look-over-16-MB"}
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
    if case.kind == "look":
        from gradio_client import handle_file

        return client.predict(media=[handle_file(str(good))], preset="draft", shot_seconds=0.5,
                              look_file=handle_file(str(value)), api_name="/compose_media")
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


def test_every_case_of_a_kind_an_endpoint_takes_goes_through_the_api_unless_it_cannot():
    """The corpus may grow, never shrink; and a case is left out of the API only when no visitor could send it."""
    assert len(API) >= 50, len(API)
    for case in API:
        assert case.kind in ENDPOINT_KINDS, f"{case.id}: no endpoint takes a {case.kind}"
        assert (case.api_needle or case.needle).strip(), f"{case.id}: no sentence to look for"
    left_out = {c.id for c in hostile.all_cases() if c.kind in ENDPOINT_KINDS and "api" not in c.surfaces}
    assert left_out == NOT_SENDABLE


def test_no_endpoint_takes_a_url_or_a_script_model_from_a_visitor(client):
    names = {p["parameter_name"] for endpoint in client.view_api(print_info=False, return_format="dict")
             ["named_endpoints"].values() for p in endpoint["parameters"]}
    assert not {n for n in names if "url" in n.lower() or n in ("model", "script_model", "llm_model")}, names


def _post_upload(url: str, path: Path) -> tuple[int, str]:
    """POST one file to Gradio's upload route the way a browser does, without gradio_client's own size check."""
    boundary = "hostile-upload-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{url}gradio_api/upload", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_uploads_over_the_size_cap_are_refused_and_the_server_keeps_serving(app, client, tmp_path):
    url, settings, demo = app
    assert demo.max_file_size == 1 * 2**20
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + b"\0" * (2 * 2**20))
    small = make_image(tmp_path / "small.png", (64, 96))
    before = hostile.tree(settings.data_dir)
    # gradio_client reads the cap from the app's config and refuses before sending anything...
    with pytest.raises(ValueError, match=r"big\.png exceeds the maximum file size of 1048576 bytes"):
        _compose_media(client, [big])
    # ...and the server refuses the same upload sent without the client (413), while it takes a small one
    status, text = _post_upload(url, big)
    assert (status, "Traceback" in text) == (413, False), text
    assert "maximum allowed size" in text
    assert _post_upload(url, small)[0] == 200
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
