"""Colour looks (3D LUTs in .cube files): an identity LUT leaves frames unchanged, a known LUT maps known colours,
the fast path agrees with exact per-pixel interpolation, bad files are one sentence, the bundled looks are what
scripts/make_looks.py makes, and a user's .cube file travels with the project like its media."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.compose.looks import (
    LookFilter,
    Lut3D,
    apply_lut_exact,
    identity_lut,
    parse_cube,
    read_cube,
    write_cube,
)
from studio.errors import CorruptMediaError, MediaTooLargeError, MissingMediaError
from studio.project.effects import Look, bundled_looks

ROOT = Path(__file__).resolve().parent.parent


def photo(size=(160, 120), seed=3) -> Image.Image:
    """Every level of every channel: gradients, noise, pure primaries and greys."""
    w, h = size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    frame = np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x * 7 + y * 3) % 256], -1)
    frame = np.clip(frame + rng.integers(-30, 30, frame.shape), 0, 255)
    frame[:4, :8] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0], [128, 128, 128],
                     [255, 255, 0], [0, 255, 255]]
    return Image.fromarray(frame.astype(np.uint8))


def lut_of(size: int, fn) -> Lut3D:
    grid = identity_lut(size).table
    return Lut3D(size, np.clip(fn(grid), 0, 1))


@pytest.mark.parametrize("size", [2, 17, 33, 65])
@pytest.mark.parametrize("interpolation", ["tetrahedral", "trilinear"])
def test_an_identity_lut_leaves_every_pixel_unchanged(tmp_path, size, interpolation):
    path = write_cube(tmp_path / "identity.cube", identity_lut(size))
    image = photo()
    assert np.array_equal(np.asarray(LookFilter(read_cube(path), interpolation)(image)), np.asarray(image))
    assert np.array_equal(np.asarray(apply_lut_exact(image, read_cube(path), interpolation)), np.asarray(image))


def test_a_known_lut_maps_known_colours(tmp_path):
    """Swap red and blue and halve green: primaries and greys land exactly where the table says."""
    lut = lut_of(17, lambda rgb: np.stack([rgb[..., 2], rgb[..., 1] * 0.5, rgb[..., 0]], -1))
    swapped = LookFilter(read_cube(write_cube(tmp_path / "swap.cube", lut)))
    cells = {(255, 0, 0): (0, 0, 255), (0, 255, 0): (0, 128, 0), (0, 0, 255): (255, 0, 0),
             (255, 255, 255): (255, 128, 255), (0, 0, 0): (0, 0, 0), (255, 255, 0): (0, 128, 255)}
    image = Image.new("RGB", (len(cells), 1))
    image.putdata(list(cells))
    out = list(swapped(image).getdata())
    for (source, wanted), got in zip(cells.items(), out, strict=True):
        assert np.abs(np.subtract(got, wanted)).max() <= 1, (source, got, wanted)


@pytest.mark.parametrize("look", sorted(bundled_looks()))
def test_the_fast_path_is_within_a_level_of_exact_tetrahedral_interpolation(look):
    from studio.compose.looks import look_filter

    lut = read_cube(ROOT / "assets" / "looks" / bundled_looks()[look]["file"])
    image = photo((200, 150))
    fast = np.asarray(look_filter(Look(look=look), None)(image), dtype=np.int16)
    exact = np.asarray(apply_lut_exact(image, lut, "tetrahedral"), dtype=np.int16)
    assert np.abs(fast - exact).max() <= 2 and np.abs(fast - exact).mean() < 0.3
    trilinear = np.asarray(LookFilter(lut, "trilinear")(image), dtype=np.int16)
    assert np.abs(trilinear - np.asarray(apply_lut_exact(image, lut, "trilinear"), dtype=np.int16)).max() <= 2
    assert np.abs(fast - np.asarray(image, dtype=np.int16)).mean() > 2  # a look changes the picture


def test_strength_mixes_the_look_with_the_picture(tmp_path):
    lut = lut_of(9, lambda rgb: 1 - rgb)  # a negative
    image = photo()
    assert np.array_equal(np.asarray(LookFilter(lut, strength=0.0)(image)), np.asarray(image))
    half = np.asarray(LookFilter(lut, "trilinear", strength=0.5)(image), dtype=np.int16)
    assert np.abs(half - 128).max() <= 2  # halfway between a colour and its negative is grey


def test_tabs_comments_and_a_title_are_read():
    text = "# made by hand\nTITLE\t\"Tabs\"\nLUT_3D_SIZE\t2\n\n" + "\n".join(
        f"{r}\t{g}\t{b}" for b in (0, 1) for g in (0, 1) for r in (0, 1))
    lut = parse_cube(text.encode(), "tabs.cube")
    assert lut.size == 2 and lut.title == "Tabs" and np.array_equal(lut.table, identity_lut(2).table)


def test_the_domain_of_a_cube_file_is_honoured():
    text = "LUT_3D_SIZE 2\nDOMAIN_MIN 0 0 0\nDOMAIN_MAX 0.5 0.5 0.5\n" + "\n".join(
        f"{r} {g} {b}" for b in (0, 1) for g in (0, 1) for r in (0, 1))
    lut = parse_cube(text.encode(), "half.cube")
    out = LookFilter(lut, "trilinear")(Image.new("RGB", (1, 1), (64, 64, 64)))
    assert abs(out.getpixel((0, 0))[0] - 128) <= 1  # a quarter of the way in pixels is half way in the domain


@pytest.mark.parametrize(("data", "needle"), [
    (b"\xff\xfe\x00LUT", "not UTF-8 text"),
    (b"TITLE \"x\"\n0 0 0\n", "has no LUT_3D_SIZE line"),
    (b"LUT_1D_SIZE 4\n0 0 0\n", "is a 1D LUT"),
    (b"LUT_3D_SIZE 300\n", "LUT_3D_SIZE 300 is outside 2..65"),
    (b"LUT_3D_SIZE 2.5\n", "is outside 2..65"),
    (b"LUT_3D_SIZE 2\n" + b"0 0 0\n" * 7, "has 7 colour rows; a 2-point LUT has 8"),
    (b"LUT_3D_SIZE 2\n" + b"0 0 0\n" * 7 + b"0 zero 0\n", "line 9 ('0 zero 0') is not three numbers"),
    (b"LUT_3D_SIZE 2\n" + b"0 0 0\n" * 7 + b"0 0 nan\n", "outside -0.5..1.5 (or not finite)"),
    (b"LUT_3D_SIZE 2\n" + b"0 0 0\n" * 7 + b"0 0 9\n", "outside -0.5..1.5"),
    (b"LUT_3D_SIZE 2\nDOMAIN_MAX 0 0 0\n" + b"0 0 0\n" * 8, "DOMAIN_MAX must be above DOMAIN_MIN"),
    (b"LUT_3D_SIZE 2\n" + b"0 0 0\n" * 8 + b"LUT_3D_SIZE 2\n", "comes after the colour rows"),
    (b"#!/bin/sh\nrm -rf /\n", "starts with 'rm'"),
])
def test_a_corrupt_cube_file_is_one_sentence(data, needle):
    with pytest.raises(CorruptMediaError) as raised:
        parse_cube(data, "bad.cube")
    assert needle in str(raised.value) and "\n" not in str(raised.value)


def test_a_huge_or_missing_cube_file_is_refused_before_reading(tmp_path):
    huge = tmp_path / "huge.cube"
    with huge.open("wb") as handle:  # sparse: 17 MB on paper, nothing on disk
        handle.truncate(17 * 2**20)
    with pytest.raises(MediaTooLargeError, match=r"look huge.cube is 17.0 MB; a .cube look is at most 16 MB"):
        read_cube(huge)
    with pytest.raises(MissingMediaError, match="look gone.cube does not exist"):
        read_cube(tmp_path / "gone.cube")


def test_the_bundled_looks_are_what_make_looks_makes(tmp_path, monkeypatch):
    """scripts/make_looks.py writes the checked-in files byte for byte (CC0, listed in looks.json)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_looks", ROOT / "scripts" / "make_looks.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_looks", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path)
    module.main()
    listed = json.loads((ROOT / "assets" / "looks" / "looks.json").read_text(encoding="utf-8"))
    assert json.loads((tmp_path / "looks.json").read_text(encoding="utf-8")) == listed
    for entry in listed["looks"]:
        assert (tmp_path / entry["file"]).read_bytes() == (ROOT / "assets" / "looks" / entry["file"]).read_bytes()
        assert entry["license"].startswith("CC0")
        assert read_cube(ROOT / "assets" / "looks" / entry["file"]).size == entry["size"]


def test_a_users_cube_file_travels_with_the_project(tmp_path):
    """Saved: linked into the project's media folder and named relative to it; bundled: inside the zip; and a
    project file may not point a look outside its folder."""
    from studio.errors import UnsafePathError
    from studio.project.bundles import media_paths
    from studio.project.files import load_project, save_project
    from studio.project.model import Project, Shot
    from tests.helpers.media import make_image

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cube = write_cube(elsewhere / "mine.cube", lut_of(5, lambda rgb: rgb ** 1.2))
    image = make_image(elsewhere / "a.png", (64, 96))
    project = Project(effects=[Look(file=str(cube))]).with_shots([
        Shot(media=str(image), effects=[{"name": "Look", "file": str(cube), "strength": 0.5}])])
    saved = save_project(project, tmp_path / "out" / "p.project.json")
    assert saved.effects[0].file == saved.shots[0].effects[0].file
    assert saved.effects[0].file.startswith("p.project.media/") and not os.path.isabs(saved.effects[0].file)
    assert (tmp_path / "out" / saved.effects[0].file).read_bytes() == cube.read_bytes()
    assert saved.effects[0].file in media_paths(saved)
    loaded, _ = load_project(tmp_path / "out" / "p.project.json")
    assert loaded == saved
    (tmp_path / "out" / "evil.project.json").write_text(json.dumps(
        {"schema_version": 2, "effects": [{"name": "Look", "file": "../../etc/x.cube"}]}), encoding="utf-8")
    with pytest.raises(UnsafePathError, match="leaves the project folder"):
        load_project(tmp_path / "out" / "evil.project.json")
