"""Models, fetched honestly: ``models list|download|remove`` and the actions behind them, against a Hub of our own on
127.0.0.1 (tests/helpers/hub.py) that serves a tiny diffusers-like model, its weights from a "CDN" on 127.0.0.2.

Every other test runs offline; these turn the Hub on inside the test only: ``HF_ENDPOINT`` at the local server,
``HF_HUB_OFFLINE=0`` and a fresh ``HF_HOME``. huggingface_hub read ``HF_HUB_OFFLINE=1`` when this test process imported
it (conftest), so the fixture also clears that import-time switch for the test, as a process started online has it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from actions.machine import download_model, list_models, remove_model
from pipelines.models import ModelState, cached_models
from pipelines.services import Services
from studio.errors import DownloadCancelled, ModelDownloadError, ModelError
from studio.machine import Gpu, GpuProbe
from studio.models import KNOWN_MODELS, Commercial, Tier, files_to_fetch
from studio.settings import HubEnvironment, Settings
from tests.helpers.hub import COMMIT, HubServer
from tests.helpers.net import free_port

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
BIG = "transformer/diffusion_pytorch_model.safetensors"
WANTED = ["README.md", "model_index.json", "scheduler/scheduler_config.json", "transformer/config.json", BIG,
          "vae/config.json", "vae/diffusion_pytorch_model.safetensors"]


def tiny_repo() -> dict[str, bytes]:
    """A diffusers layout with what a real repository carries beside the weights loading needs: a card picture, a
    single-file checkpoint, an fp16 variant and a folder the pipeline does not name."""
    index = {"_class_name": "TinyPipeline", "_diffusers_version": "0.42.1", "scheduler": ["diffusers", "S"],
             "transformer": ["diffusers", "T"], "vae": ["diffusers", "V"]}
    return {
        "model_index.json": json.dumps(index).encode(),
        "README.md": b"# tiny\nlicense: apache-2.0\n",
        "preview.gif": b"GIF89a" + os.urandom(2000),
        "single_file.safetensors": os.urandom(200_000),
        "scheduler/scheduler_config.json": b'{"num_train_timesteps": 10}',
        "transformer/config.json": b'{"layers": 1}',
        BIG: os.urandom(25 * MiB),  # 3 chunks of huggingface_hub's 10 MiB: room to stop half way
        "transformer/diffusion_pytorch_model.fp16.safetensors": os.urandom(100_000),
        "vae/config.json": b'{"latent": 4}',
        "vae/diffusion_pytorch_model.safetensors": os.urandom(300_000),
        "notes/unused.txt": b"not a component",
    }


REPO = tiny_repo()
TOTAL = sum(len(REPO[name]) for name in WANTED)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    import huggingface_hub.constants

    with HubServer({"tiny/pipeline": REPO}, token="hf_right") as server:
        monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setenv("HF_HUB_OFFLINE", "0")
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE",
                     "TRANSFORMERS_OFFLINE"):
            monkeypatch.delenv(name, raising=False)
        yield server


@pytest.fixture
def services(tmp_path: Path) -> Services:
    return Services(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")}))


def cache() -> HubEnvironment:
    return HubEnvironment.from_env()


seen: list = []  # progress events of the test running now, for cancel callables


@pytest.fixture(autouse=True)
def _fresh_seen():
    seen.clear()


def big_file_started() -> bool:
    """Cancel as soon as the first chunk of the big file has arrived."""
    return any(e.file == BIG for e in seen)


def cdn_gets(server: HubServer) -> list:
    return [e for e in server.log if e.path.startswith("/cdn/") and e.method == "GET"]


def test_only_the_files_loading_needs_are_fetched():
    """Pictures, a top-level single-file checkpoint, precision variants beside full weights and folders the pipeline
    does not name are left on the Hub; a transformers repository keeps safetensors over .bin."""
    components = ["scheduler", "transformer", "vae"]
    assert list(files_to_fetch(sorted(REPO), components)) == WANTED
    chat = ["config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json", ".gitattributes", "logo.png"]
    assert files_to_fetch(chat) == ("config.json", "model.safetensors", "tokenizer.json")
    only_fp16 = ["model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.fp16.safetensors"]
    assert files_to_fetch(only_fp16, ["unet"]) == tuple(only_fp16)  # a variant that is all there is stays


def test_the_list_names_each_tier_with_size_licence_and_state_here(hub, services):
    listing = list_models(services, gpu_probe=lambda: GpuProbe((), "test"))
    assert listing.tier is Tier.CPU and listing.cache_dir == Path(os.environ["HF_HOME"]) / "hub"
    ids = [row.model.id for row in listing.rows]
    assert set(ids) == {m.id for m in KNOWN_MODELS.values() if m.recommended}
    tiers = [row.model.tier.rank for row in listing.rows]
    assert tiers == sorted(tiers), "smallest tier first"
    for row in listing.rows:
        assert row.cached.state is ModelState.ABSENT
        assert row.fits == (row.model.tier is Tier.CPU)
        assert str(row.model.download) == "unknown" or row.model.download.source.startswith("the Hub's file listing")
    sd = next(r for r in listing.rows if r.model.id == "stabilityai/sd-turbo")
    assert sd.model.commercial is Commercial.NO and sd.in_this_version and sd.refused is None
    big = list_models(services, gpu_probe=lambda: GpuProbe((Gpu("NVIDIA H100 80GB HBM3", 81559),), "test"))
    assert big.tier is Tier.GPU_80GB and all(row.fits for row in big.rows)
    assert not hub.log, "listing is offline"


def test_download_reports_progress_and_lands_whole_in_the_cache(hub, services):
    events = []
    done = download_model(services, "tiny/pipeline", progress=events.append)
    assert done.revision == COMMIT and done.total_bytes == TOTAL and done.fetched_bytes == TOTAL
    assert done.notes and "check its model card" in done.notes[0]  # a model the studio does not know
    fetched = sorted(p.relative_to(done.path).as_posix() for p in done.path.rglob("*") if p.is_file())
    assert fetched == WANTED
    for name in WANTED:
        assert (done.path / name).read_bytes() == REPO[name]
    done_bytes = [e.done_bytes for e in events]
    assert done_bytes == sorted(done_bytes) and done_bytes[-1] == TOTAL
    assert events[-1].files_done == events[-1].files_total == len(WANTED)
    assert len({e.file for e in events}) >= 3 and sum(e.file == BIG for e in events) >= 3, "per chunk, per file"
    from huggingface_hub import try_to_load_from_cache

    assert try_to_load_from_cache("tiny/pipeline", BIG, cache_dir=cache().cache_dir) == str(done.path / BIG)
    listing = list_models(services, gpu_probe=lambda: GpuProbe((), "test"))
    other = {c.id: c for c in listing.others}["tiny/pipeline"]
    assert other.state is ModelState.INSTALLED and other.bytes_on_disk == TOTAL
    again = download_model(services, "tiny/pipeline")
    assert again.fetched_bytes == 0 and again.reused_bytes == TOTAL


def test_cancel_mid_file_keeps_the_partial_and_the_next_download_resumes_it(hub, services):
    with pytest.raises(DownloadCancelled, match="cancelled after .* the next download resumes it"):
        download_model(services, "tiny/pipeline", cancel=big_file_started, progress=seen.append)
    state = cached_models(cache())["tiny/pipeline"]
    assert state.state is ModelState.PARTIAL and state.path is None, "no snapshot: nothing looks complete"
    assert state.partial_bytes == 10 * MiB, "the first chunk of the big file, kept"
    assert not any(cache().cache_dir.glob("models--tiny--pipeline/snapshots/*/*"))
    done = download_model(services, "tiny/pipeline")
    assert done.resumed_bytes == 10 * MiB and done.fetched_bytes == TOTAL - done.reused_bytes - 10 * MiB
    assert "bytes=10485760-" in hub.ranges(), "the server was asked only for the rest"
    assert (done.path / BIG).read_bytes() == REPO[BIG]
    assert cached_models(cache())["tiny/pipeline"].state is ModelState.INSTALLED


def test_an_interrupted_download_is_one_sentence_and_resumes(hub, services):
    hub.state.cut_next = 1  # the big file's bytes stop half way ...
    hub.state.refuse_ranges = True  # ... and the Hub refuses the retry: interrupted for good
    with pytest.raises(ModelDownloadError) as failed:
        download_model(services, "tiny/pipeline")
    message = str(failed.value)
    assert "interrupted in " + BIG in message and "run the same command again to resume" in message
    assert "\n" not in message and "Traceback" not in message
    state = cached_models(cache())["tiny/pipeline"]
    assert state.state is ModelState.PARTIAL and state.partial_bytes > 0
    hub.state.refuse_ranges = False
    done = download_model(services, "tiny/pipeline")
    assert done.resumed_bytes == state.partial_bytes and (done.path / BIG).read_bytes() == REPO[BIG]


def test_a_full_disk_is_refused_before_any_weights_are_fetched(hub, services):
    with pytest.raises(ModelDownloadError, match=r"needs 26\.\d MB more .* only 1\.0 kB is free"):
        download_model(services, "tiny/pipeline", free_bytes=lambda path: 1000)
    assert not cdn_gets(hub)
    assert not list(cache().cache_dir.glob("models--tiny--pipeline/blobs/*.incomplete"))


def test_a_wrong_token_and_a_missing_id_are_one_sentence_each(hub, services, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_wrong")
    with pytest.raises(ModelError, match=r"^the Hub refused the token in HF_TOKEN \(401 Unauthorized\)"):
        download_model(services, "tiny/pipeline")
    monkeypatch.setenv("HF_TOKEN", "hf_right")
    with pytest.raises(ModelError, match=r"^the Hub at http://127\.0\.0\.1:\d+ has no model nobody/nothing"):
        download_model(services, "nobody/nothing")
    assert download_model(services, "tiny/pipeline").files == len(WANTED), "the right token is honoured"


def test_offline_and_an_unreachable_hub_are_one_sentence_each(hub, services, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelDownloadError, match="set to work offline"):
        download_model(services, "tiny/pipeline")
    assert not hub.log
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ModelDownloadError, match="cannot reach the Hugging Face Hub at"):
        download_model(services, "tiny/pipeline")
    assert not (cache().cache_dir / "models--tiny--pipeline").exists()


def test_a_snapshot_missing_a_file_of_its_listing_is_not_called_installed(hub, services):
    """What ``snapshot_download`` recorded is the measure: a snapshot that lost a file (a link step that died half
    way, a hand-deleted file) is partly downloaded, and downloading again makes it whole."""
    done = download_model(services, "tiny/pipeline")
    (done.path / "vae" / "diffusion_pytorch_model.safetensors").unlink()
    state = cached_models(cache())["tiny/pipeline"]
    assert state.state is ModelState.PARTIAL and state.missing == ("vae/diffusion_pytorch_model.safetensors",)
    download_model(services, "tiny/pipeline")
    assert cached_models(cache())["tiny/pipeline"].state is ModelState.INSTALLED


def test_remove_deletes_it_from_the_cache_and_refuses_folders(hub, services, tmp_path):
    download_model(services, "tiny/pipeline")
    removed = remove_model(services, "tiny/pipeline")
    assert removed.freed_bytes == TOTAL
    assert "tiny/pipeline" not in cached_models(cache())
    assert "tiny/pipeline" not in {c.id for c in list_models(services, gpu_probe=lambda: GpuProbe((), "t")).others}
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="never a folder of yours"):
        remove_model(services, str(folder))
    assert (folder / "config.json").is_file()
    with pytest.raises(ModelError, match="is not in the HF cache"):
        remove_model(services, "tiny/pipeline")


def test_a_partial_download_is_removed_too(hub, services):
    with pytest.raises(DownloadCancelled):
        download_model(services, "tiny/pipeline", cancel=big_file_started, progress=seen.append)
    assert remove_model(services, "tiny/pipeline").freed_bytes >= 10 * MiB
    assert not (cache().cache_dir / "models--tiny--pipeline").exists()


def test_commercial_use_refuses_non_commercial_weights_before_asking_the_hub(hub, tmp_path):
    services = Services(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_COMMERCIAL_USE": "on"}))
    with pytest.raises(ModelError, match="non-commercial weights .* STUDIO_COMMERCIAL_USE is on"):
        download_model(services, "stabilityai/sd-turbo")
    assert not hub.log
    rows = {r.model.id: r for r in list_models(services, gpu_probe=lambda: GpuProbe((), "t")).rows}
    assert rows["stabilityai/sd-turbo"].refused and rows["Qwen/Qwen2.5-1.5B-Instruct"].refused is None
    # the same rule for any model the table says is non-commercial: the served tiny one, declared so
    known = {"tiny/pipeline": KNOWN_MODELS["stabilityai/sd-turbo"]}
    with pytest.raises(ModelError, match="tiny/pipeline has non-commercial weights"):
        download_model(services, "tiny/pipeline", known=known)
    assert download_model(services, "tiny/pipeline").files == len(WANTED), "weights of unknown terms are fetched"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_command_line_in_a_fresh_process_reads_the_hub_variables(hub, tmp_path):
    """``HF_ENDPOINT``, ``HF_HOME``, ``HF_TOKEN`` and ``HF_HUB_OFFLINE`` as a user sets them, read by a new process."""
    env = {**os.environ, "STUDIO_DATA_DIR": str(tmp_path / "data"), "HF_TOKEN": "hf_right", "PYTHONPATH": str(ROOT)}
    fetched = _cli("models", "download", "tiny/pipeline", env=env)
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.startswith(f"downloaded tiny/pipeline ({len(WANTED)} files")
    assert "check its model card" in fetched.stderr
    listed = _cli("models", "list", env=env)
    assert listed.returncode == 0 and "tiny/pipeline" in listed.stdout.split("Other models in the HF cache")[1]
    missing = _cli("models", "download", "nobody/nothing", env=env)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and missing.stderr.startswith("error: the Hub")
    offline = _cli("models", "download", "tiny/pipeline", env={**env, "HF_HUB_OFFLINE": "1"})
    assert offline.returncode == 1 and offline.stderr.startswith("error: cannot fetch tiny/pipeline: this machine")
    removed = _cli("models", "remove", "tiny/pipeline", env=env)
    assert removed.returncode == 0 and "freed" in removed.stdout
    gone = _cli("models", "list", "--json", env=env)
    assert "tiny/pipeline" not in {m["id"] for m in json.loads(gone.stdout)["others"]}


def test_a_downloaded_chat_model_is_what_the_doctor_and_the_script_writer_find(hub, tmp_path, tiny_chat_model):
    """The tiny Qwen2 chat model saved with save_pretrained, served by the local hub and fetched: the doctor then
    says the local writer will run, as the script service's own chooser does."""
    from pipelines.machine import doctor
    from pipelines.script.writers import choose_backend
    from studio.backends import ScriptBackendName

    files = {p.relative_to(tiny_chat_model).as_posix(): p.read_bytes()
             for p in tiny_chat_model.rglob("*") if p.is_file()}
    hub.state.repos["tiny/chat"] = files
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_SCRIPT_MODEL": "tiny/chat"})
    before = doctor(settings, gpu_probe=lambda: GpuProbe((), "t")).stages[0]
    assert before.backend == "template" and before.action == "python -m studio models download tiny/chat"
    done = download_model(Services(settings), "tiny/chat")
    assert sorted(p.name for p in done.path.iterdir()) == sorted(files)
    assert hashlib.sha256((done.path / "model.safetensors").read_bytes()).digest() == \
        hashlib.sha256(files["model.safetensors"]).digest()
    assert choose_backend(settings, cache_dir=cache().cache_dir)[0] is ScriptBackendName.LOCAL
    report = doctor(settings, gpu_probe=lambda: GpuProbe((), "t"))
    script = report.stages[0]
    assert script.backend == "local" and script.found[0].startswith("tiny/chat (HF cache")
    assert not script.action and not script.missing
