"""The ``export_edit`` endpoint through gradio_client against the launched studio: a storyboard rendered with the
still drafts comes back as one zip holding an editor's folder; bad input is one sentence without server paths."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zipfile

import pytest


@pytest.fixture(scope="module")
def client(studio_app):
    from gradio_client import Client

    return Client(studio_app.url, verbose=False, download_files=str(studio_app.settings.data_dir / "downloads"))


@pytest.fixture(scope="module")
def rendered(client) -> dict:
    text, _ = client.predict("A lighthouse keeper feeds a seagull", 15, "draft", "cinematic", "en", "", "", 11,
                             api_name="/write_storyboard")
    project = json.loads(text)
    shots = project["storyboard"]["shots"]
    assert len(shots) >= 2
    first = dict(project, storyboard=dict(project["storyboard"], shots=shots[:1]))
    text, _, _ = client.predict(json.dumps(first), "still", "", 0, 0, 0, 0, api_name="/render_all")
    rendered = json.loads(text)  # the first shot rendered, the second one not yet
    rendered["storyboard"]["shots"] += shots[1:2]
    return rendered


def test_export_edit_returns_the_folder_as_a_zip(client, rendered):
    archive, status = client.predict(json.dumps(rendered), "fcpxml", api_name="/export_edit")
    with zipfile.ZipFile(archive) as bundle:
        names = bundle.namelist()
        top = names[0].split("/")[0]
        assert {f"{top}/project.fcpxml", f"{top}/README.md", f"{top}/captions.srt"} <= set(names)
        assert any(n.startswith(f"{top}/media/shot-01") for n in names)
        root = ET.fromstring(bundle.read(f"{top}/project.fcpxml").split(b"\n", 2)[2])
        readme = bundle.read(f"{top}/README.md").decode("utf-8")
    assert root.find("resources/format").get("height") == "960"
    assert len(root.findall(".//spine/asset-clip")) == 1 and root.findall(".//spine/gap")
    assert "Final Cut" in readme and "shot 2 not rendered yet" in readme
    assert "fcpxml" in status and "shot(s) 2 not rendered yet" in status


def test_the_default_format_is_shotcuts(client, rendered):
    archive, _ = client.predict(json.dumps(rendered), api_name="/export_edit")
    with zipfile.ZipFile(archive) as bundle:
        assert any(n.endswith("/project.mlt") for n in bundle.namelist())


def test_bad_input_is_one_sentence_without_server_paths(studio_app, client, rendered):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as raised:
        client.predict(json.dumps(rendered), "avid", api_name="/export_edit")
    assert "unknown editor format 'avid'" in str(raised.value)
    broken = json.loads(json.dumps(rendered))
    broken["storyboard"]["shots"][0]["media"] = "shots/gone.mp4"
    with pytest.raises(AppError) as raised:
        client.predict(json.dumps(broken), "mlt", api_name="/export_edit")
    message = str(raised.value)
    assert "shot 1: shots/gone.mp4 is missing" in message and str(studio_app.settings.data_dir) not in message
