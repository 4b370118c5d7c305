"""Models in the Hugging Face cache: what is there, fetching one (resumable, with progress, cancel and a free-disk
check first) and removing one, through huggingface_hub and its cache layout.

Why not one ``snapshot_download`` call: huggingface_hub 2.4 downloads each file into a temporary file of its own and
deletes it when the download fails, so an interrupted download of a multi-gigabyte model starts again from zero.
Here each file's bytes go to ``blobs/<etag>.incomplete`` (the name the cache gives interrupted downloads, which
``scan_cache_dir`` reports), fetched with huggingface_hub's own ``http_get`` and resumed with an HTTP Range request;
a file becomes ``blobs/<etag>`` only when its size and checksum are right. Then ``snapshot_download`` links the
snapshot, records the revision and the file listing, and finds nothing left to fetch. A snapshot folder appears only
at that last step, so nothing half-written is ever presented as a model.

    1. check    offline, the id, the token (one sentence each, before anything is written)
    2. list     the Hub's listing with sizes; the files loading needs (``studio.models.files_to_fetch``)
    3. disk     what is still to fetch against the free space where the cache is
    4. fetch    file by file: progress per chunk, cancel between chunks, resume from the partial bytes
    5. link     ``snapshot_download`` over the complete blobs

Everything about the Hub (endpoint, token, cache folder, offline) comes from ``studio.settings.HubEnvironment`` and is
passed to huggingface_hub explicitly. Downloads use plain HTTP (Range-resumable) even where hf_xet is installed.
"""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from studio.errors import DownloadCancelled, ModelDownloadError, ModelError
from studio.models import files_to_fetch, format_bytes
from studio.safety.inputs import is_hub_id
from studio.settings import HubEnvironment

Progress = Callable[["DownloadProgress"], None]
Cancel = Callable[[], bool]
FreeBytes = Callable[[Path], "int | None"]


class ModelState(StrEnum):
    INSTALLED = "installed"
    PARTIAL = "partly downloaded"
    ABSENT = "not downloaded"


@dataclass(frozen=True)
class CachedModel:
    """One model as the HF cache has it. ``bytes_on_disk`` is what removing it frees (partial files included)."""

    id: str
    state: ModelState
    bytes_on_disk: int = 0
    partial_bytes: int = 0
    revision: str | None = None
    path: Path | None = None  # the snapshot folder, when there is one
    missing: tuple[str, ...] = ()  # files the download's listing names that the snapshot lacks


@dataclass(frozen=True)
class DownloadProgress:
    model_id: str
    file: str  # the file being fetched
    done_bytes: int  # of the whole model, counting what was already on disk
    total_bytes: int
    files_done: int
    files_total: int


@dataclass(frozen=True)
class Downloaded:
    model_id: str
    revision: str
    path: Path  # the snapshot folder: ``from_pretrained(model_id)`` loads it offline
    files: int
    total_bytes: int
    fetched_bytes: int  # over the network in this call
    resumed_bytes: int  # partial bytes from an earlier, interrupted download that were kept
    reused_bytes: int  # complete files that were already in the cache
    elapsed_s: float
    notes: tuple[str, ...] = ()  # what to know before using it (licence conditions), filled in by the action


@dataclass(frozen=True)
class Removed:
    model_id: str
    freed_bytes: int
    path: Path


def disk_free(path: Path) -> int | None:
    """Free bytes on the disk that holds ``path`` (or its nearest existing folder); None when none can be read."""
    probe = Path(path).expanduser()
    for candidate in (probe, *probe.parents):
        try:
            if candidate.exists():
                return shutil.disk_usage(candidate).free
        except OSError:
            return None
    return None


def repo_folder(model_id: str, hub: HubEnvironment) -> Path:
    """The cache folder of ``model_id`` (``models--owner--name``), as huggingface_hub names it."""
    return hub.cache_dir / ("models--" + model_id.replace("/", "--"))


# -- what the cache has --------------------------------------------------------------------------------------


def _files_in(folder: Path, pattern: str) -> list[Path]:
    try:
        return [p for p in folder.glob(pattern) if p.is_file()]
    except OSError:
        return []


def _components(snapshot: Path) -> list[str] | None:
    index = snapshot / "model_index.json"
    if not index.is_file():
        return None
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [k for k, v in data.items() if not k.startswith("_") and isinstance(v, list)]


def _missing_shards(snapshot: Path, present: set[str]) -> list[str]:
    """Weight shards an index in the snapshot names that are not there (for models fetched by other tools)."""
    missing = []
    for index in [p for p in present if p.endswith(".safetensors.index.json")]:
        try:
            weight_map = json.loads((snapshot / index).read_text(encoding="utf-8")).get("weight_map", {})
        except (OSError, ValueError):
            continue
        folder = str(Path(index).parent)
        for shard in sorted(set(weight_map.values())):
            name = shard if folder == "." else f"{folder}/{shard}"
            if name not in present:
                missing.append(name)
    return missing


def _cached_listing(model_id: str, commit: str, folder: Path, hub: HubEnvironment) -> list[str] | None:
    """The file listing ``snapshot_download`` recorded for ``commit`` (``trees/<commit>.json``), or None. Looked for
    before importing ``get_cached_repo_tree``, whose module takes a noticeable part of the doctor's second."""
    if not (folder / "trees" / f"{commit}.json").is_file():
        return None
    from huggingface_hub import get_cached_repo_tree
    from huggingface_hub.errors import CachedRepoTreeNotFoundError

    try:
        return [f.path for f in get_cached_repo_tree(model_id, revision=commit, cache_dir=hub.cache_dir)]
    except CachedRepoTreeNotFoundError:
        return None


def cached_models(hub: HubEnvironment) -> dict[str, CachedModel]:
    """Every model in the HF cache, complete or not, looked up offline (``scan_cache_dir``, the cached listings)."""
    if not hub.cache_dir.is_dir() or not any(hub.cache_dir.glob("models--*")):
        return {}  # nothing to scan: huggingface_hub need not even be imported
    from huggingface_hub import scan_cache_dir

    info = scan_cache_dir(hub.cache_dir)
    scanned = {repo.repo_path.name: repo for repo in info.repos if repo.repo_type == "model"}
    found: dict[str, CachedModel] = {}
    for folder in sorted(hub.cache_dir.glob("models--*")):
        if not folder.is_dir():
            continue
        model_id = folder.name.removeprefix("models--").replace("--", "/", 1)
        blobs = _files_in(folder / "blobs", "*")
        on_disk = sum(p.stat().st_size for p in blobs)
        partial = sum(p.stat().st_size for p in blobs if p.name.endswith(".incomplete"))
        repo = scanned.get(folder.name)
        revisions = sorted(repo.revisions, key=lambda r: ("main" in r.refs, r.last_modified)) if repo else []
        if not revisions or not revisions[-1].files:
            state = ModelState.PARTIAL if blobs else ModelState.ABSENT
            found[model_id] = CachedModel(model_id, state, on_disk, partial)
            continue
        revision = revisions[-1]
        snapshot = revision.snapshot_path
        present = {f.file_path.relative_to(snapshot).as_posix() for f in revision.files}
        listed = _cached_listing(model_id, revision.commit_hash, folder, hub)
        if listed is not None:
            missing = sorted(set(files_to_fetch(listed, _components(snapshot))) - present)
        else:  # fetched by another tool, without a recorded listing: judge by the weight indexes
            missing = _missing_shards(snapshot, present)
        state = ModelState.PARTIAL if missing else ModelState.INSTALLED
        found[model_id] = CachedModel(model_id, state, on_disk, partial, revision.commit_hash, snapshot,
                                      tuple(missing))
    return found


def cached_model(model_id: str, hub: HubEnvironment, index: dict[str, CachedModel] | None = None) -> CachedModel:
    index = cached_models(hub) if index is None else index
    return index.get(model_id) or CachedModel(model_id, ModelState.ABSENT)


# -- fetching -------------------------------------------------------------------------------------------------


def _hub_error(err: Exception, model_id: str, hub: HubEnvironment, revision: str | None) -> ModelError | None:
    """The one sentence for a failure talking to the Hub, or None when ``err`` is not one."""
    import httpx2
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    if isinstance(err, OfflineModeIsEnabled):
        return ModelDownloadError(f"cannot fetch {model_id}: huggingface_hub is in offline mode (HF_HUB_OFFLINE); "
                                  "unset it and run again")
    if isinstance(err, (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.ProxyError)):
        return ModelDownloadError(f"cannot reach the Hugging Face Hub at {hub.endpoint} to fetch {model_id}: check "
                                  "the network connection (or HF_ENDPOINT) and run again")
    if isinstance(err, httpx2.TransportError):
        return ModelDownloadError(f"the connection to the Hub at {hub.endpoint} broke ({type(err).__name__}) while "
                                  f"fetching {model_id}: run the same command again")
    if isinstance(err, GatedRepoError):
        return ModelError(f"{model_id} is gated: accept its terms on {hub.endpoint}/{model_id} and set HF_TOKEN to "
                          "a token of that account")
    if isinstance(err, RepositoryNotFoundError):
        return ModelError(f"the Hub at {hub.endpoint} has no model {model_id} (or it is private and HF_TOKEN has no "
                          "access to it): check the id")
    if isinstance(err, RevisionNotFoundError):
        return ModelError(f"{model_id} has no revision {revision!r} on the Hub")
    if isinstance(err, HfHubHTTPError):
        status = err.response.status_code if err.response is not None else None
        if status == 401:
            return ModelError(f"the Hub refused the token in HF_TOKEN (401 Unauthorized) for {model_id}: check the "
                              "token, or unset HF_TOKEN for a public model")
        if status == 403:
            return ModelError(f"the Hub forbids this token to fetch {model_id} (403 Forbidden): check its "
                              "permissions")
        return ModelDownloadError(f"the Hub answered {status} while fetching {model_id}: run the same command again "
                                  "later")
    return None


def _listing(model_id: str, hub: HubEnvironment, revision: str | None):
    from huggingface_hub import HfApi

    info = HfApi(endpoint=hub.endpoint, token=hub.token or None).model_info(
        model_id, revision=revision, files_metadata=True)
    sizes = {}
    for sibling in info.siblings or []:
        size = sibling.lfs.size if sibling.lfs else sibling.size
        etag = sibling.lfs.sha256 if sibling.lfs else sibling.blob_id
        sizes[sibling.rfilename] = (size, etag)
    if not info.sha:
        raise ModelDownloadError(f"the Hub at {hub.endpoint} gave no revision for {model_id}; is HF_ENDPOINT a "
                                 "Hugging Face Hub?")
    return info.sha, sizes


def _checksum_ok(path: Path, etag: str) -> bool:
    """An LFS file's etag is its SHA-256; any other file's is its git blob id (SHA-1 of ``blob <size>\\0`` + data)."""
    if len(etag) == 64:
        digest = hashlib.sha256()
    elif len(etag) == 40:
        digest = hashlib.sha1()
        digest.update(f"blob {path.stat().st_size}\0".encode())
    else:
        return True  # an etag of another form: the size check is all there is
    with path.open("rb") as f:
        for block in iter(lambda: f.read(8 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == etag


class _Stop(Exception):
    """Raised from the progress hook to stop ``http_get`` between two chunks."""


class _Fetch:
    """One model's fetch: the running totals that progress reports and the cancel check between chunks."""

    def __init__(self, model_id: str, total: int, files_total: int, progress: Progress | None,
                 cancel: Cancel | None):
        self.model_id, self.total, self.files_total = model_id, total, files_total
        self.progress, self.cancel = progress, cancel
        self.done = self.fetched = self.resumed = self.reused = self.files_done = 0
        self.file = ""

    def report(self) -> None:
        if self.progress is not None:
            self.progress(DownloadProgress(self.model_id, self.file, min(self.done, self.total), self.total,
                                           self.files_done, self.files_total))

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel():
            raise _Stop

    def bar_class(self):
        """What ``http_get`` takes as its ``tqdm_class``: each chunk's size arrives in ``update`` before it is
        written, so stopping there leaves the partial file ending on a whole chunk."""
        fetch = self

        class ChunkBar:
            def __init__(self, **kwargs):
                pass

            def __enter__(self):
                return self

            def __exit__(self, *exc) -> bool:
                return False

            def update(self, n: int | float | None = 1) -> None:
                n = int(n or 0)
                if n > 0:
                    fetch.check_cancel()
                fetch.done += n
                fetch.fetched += n
                fetch.report()

        return ChunkBar


def _fetch_file(fetch: _Fetch, model_id: str, name: str, commit: str, hub: HubEnvironment, storage: Path) -> None:
    """One file into ``blobs/<etag>``, resuming ``blobs/<etag>.incomplete``; checked before it takes its name."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    url = hf_hub_url(model_id, name, revision=commit, endpoint=hub.endpoint)
    meta = get_hf_file_metadata(url, token=hub.token or None, endpoint=hub.endpoint)
    if not meta.etag:
        raise ModelDownloadError(f"the Hub at {hub.endpoint} gave no checksum (ETag) for {name} of {model_id}; "
                                 "is HF_ENDPOINT a Hugging Face Hub?")
    blob = storage / "blobs" / meta.etag
    fetch.file = name
    if blob.is_file():
        return
    partial = blob.with_name(blob.name + ".incomplete")
    blob.parent.mkdir(parents=True, exist_ok=True)
    have = partial.stat().st_size if partial.is_file() else 0
    if meta.size is not None and have > meta.size:  # not a prefix of this file: start again
        partial.unlink()
        fetch.done -= have
        have = 0
    fetch.resumed += have
    headers = build_hf_headers(token=hub.token or None)
    if urlsplit(meta.location).netloc != urlsplit(url).netloc:
        headers.pop("authorization", None)  # a signed CDN address takes no Hub token
    with partial.open("ab") as out:
        http_get(meta.location, out, resume_size=have, headers=headers, expected_size=meta.size,
                 tqdm_class=fetch.bar_class())
    if not _checksum_ok(partial, meta.etag):
        size = partial.stat().st_size
        partial.unlink()
        fetch.done -= size
        raise ModelDownloadError(f"{name} of {model_id} arrived damaged (its checksum does not match); it was "
                                 "discarded: run the same command again to fetch it anew")
    partial.replace(blob)


def _plan(model_id: str, hub: HubEnvironment, revision: str | None, fetch_one) -> tuple[str, dict[str, tuple]]:
    """The commit and the files to fetch with (size, etag); a diffusers model's index is fetched first to know which
    folders its pipeline loads."""
    commit, listing = _listing(model_id, hub, revision)
    components = None
    if "model_index.json" in listing:
        fetch_one("model_index.json", commit)
        index = repo_folder(model_id, hub) / "blobs" / listing["model_index.json"][1]
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
            components = [k for k, v in data.items() if not k.startswith("_") and isinstance(v, list)]
        except (OSError, ValueError):
            components = None
    chosen = files_to_fetch(sorted(listing), components)
    return commit, {name: listing[name] for name in chosen}


def download(model_id: str, hub: HubEnvironment, *, revision: str | None = None, progress: Progress | None = None,
             cancel: Cancel | None = None, free_bytes: FreeBytes = disk_free) -> Downloaded:
    """Fetch ``model_id`` into the HF cache (see the module's docstring); resumes what an earlier call left."""
    started = time.perf_counter()
    # 1. check
    if not is_hub_id(model_id):
        raise ModelError(f"{model_id!r} is not a hub id (owner/name); a folder of yours needs no download")
    if hub.offline:
        raise ModelDownloadError(f"cannot fetch {model_id}: this machine is set to work offline (HF_HUB_OFFLINE); "
                                 "unset it, connect, and run again")
    storage = repo_folder(model_id, hub)
    fetch = _Fetch(model_id, 0, 0, progress, cancel)
    try:
        # 2. list
        commit, files = _plan(model_id, hub, revision,
                              lambda name, commit: _fetch_file(fetch, model_id, name, commit, hub, storage))
        fetch.total = sum(size or 0 for size, _ in files.values())
        fetch.files_total = len(files)
        # 3. disk: complete blobs are reused, partial ones resumed
        still, on_disk = 0, 0
        for size, etag in files.values():
            blob = storage / "blobs" / (etag or "")
            if etag and blob.is_file():
                on_disk += size or 0
                continue
            part = blob.with_name(blob.name + ".incomplete")
            have = part.stat().st_size if etag and part.is_file() else 0
            on_disk += have
            still += max((size or 0) - have, 0)
        free = free_bytes(hub.cache_dir)
        if free is not None and still > free:
            raise ModelDownloadError(f"{model_id} needs {format_bytes(still)} more on the disk of {hub.cache_dir} but "
                                     f"only {format_bytes(free)} is free there: free some space, or set HF_HOME to a "
                                     "folder on a larger disk")
        fetch.done = on_disk
        fetch.report()
        # 4. fetch
        for name, (size, etag) in files.items():
            fetch.check_cancel()
            if etag and (storage / "blobs" / etag).is_file():
                fetch.reused += size or 0
            _fetch_file(fetch, model_id, name, commit, hub, storage)
            fetch.files_done += 1
            fetch.report()
        fetch.check_cancel()
        # 5. link: the cache's own layout (snapshot, refs, listing) from the complete blobs
        from huggingface_hub import snapshot_download

        path = snapshot_download(model_id, revision=revision,
                                 cache_dir=str(hub.cache_dir), endpoint=hub.endpoint, token=hub.token or None,
                                 allow_patterns=list(files), tqdm_class=_quiet_tqdm(), max_workers=4)
    except _Stop:
        raise DownloadCancelled(f"the download of {model_id} was cancelled after {format_bytes(fetch.done)} of "
                                f"{format_bytes(fetch.total)}; what was fetched is kept, and the next download "
                                "resumes it") from None
    except ModelError:
        raise
    except Exception as err:
        raise _download_failure(err, fetch, model_id, hub, revision) from None
    return Downloaded(model_id, commit, Path(path), len(files), fetch.total, fetch.fetched, fetch.resumed,
                      fetch.reused, round(time.perf_counter() - started, 3))


def _download_failure(err: Exception, fetch: _Fetch, model_id: str, hub: HubEnvironment,
                      revision: str | None) -> Exception:
    """What a failed download tells its caller: one sentence, saying that the fetched part is kept for a resume."""
    if isinstance(err, OSError) and err.errno == errno.ENOSPC:
        return ModelDownloadError(f"the disk of {hub.cache_dir} is full: {model_id} stopped after "
                                  f"{format_bytes(fetch.done)} of {format_bytes(fetch.total)}; free some space and "
                                  "run again to resume")
    translated = _hub_error(err, model_id, hub, revision)
    if translated is None and not isinstance(err, OSError):
        return err  # not a download problem: a bug, shown as one
    if isinstance(translated, ModelError) and not isinstance(translated, ModelDownloadError):
        return translated
    if not fetch.done and translated is not None:
        return translated
    status = getattr(getattr(err, "response", None), "status_code", None)
    first_line = (str(err).splitlines() or [""])[0][:120]
    reason = f"the Hub answered {status}" if status else f"{type(err).__name__}: {first_line}"
    where = f" in {fetch.file}" if fetch.file else ""
    return ModelDownloadError(f"the download of {model_id} was interrupted{where} after {format_bytes(fetch.done)} "
                              f"of {format_bytes(fetch.total)} ({reason}); what was fetched is kept: run the same "
                              "command again to resume it")


def _quiet_tqdm():
    """snapshot_download's own bars, silenced: the caller's progress is the one that counts."""
    from huggingface_hub.utils.tqdm import tqdm

    class Quiet(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return Quiet


# -- removing -------------------------------------------------------------------------------------------------


def remove(model_ref: str, hub: HubEnvironment) -> Removed:
    """Delete a downloaded model from the HF cache (every revision, partial files too); never a folder of yours."""
    if Path(model_ref).expanduser().exists() or not is_hub_id(model_ref):
        raise ModelError(f"{model_ref!r} is not a model id in the HF cache: the studio removes only what it "
                         "downloaded (owner/name), never a folder of yours")
    folder = repo_folder(model_ref, hub)
    if not folder.is_dir():
        raise ModelError(f"{model_ref} is not in the HF cache ({hub.cache_dir}); nothing was removed")
    from huggingface_hub import scan_cache_dir

    info = scan_cache_dir(hub.cache_dir)
    freed = 0
    repo = next((r for r in info.repos if r.repo_path.name == folder.name), None)
    if repo is not None and repo.revisions:
        strategy = info.delete_revisions(*(r.commit_hash for r in repo.revisions))
        freed += strategy.expected_freed_size
        strategy.execute()
    if folder.exists():  # partial files, blobs not linked yet: the cache's own folder for this model, still ours
        freed += sum(p.stat().st_size for p in _files_in(folder, "**/*") if not p.is_symlink())
        shutil.rmtree(folder)
    shutil.rmtree(hub.cache_dir / ".locks" / folder.name, ignore_errors=True)
    return Removed(model_ref, freed, folder)
