"""A stand-in for the Hugging Face Hub on 127.0.0.1, speaking the part of its API huggingface_hub 2.4 calls to
download a model (read from huggingface_hub's source: ``hf_api.model_info``, ``list_repo_tree``,
``file_download.get_hf_file_metadata`` and ``http_get``):

- ``GET /api/models/{repo}[/revision/{rev}]``: the model's info, its commit (``sha``) and ``siblings`` with sizes,
  git blob ids and LFS details (``?blobs=True``);
- ``GET /api/models/{repo}/tree/{rev}``: the file listing ``snapshot_download`` records;
- ``HEAD|GET /{repo}/resolve/{rev}/{path}``: small files answered here with ``ETag`` (the git blob id),
  ``X-Repo-Commit``, ``Content-Length`` and ``Accept-Ranges``; weights (``*.safetensors``) answered with a 302 to a
  "CDN" on another host (127.0.0.2), with ``X-Linked-Etag`` (the SHA-256) and ``X-Linked-Size``, as the Hub does;
- ``GET /cdn/{sha256}`` on the CDN host: the bytes, honouring ``Range`` (206 and ``Content-Range``).

Errors as the Hub gives them: an unknown repo is 404 with ``X-Error-Code: RepoNotFound``; a wrong token is 401 with
``X-Error-Message: Invalid credentials in Authorization header``. Every request is logged (method, path, Range) so a
test can see a resume. ``cut_next`` makes the CDN send half a file and drop the connection; ``refuse_ranges`` makes it
answer 503 to ranged requests (a download interrupted for good).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from tests.helpers.net import free_port

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()


@dataclass
class Logged:
    method: str
    path: str
    range: str | None
    host: str


@dataclass
class HubState:
    repos: dict[str, dict[str, bytes]]
    token: str | None = None  # the one valid token; any other Authorization is refused with 401
    log: list[Logged] = field(default_factory=list)
    cut_next: int = 0  # CDN answers to cut half way
    refuse_ranges: bool = False
    cdn_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def blobs(self) -> dict[str, bytes]:
        return {hashlib.sha256(data).hexdigest(): data for files in self.repos.values() for data in files.values()}


def _is_lfs(name: str) -> bool:
    return name.endswith(".safetensors")


class _Handler(BaseHTTPRequestHandler):
    state: HubState
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              head: bool = False) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def _json(self, value, status: int = 200) -> None:
        self._send(status, json.dumps(value).encode(), {"Content-Type": "application/json"})

    def _authorised(self) -> bool:
        auth = self.headers.get("Authorization")
        if auth and self.state.token is not None and auth != f"Bearer {self.state.token}":
            self._send(401, b"Invalid credentials", {"X-Error-Message": "Invalid credentials in Authorization header"})
            return False
        return True

    def _repo(self, repo: str) -> dict[str, bytes] | None:
        files = self.state.repos.get(repo)
        if files is None:
            self._send(404, b"Repository not found", {"X-Error-Code": "RepoNotFound",
                                                       "X-Error-Message": "Repository not found"})
        return files

    def do_HEAD(self) -> None:
        self._route(head=True)

    def do_GET(self) -> None:
        self._route(head=False)

    def _route(self, head: bool) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        with self.state.lock:
            self.state.log.append(Logged(self.command, path, self.headers.get("Range"), self.headers.get("Host", "")))
        if path.startswith("/cdn/"):
            return self._cdn(path.removeprefix("/cdn/"), head)
        if not self._authorised():
            return None
        if path.startswith("/api/models/"):
            return self._api(path.removeprefix("/api/models/"))
        parts = path.lstrip("/").split("/")
        if len(parts) >= 5 and parts[2] == "resolve":
            return self._resolve("/".join(parts[:2]), parts[3], "/".join(parts[4:]), head)
        return self._send(404, b"not found")

    def _api(self, rest: str) -> None:
        parts = rest.split("/")
        repo = "/".join(parts[:2])
        files = self._repo(repo)
        if files is None:
            return
        if len(parts) >= 4 and parts[2] == "tree":
            listing = [{"type": "file", "path": name, "size": len(data), "oid": git_blob_id(data),
                        **({"lfs": {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}}
                           if _is_lfs(name) else {})} for name, data in sorted(files.items())]
            return self._json(listing)
        siblings = [{"rfilename": name, "size": len(data), "blobId": git_blob_id(data),
                     **({"lfs": {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}}
                        if _is_lfs(name) else {})} for name, data in sorted(files.items())]
        self._json({"_id": repo, "id": repo, "modelId": repo, "sha": COMMIT, "private": False,
                    "lastModified": "2025-01-01T00:00:00.000Z", "siblings": siblings})

    def _resolve(self, repo: str, revision: str, name: str, head: bool) -> None:
        files = self._repo(repo)
        if files is None:
            return
        if revision not in ("main", COMMIT):
            return self._send(404, b"", {"X-Error-Code": "RevisionNotFound"}, head)
        if name not in files:
            return self._send(404, b"", {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT}, head)
        data = files[name]
        common = {"X-Repo-Commit": COMMIT, "Accept-Ranges": "bytes"}
        if _is_lfs(name):
            sha = hashlib.sha256(data).hexdigest()
            return self._send(302, b"", {**common, "Location": f"{self.state.cdn_url}/cdn/{sha}",
                                         "X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(len(data)),
                                         "ETag": f'"{git_blob_id(data)}"'}, head)
        return self._send(200, data, {**common, "ETag": f'"{git_blob_id(data)}"'}, head)

    def _cdn(self, sha: str, head: bool) -> None:
        data = self.state.blobs().get(sha)
        if data is None:
            return self._send(404, b"", head=head)
        wanted = self.headers.get("Range")
        start = 0
        if wanted:
            if self.state.refuse_ranges:
                return self._send(503, b"busy", head=head)
            start = int(wanted.removeprefix("bytes=").split("-")[0])
        body = data[start:]
        headers = {"Accept-Ranges": "bytes", "Content-Type": "application/octet-stream", "ETag": f'"{sha}"',
                   "Content-Length": str(len(body)),
                   # only read when the CDN shares the hub's host and huggingface_hub follows the redirect
                   "X-Repo-Commit": COMMIT, "X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(len(data))}
        status = 200
        if wanted:
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        with self.state.lock:
            cut = self.state.cut_next > 0 and not head
            if cut:
                self.state.cut_next -= 1
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if head:
            return
        if cut:  # half the body, then the connection drops
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


class HubServer:
    """The hub on 127.0.0.1 and its CDN on 127.0.0.2, both on threads, for one test module or test."""

    def __init__(self, repos: dict[str, dict[str, bytes]], *, token: str | None = None):
        self.state = HubState(repos=repos, token=token)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.hub = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        try:
            self.cdn = ThreadingHTTPServer(("127.0.0.2", 0), handler)
        except OSError:  # no second loopback address here: the CDN shares the hub's host (redirects get followed)
            self.cdn = self.hub
        self.url = f"http://127.0.0.1:{self.hub.server_address[1]}"
        self.state.cdn_url = f"http://{self.cdn.server_address[0]}:{self.cdn.server_address[1]}"
        self.threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in {self.hub, self.cdn}]

    def __enter__(self) -> HubServer:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for server in {self.hub, self.cdn}:
            server.shutdown()
            server.server_close()

    @property
    def log(self) -> list[Logged]:
        return self.state.log

    def ranges(self) -> list[str]:
        return [entry.range for entry in self.log if entry.range]
