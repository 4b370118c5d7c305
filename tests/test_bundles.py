"""Project bundles: a round trip keeps every media file, and hostile zips (zip-slip, absolute paths, links,
zip bombs, a project pointing outside) are refused with one sentence and leave nothing on disk."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from studio.errors import ProjectError, UnsafePathError
from studio.project.bundles import export_bundle, import_bundle
from studio.project.files import project_json, save_project
from studio.project.model import MusicTrack, Project, Shot
from tests.helpers.media import make_image, make_tone


@pytest.fixture()
def saved(tmp_path) -> tuple[Project, Path]:
    folder = tmp_path / "src"
    image = make_image(tmp_path / "pic.png", (64, 96), (200, 40, 40), "gradient")
    music = make_tone(tmp_path / "song.wav", seconds=1.0, freq=440.0, rate=44100)
    project = Project(music=MusicTrack(path=str(music))).with_shots(
        [Shot(id="a", media=str(image), caption="一"), Shot(id="b", caption="two")])
    return save_project(project, folder / "project.json"), folder


def _zip(path: Path, entries: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def test_round_trip_keeps_the_project_and_every_media_file(saved, tmp_path):
    project, root = saved
    bundle = export_bundle(project, root, tmp_path / "out" / "p.bundle.zip")
    assert not list(bundle.parent.glob(".*partial")), "written atomically: no temp file left"
    loaded, target = import_bundle(bundle, tmp_path / "opened")
    assert loaded == project
    assert (target / loaded.shots[0].media).read_bytes() == (root / project.shots[0].media).read_bytes()
    assert (target / loaded.music.path).is_file()


def test_export_refuses_a_project_whose_media_is_missing(saved, tmp_path):
    project, root = saved
    (root / project.shots[0].media).unlink()
    with pytest.raises(ProjectError, match="missing"):
        export_bundle(project, root, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


GOOD = project_json(Project())


@pytest.mark.parametrize(("entries", "links", "error", "needle"), [
    ({"project.json": GOOD, "../evil.txt": b"x"}, (), UnsafePathError, "leaves the project folder"),
    ({"project.json": GOOD, "/etc/evil": b"x"}, (), UnsafePathError, "absolute"),
    ({"project.json": GOOD, "C:/evil": b"x"}, (), UnsafePathError, "absolute or Windows"),
    ({"project.json": GOOD, "a\\..\\..\\evil": b"x"}, (), UnsafePathError, "Windows"),
    ({"project.json": GOOD}, ("media/link",), UnsafePathError, "link"),
    ({"notes.txt": b"hello"}, (), ProjectError, "no project.json"),
    ({"project.json": b"{not json"}, (), ProjectError, "not valid JSON"),
    ({"project.json": project_json(Project().with_shots([Shot(media="missing.png")]))}, (), ProjectError,
     "does not hold it"),
])
def test_hostile_or_broken_bundles_are_refused_and_leave_nothing(tmp_path, entries, links, error, needle):
    bundle = _zip(tmp_path / "bad.zip", entries, links)
    with pytest.raises(error, match=needle):
        import_bundle(bundle, tmp_path / "opened")
    assert not (tmp_path / "opened").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.zip"], "no staging folder left behind"


def test_a_project_json_pointing_outside_its_folder_is_refused(tmp_path):
    data = project_json(Project()).replace(b'"shots": []', b'"shots": [{"media": "../../secret.png"}]')
    with pytest.raises(UnsafePathError):
        import_bundle(_zip(tmp_path / "b.zip", {"project.json": data}), tmp_path / "opened")
    assert not (tmp_path / "opened").exists()


def test_a_zip_bomb_is_refused_by_its_unpacked_size(tmp_path):
    bundle = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.json", GOOD)
        archive.writestr("media/zeros.bin", b"\0" * (3 * 2**20))
    assert bundle.stat().st_size < 2**16
    with pytest.raises(ProjectError, match="unpacks to"):
        import_bundle(bundle, tmp_path / "opened", max_bytes=2**20)
    assert not (tmp_path / "opened").exists()


def test_not_a_zip_and_an_existing_target_are_refused(tmp_path, saved):
    fake = tmp_path / "fake.zip"
    fake.write_text("hello")
    with pytest.raises(ProjectError, match="not a zip"):
        import_bundle(fake, tmp_path / "opened")
    project, root = saved
    with pytest.raises(ProjectError, match="already exists"):
        import_bundle(export_bundle(project, root, tmp_path / "ok.zip"), root)
