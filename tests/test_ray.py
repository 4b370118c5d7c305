"""Shots and batches on a real local Ray cluster (``STUDIO_RAY_ADDRESS``, ``pipelines.cluster``).

One ``ray.init(num_cpus=2, num_gpus=2)`` for the module (two logical GPUs: Ray never checks they exist, and gives
each GPU actor its own ``CUDA_VISIBLE_DEVICES``), dashboard off, no auth token, on loopback, its temp folder in
the test's tmp; every wait has a timeout. Ray is a test requirement (requirements-dev.txt): without it these tests
fail, they do not skip. What they protect:

  * still-image drafts render as Ray tasks and give the same files as in this process; a retried shot whose first
    attempt finished finds it in the shared cache; a worker that does not see the studio's storage says so;
  * a tiny LTX renders on two GPU actors, each loading the model once; a worker killed by its pid in the middle
    of a shot is restarted and the shot is finished once (one cache entry, no duplicate);
  * cancel stops the running shots at their next step and starts no more; the actors stay loaded;
  * a batch of 10 ideas with at most 3 in flight, cancelled half way, resumes where it stopped: nothing lost or
    made twice;
  * an unreachable address is one clear sentence within seconds; without the setting nothing imports Ray.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import ray  # a test requirement: a missing Ray fails here, loudly

from pipelines.batch import BatchDefaults, BatchProgress, BatchStatus, parse_ideas, run_batch
from pipelines.cluster.contract import ShotJob
from pipelines.cluster.ray_runner import RayRunner
from pipelines.make import MakeOptions, MakeStage
from pipelines.script.contract import ScriptRequest
from pipelines.services import Services
from pipelines.shots import VideoOptions, render_shots
from studio.errors import RenderCancelled, SharedStorageError
from studio.project.files import load_project
from studio.project.model import Project, Shot, ShotSource
from studio.project.presets import PresetName
from studio.settings import Settings
from tests.helpers.net import free_port

ROOT = Path(__file__).resolve().parent.parent
# Hang guards, not speed bounds: on a CI machine loaded by other work, actors that import torch and restart after a
# kill take minutes (measured: one test over 300 s with two CPU-bound processes beside the suite on 2 cores).
WAIT_S = 300  # the longest any one step of these tests may wait on the cluster
pytestmark = pytest.mark.timeout(1200)  # and no test waits forever, whatever the cluster does


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ray")
    env = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0",
           "RAY_TMPDIR": str(tmp), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           # the workers import the studio by name, whatever pytest's working folder is
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    ray.init(num_cpus=2, num_gpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=128 * 2**20,
             namespace="shortstudio")
    try:
        yield ray
    finally:
        ray.shutdown()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path_factory.mktemp("ray-data")),
                              "STUDIO_RAY_ADDRESS": "local", "STUDIO_SCRIPT_BACKEND": "template",
                              "STUDIO_VIDEO_BACKEND": "still", "STUDIO_SCRIPT_MODEL": "/no-model"})


@pytest.fixture(scope="module")
def runner(cluster, settings):
    runner = RayRunner(settings, actor_cpus=0)  # GPU actors hold no CPU: the 2 CPUs stay for still tasks
    yield runner
    runner.close()


def _entries(root: Path, suffix: str = ".mp4") -> list[Path]:
    return sorted(root.rglob(f"*{suffix}"))


def test_still_shots_render_as_tasks_and_match_this_process(runner, settings, tmp_path):
    shots = [Shot(id=f"s{i}", visual_prompt=f"a red fox crosses the city, take {i}", seed=i) for i in range(4)]
    shots.append(Shot(id="p", source=ShotSource.PREVIOUS, visual_prompt="close up", seed=9))  # after shot s3
    project = Project().with_shots(shots)
    events = []
    on_ray = render_shots(project, tmp_path / "ray", VideoOptions(backend="still"), Services(settings, runner=runner),
                          progress=events.append)
    here_settings = dataclasses.replace(settings, ray_address=None, shot_cache_dir=tmp_path / "here-cache")
    here = render_shots(project, tmp_path / "here", VideoOptions(backend="still"), Services(here_settings))
    assert [o.status for o in on_ray.outcomes] == ["generated"] * 5
    assert all(o.worker and o.worker != here.outcomes[0].worker for o in on_ray.outcomes)  # not this process
    assert {e.shot_id for e in events} == {s.id for s in shots}  # progress from every shot, through the board
    for a, b in zip(on_ray.outcomes, here.outcomes, strict=True):  # the same key and the same bytes
        assert a.cache_key == b.cache_key and a.media.read_bytes() == b.media.read_bytes()
    assert on_ray.project.shots[4].render is not None  # chained from the previous shot's last frame

    # a retried shot (its worker killed after writing, before reporting) finds the finished entry, on the worker
    backend = runner.backend(VideoOptions(backend="still"))
    jobs = [ShotJob(o.index, o.shot_id, o.cache_key, None) for o in on_ray.outcomes[:2]]  # no request: not needed
    again = list(runner.run(backend, jobs))
    assert sorted(stored.status for _, stored in again) == ["cached", "cached"]

    # a worker that does not see the studio's storage (the probe file the studio wrote is not there) says so
    probe, runner.probe = runner.probe, ".cluster-probe-written-elsewhere"
    try:
        fresh = Project().with_shots([Shot(id="x", visual_prompt="a boat at night", seed=77)])
        with pytest.raises(SharedStorageError, match="is not the studio's: mount the shared storage"):
            render_shots(fresh, tmp_path / "nope", VideoOptions(backend="still"), Services(settings, runner=runner))
    finally:
        runner.probe = probe
    assert not _entries(runner.cache_root, ".json") or all("x" not in p.name for p in _entries(tmp_path / "nope"))


def test_ltx_on_two_gpu_actors_loads_once_each_and_a_killed_worker_finishes_its_shot_once(
        runner, tiny_ltx, tmp_path):
    options = VideoOptions(backend="ltx", model=str(tiny_ltx), width=32, height=32, frames=9, steps=24)
    services = Services(runner.settings, runner=runner)
    project = Project().with_shots([Shot(id=f"k{i}", visual_prompt=f"a fox in the snow {i}", seed=i)
                                    for i in range(4)])
    killed: list[int] = []

    def kill_mid_shot(event) -> None:  # the first shot past its second step: its worker dies by SIGKILL
        if not killed and event.shot_id == "k0" and 2 <= event.step < event.total_steps:
            killed.append(runner.pids["k0"])
            os.kill(killed[0], signal.SIGKILL)

    result = render_shots(project, tmp_path, options, services, progress=kill_mid_shot)
    assert killed, "the test never saw shot k0 in the middle of its steps"
    assert [o.status for o in result.outcomes] == ["generated"] * 4
    assert len(_entries(runner.cache_root)) >= 4 and len({o.cache_key for o in result.outcomes}) == 4
    for outcome in result.outcomes:
        assert len(_entries(runner.cache_root / outcome.cache_key[:2], f"{outcome.cache_key}.mp4")) == 1
    stats = runner.actor_stats()
    assert len(stats) == 2 and {s["cuda_visible_devices"] for s in stats} == {"0", "1"}  # one logical GPU each
    assert [s["loads"] for s in stats] == [1, 1]  # the restarted one loaded again, once
    assert killed[0] not in {s["pid"] for s in stats}  # ... in a new process

    again = render_shots(result.project, tmp_path, options, services)
    assert again.generated == [] and len(again.cached) == 4


def test_cancel_stops_running_shots_at_their_next_step_and_starts_no_more(runner, tiny_ltx, tmp_path):
    options = VideoOptions(backend="ltx", model=str(tiny_ltx), width=32, height=32, frames=9, steps=200)
    services = Services(runner.settings, runner=runner)
    project = Project().with_shots([Shot(id=f"c{i}", visual_prompt=f"a cat on a boat {i}", seed=100 + i)
                                    for i in range(6)])
    before = len(_entries(runner.cache_root))
    stop = threading.Event()
    seen: set[str] = set()

    def progress(event) -> None:
        seen.add(event.shot_id)
        if event.step >= 3:
            stop.set()

    with pytest.raises(RenderCancelled, match="cancelled"):
        render_shots(project, tmp_path, options, services, progress=progress, cancel=stop.is_set)
    assert len(seen) <= 2  # two actors, nothing queued behind them: no third shot ever started
    assert len(_entries(runner.cache_root)) == before  # the running ones stopped between steps, unwritten
    assert [s["loads"] for s in runner.actor_stats()] == [1, 1]  # still loaded, still serving
    one = Project().with_shots([project.shots[0].model_copy(update={"visual_prompt": "a cat"})])
    quick = dataclasses.replace(options, steps=2)
    assert render_shots(one, tmp_path, quick, services).generated == [one.shots[0].id]


def test_a_batch_of_ten_on_ray_cancelled_half_way_resumes_without_losing_or_doubling(runner, settings, tmp_path):
    """Ten ideas, three in flight, storyboard and shots (composing is the same code in the driver with or without a
    cluster, and test_batch.py covers it): cancelled after four, run again, every shot made exactly once."""
    services = Services(settings, runner=runner)
    items = parse_ideas("\n".join(f"idea number {i}: a tiny robot finds flower {i}" for i in range(10)))
    fields = {f.name for f in dataclasses.fields(MakeOptions)}
    options = MakeOptions(stop_after=MakeStage.SHOTS, **({"voice": None} if "voice" in fields else {}))
    defaults = BatchDefaults(request=ScriptRequest(idea="", seconds=15, preset=PresetName.DRAFT), options=options)
    out, lock = tmp_path / "out", threading.Lock()
    started: list[int] = []
    finished: list[int] = []
    in_flight: list[int] = []

    def on_start(item, total) -> None:
        with lock:
            started.append(item.index)
            in_flight.append(len(started) - len(finished))

    def on_finish(result, total) -> None:
        with lock:
            finished.append(result.item.index)

    video = VideoOptions(backend="still")
    first = run_batch(items, out, services, defaults=defaults, video_options=video,
                      progress=BatchProgress(started=on_start, finished=on_finish),
                      cancel=lambda: len(finished) >= 4, ideas_in_flight=3)
    assert first.cancelled and max(in_flight) <= 3
    assert first.count(BatchStatus.OK) >= 4 and first.count(BatchStatus.OK) + first.count(BatchStatus.CANCELLED) == 10
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["cancelled"] and [e["index"] for e in summary["items"]] == list(range(1, 11))

    second = run_batch(items, out, services, defaults=defaults, video_options=video, ideas_in_flight=3)
    assert second.count(BatchStatus.OK) == 10 and not second.cancelled
    made_before = {r.item.index for r in first.items if r.status is BatchStatus.OK}
    keys: list[str] = []
    for result in second.items:
        project, _ = load_project(result.folder / f"{result.item.slug}.project.json")
        shots = [s.render.cache_key for s in project.shots]
        keys += shots
        assert result.shots_generated + result.shots_cached == len(shots)
        if result.item.index in made_before:  # finished by the first run: nothing made again
            assert result.shots_generated == 0
    generated = sum(r.shots_generated for r in first.items if r.status is BatchStatus.OK)
    generated += sum(r.shots_generated for r in second.items)
    assert generated <= len(set(keys))  # the cancelled items' finished shots came from the cache, too
    for key in set(keys):  # each shot is in the shared cache once, complete, with no scratch beside it
        assert [p.name for p in (runner.cache_root / key[:2]).glob(f"*{key}*")] in ([f"{key}.json", f"{key}.png"],
                                                                                   [f"{key}.png", f"{key}.json"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["ok"] == 10 and not summary["cancelled"]


def test_an_unreachable_address_is_one_sentence_within_seconds(tmp_path):
    port = free_port()  # nothing listens there
    env = {**os.environ, "STUDIO_DATA_DIR": str(tmp_path / "data"), "STUDIO_SCRIPT_MODEL": str(tmp_path / "none"),
           "HF_HUB_OFFLINE": "1"}
    env.pop("STUDIO_RAY_ADDRESS", None)
    done = subprocess.run([sys.executable, "-m", "studio", "make", "a fox", "--backend", "template",
                           "--ray", f"127.0.0.1:{port}", "-o", str(tmp_path / "fox.mp4")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=WAIT_S)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert lines == [f"error: cannot reach the Ray cluster at 127.0.0.1:{port} (Connection refused): check "
                     "STUDIO_RAY_ADDRESS and that the cluster's head is running"], done.stderr
    assert not (tmp_path / "fox.project.json").exists()  # nothing written


def test_the_studio_without_the_setting_never_imports_ray(tmp_path):
    code = f"""
import sys
from pathlib import Path
import app
from cli.main import main
from pipelines.services import Services
from pipelines.shots import VideoOptions, render_shots
from studio.project.model import Project, Shot
from studio.settings import Settings

settings = Settings.from_env({{"STUDIO_DATA_DIR": {str(tmp_path / "data")!r}, "STUDIO_VIDEO_BACKEND": "still"}})
app.build_demo(settings)
project = Project().with_shots([Shot(visual_prompt="a fox", seed=1)])
assert render_shots(project, Path({str(tmp_path)!r}), VideoOptions(), Services(settings)).generated
assert main(["doctor"]) == 0
print("ray imported:", "ray" in sys.modules)

# and where Ray is not installed, the setting is refused in one sentence
import dataclasses
from pipelines.cluster import make_runner
from studio.errors import ClusterError

sys.modules["ray"] = None  # what `import ray` and find_spec see without the package
try:
    make_runner(dataclasses.replace(settings, ray_address="local"), Services(settings).video)
except ClusterError as err:
    print("refused:", err)
"""
    env = {k: v for k, v in os.environ.items() if k != "STUDIO_RAY_ADDRESS"}
    env.update({"STUDIO_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"})
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=WAIT_S)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "scale-out      this machine: every shot renders in this process" in done.stdout
    assert "ray imported: False" in done.stdout
    assert done.stdout.strip().endswith('refused: STUDIO_RAY_ADDRESS is set but Ray is not installed: pip install '
                                        '"shortstudio[ray]"')


def _containers(node) -> list[dict]:
    """Every container spec anywhere in a manifest."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                found += value
            else:
                found += _containers(value)
    elif isinstance(node, list):
        for value in node:
            found += _containers(value)
    return found


def test_the_deployment_manifests_agree_on_image_token_storage_and_ray_version():
    import yaml

    docs = {p.name: list(yaml.safe_load_all(p.read_text(encoding="utf-8"))) for p in (ROOT / "deploy").glob("*.yaml")}
    assert set(docs) == {"raycluster.yaml", "rayjob.yaml", "storage.yaml", "studio.yaml"}
    cluster, job = docs["raycluster.yaml"][0], docs["rayjob.yaml"][0]
    assert (cluster["apiVersion"], cluster["kind"], job["kind"]) == ("ray.io/v1", "RayCluster", "RayJob")
    major_minor = ".".join(ray.__version__.split(".")[:2])
    for spec in (cluster["spec"], job["spec"]["rayClusterSpec"]):
        assert spec["rayVersion"].startswith(major_minor + ".")  # the version the studio pins and tests
        gpu = next(g for g in spec["workerGroupSpecs"] if g["groupName"] == "gpu")
        limits = gpu["template"]["spec"]["containers"][0]["resources"]["limits"]
        assert limits["nvidia.com/gpu"] == "1"
    containers = [c for docs_ in docs.values() for d in docs_ for c in _containers(d)]
    assert len(containers) >= 7
    images = {c["image"] for c in containers}
    assert len(images) == 1  # one image: the same Ray and Python everywhere
    for c in containers:  # every node, the app (a driver) and the job submitter hold the token
        env = {e["name"]: e for e in c["env"]}
        assert env["RAY_AUTH_MODE"]["value"] == "token", c["name"]
        assert env["RAY_AUTH_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "studio-ray-token", "key": "auth_token"}
    claim = docs["storage.yaml"][0]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    for c in containers:
        if c["name"] != "ray-job-submitter":  # whatever renders or plans shots sees the shared storage at /shared
            assert {"name": "shared", "mountPath": "/shared"} in c["volumeMounts"], c["name"]
            assert {e["name"]: e.get("value") for e in c["env"]}["STUDIO_SHARED_DIR"] == "/shared"
    app = docs["studio.yaml"][0]["spec"]["template"]["spec"]["containers"][0]
    address = {e["name"]: e.get("value") for e in app["env"]}["STUDIO_RAY_ADDRESS"]
    assert address == f"{cluster['metadata']['name']}-head-svc:6379"  # KubeRay's Service for the head
    assert "--ray auto" in job["spec"]["entrypoint"] and job["spec"]["shutdownAfterJobFinishes"] is True
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert f'"ray[default]=={major_minor}.*"' in dockerfile and "wget" in dockerfile
