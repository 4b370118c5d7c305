"""A real HTTP server on 127.0.0.1 that speaks OpenAI's ``/v1/audio/speech`` with espeak-ng's voice.

Each request takes the next behaviour from the queue (the last one repeats): real speech (the espeak-ng program
reads ``input``, as a self-hosted server would), a status with a body, a delay, or a huge body. Requests and
headers are recorded so tests can check what was sent.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VOICES = {"alloy": "en-us", "nova": "cmn-latn-pinyin"}


@dataclass
class Behaviour:
    status: int = 200
    body: bytes | None = None  # a raw body instead of speech
    delay_s: float = 0.0
    huge_mb: int = 0  # stream this many MiB of audio-looking bytes


def espeak_wav(text: str, voice: str, speed: float) -> bytes:
    """What espeak-ng --stdout writes: a WAV with a streaming header (sizes unknown)."""
    wpm = str(int(175 * float(speed)))
    return subprocess.run(["espeak-ng", "--stdout", "-v", VOICES.get(voice, "en-us"), "-s", wpm, "--stdin"],
                          input=text.encode("utf-8"), capture_output=True, check=True).stdout


@dataclass
class SpeechServer:
    behaviours: list[Behaviour] = field(default_factory=lambda: [Behaviour()])
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def script(self, *behaviours: Behaviour) -> None:
        self.behaviours[:] = list(behaviours)
        self.requests.clear()
        self.headers.clear()

    def _next(self) -> Behaviour:
        return self.behaviours.pop(0) if len(self.behaviours) > 1 else self.behaviours[0]


def start_speech_server() -> tuple[SpeechServer, ThreadingHTTPServer]:
    state = SpeechServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            state.requests.append(payload)
            state.headers.append(dict(self.headers))
            behaviour = state._next()
            if behaviour.delay_s:
                time.sleep(behaviour.delay_s)
            if self.path != "/v1/audio/speech":
                self.send_error(404)
                return
            try:
                if behaviour.huge_mb:
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/wav")
                    self.end_headers()
                    block = b"RIFF" + b"\0" * (1 << 20)
                    for _ in range(behaviour.huge_mb):
                        self.wfile.write(block)
                    return
                body = behaviour.body if behaviour.body is not None else espeak_wav(
                    payload["input"], payload.get("voice", "alloy"), payload.get("speed", 1.0))
                self.send_response(behaviour.status)
                self.send_header("Content-Type", "audio/wav" if behaviour.body is None else "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up on a slow or huge reply, as it should

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
