"""The studio as a package: ``pip install .`` makes a wheel that holds every module, ``app.py``, the bundled assets
and the ``shortstudio`` command, and the installed command finds those assets from any directory.

Nothing here reaches the network. The wheel is built from a copy of the checkout (so no ``build/`` or
``*.egg-info`` lands in the repository) by this venv's setuptools, without build isolation; the fresh venvs it is
installed into see this venv's dependencies through a ``.pth`` line instead of installing them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = ("studio", "pipelines", "actions", "ui", "cli")  # top-level packages; app.py is a module beside them
NOT_SHIPPED = ("tests", "bench", "scripts")  # Python in the checkout that stays out of the wheel
# Top-level folders the copy of the checkout leaves out: caches, venvs, outputs and build leftovers.
SKIP = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".gradio", "build", "dist", "out",
        "test-artifacts", "studio-data"}


def _requirements(path: Path) -> set[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {_canonical(line) for line in lines if line and not line.startswith("-")}


def _canonical(spec: str) -> str:
    req = Requirement(spec)
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    return f"{canonicalize_name(req.name)}{extras}{req.specifier}"


def test_pyproject_declares_what_the_requirements_files_pin():
    """Two ways to install (scripts/setup.sh with requirements*.txt; ``pip install ".[gpu,dev]"``), one set of pins:
    the base and ``gpu`` dependencies are requirements.txt, requirements-nodeps.txt and pre-requirements.txt's
    torch and torchvision; ``dev`` is requirements-dev.txt's own lines."""
    project = PYPROJECT["project"]
    base = {_canonical(s) for s in project["dependencies"]}
    extras = {name: {_canonical(s) for s in specs} for name, specs in project["optional-dependencies"].items()}
    pinned = _requirements(ROOT / "requirements.txt") | _requirements(ROOT / "requirements-nodeps.txt")
    torch = {s for s in _requirements(ROOT / "pre-requirements.txt") if s.startswith("torch")}
    assert torch == {"torch==2.13.0", "torchvision==0.28.0"}  # torchvision 0.28 is the one built for torch 2.13
    assert base | extras["gpu"] == pinned | torch, (f"only in pyproject: {(base | extras['gpu']) - pinned - torch}; "
                                                    f"only in requirements: {(pinned | torch) - base - extras['gpu']}")
    assert not base & extras["gpu"]
    assert extras["dev"] == _requirements(ROOT / "requirements-dev.txt")
    assert project["scripts"] == {"shortstudio": "cli.main:main"} and project["license"] == "Apache-2.0"


def test_a_plain_install_never_asks_for_torch():
    """Without torch installed first, any torch requirement pulls the newest CUDA build (gigabytes), so only the
    ``gpu`` extra may name it: nothing the base dependencies need, however deep, requires torch (read from the
    installed packages' own metadata)."""
    env = default_environment() | {"extra": ""}
    seen: dict[str, str] = {}  # package -> who asked for it
    todo = [(Requirement(s), "shortstudio") for s in PYPROJECT["project"]["dependencies"]]
    while todo:
        req, parent = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen or (req.marker and not req.marker.evaluate(env)):
            continue
        seen[name] = parent
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # not installed here (another platform's dependency): nothing to follow
        wanted = req.extras
        for spec in dist.requires or ():
            child = Requirement(spec)
            if not child.marker or any(child.marker.evaluate(env | {"extra": e}) for e in ("", *wanted)):
                todo.append((child, name))
    assert "torch" not in seen, f"torch is required through {seen.get('torch')}"
    assert {"gradio", "moviepy", "librosa"} <= seen.keys()  # the walk really followed the dependencies


def _ignore(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == ROOT  # SKIP names top-level folders; caches and build leftovers go at any depth
    return {n for n in names if (top and n in SKIP) or n == "__pycache__" or n.endswith((".egg-info", ".pyc"))}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return env | {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1", "PYTHONNOUSERSITE": "1"}


def _run(args: list, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _venv(path: Path) -> Path:
    """A fresh venv that imports this venv's installed packages (a plain path line: this venv's own .pth files,
    an editable install of the checkout among them, are not run) and installs nothing."""
    _run([sys.executable, "-m", "venv", "--without-pip", path], cwd=path.parent)
    python = path / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], path).strip())
    ours = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "shortstudio-deps.pth").write_text("".join(f"{p}\n" for p in ours), encoding="utf-8")
    return python


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The checkout copied (its caches and venv left out), and the wheel ``pip wheel .`` makes of it."""
    import setuptools

    assert tuple(map(int, setuptools.__version__.split(".")[:2])) >= (77, 0), \
        f"setuptools {setuptools.__version__} cannot build the licence expression; run scripts/setup.sh --dev"
    work = tmp_path_factory.mktemp("package")
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=_ignore, symlinks=True)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", work / "dist", src], cwd=work)
    (wheel,) = (work / "dist").glob("shortstudio-*.whl")
    elsewhere = work / "elsewhere"  # an unrelated working directory for every installed run
    elsewhere.mkdir()
    return {"work": work, "src": src, "wheel": wheel, "elsewhere": elsewhere}


def _checkout_files() -> set[str]:
    """What the wheel must hold, read off the checkout: every module of the shipped packages, app.py, and every
    bundled asset under its installed name."""
    files = {"app.py"}
    for top in SHIPPED:
        files |= {p.relative_to(ROOT).as_posix() for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts}
    assets = ROOT / "assets"
    files |= {f"studio/assets/{p.relative_to(assets).as_posix()}" for p in assets.rglob("*")
              if p.is_file() and not p.name.startswith(".") and "__pycache__" not in p.parts}
    return files


@pytest.mark.slow
def test_the_wheel_holds_every_module_the_assets_the_licence_and_the_command(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        meta = wheel.read(f"{info}/METADATA").decode()
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    expected = _checkout_files()
    shipped = {n for n in names if not n.startswith(f"{info}/")}
    assert expected - shipped == set(), "missing from the wheel (list them in pyproject.toml [tool.setuptools])"
    assert shipped - expected == set(), "shipped but not in the checkout's packages or assets"
    assert {"studio/assets/music/library.json", "studio/assets/caption_styles.json",
            "studio/assets/safety/rules.json"} <= shipped
    assert len([n for n in shipped if n.startswith("studio/assets/music/") and n.endswith(".m4a")]) >= 4
    assert f"{info}/licenses/LICENSE" in names and "License-Expression: Apache-2.0" in meta
    assert "shortstudio = cli.main:main" in entry_points.splitlines()
    assert 'Requires-Dist: torch==2.13.0; extra == "gpu"' in meta
    # every folder of Python in the checkout is shipped or named as staying out: a new package is not forgotten
    with_python = {d.name for d in ROOT.iterdir()
                   if d.is_dir() and d.name not in SKIP and not d.name.startswith(".") and any(d.rglob("*.py"))}
    unplaced = with_python - {*SHIPPED, *NOT_SHIPPED}
    assert not unplaced, f"neither shipped nor named in NOT_SHIPPED: {unplaced}"


def _same_help(command: str, module: str) -> None:
    """``shortstudio --help`` is ``python -m studio --help`` but for the program name (argparse wraps around it)."""
    assert " ".join(command.replace("shortstudio", "PROG").split()) == \
        " ".join(module.replace("python -m studio", "PROG").split())


def _bundled_tracks() -> list[str]:
    library = json.loads((ROOT / "assets" / "music" / "library.json").read_text(encoding="utf-8"))
    return [track["id"] for track in library["tracks"]]


@pytest.mark.slow
def test_the_installed_wheel_runs_from_any_directory_with_its_own_assets(built):
    venv = built["work"] / "venv"
    python = _venv(venv)
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", built["wheel"]], cwd=built["work"])
    here = built["elsewhere"]
    command = venv / "bin" / "shortstudio"
    _same_help(_run([command, "--help"], here), _run([python, "-m", "studio", "--help"], here))
    music = _run([command, "music"], here)
    assert all(name in music for name in _bundled_tracks()), music
    found = Path(_run([python, "-c", "import studio.assets; print(studio.assets.assets_dir())"], here).strip())
    assert found.is_relative_to(venv) and found.name == "assets" and found.parent.name == "studio", found
    assert not found.is_relative_to(ROOT)
    for module in ("app", "cli.main", "pipelines.video.ltx", "actions", "ui.api"):  # importable, from the venv
        where = Path(_run([python, "-c", f"import {module} as m; print(m.__file__)"], here).strip())
        assert where.is_relative_to(venv), (module, where)


@pytest.mark.slow
def test_an_editable_install_runs_the_checkout_from_any_directory(built):
    """What scripts/setup.sh does (``pip install --no-deps -e .``), on the copy: the command and ``python -m studio``
    run from another directory and read the checkout's own assets/ folder."""
    venv = built["work"] / "editable"
    python = _venv(venv)
    _run([python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-e", built["src"]],
         cwd=built["work"])
    here = built["elsewhere"]
    music = _run([venv / "bin" / "shortstudio", "music"], here)
    assert all(name in music for name in _bundled_tracks()), music
    assert "usage: python -m studio" in _run([python, "-m", "studio", "--help"], here)
    found = Path(_run([python, "-c", "import studio.assets; print(studio.assets.assets_dir())"], here).strip())
    assert found == built["src"] / "assets"
