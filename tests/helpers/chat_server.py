"""A real HTTP server on 127.0.0.1 that speaks the chat-completions protocol with scripted replies.

Each request takes the next behaviour from the queue (the last one repeats): a reply body, a status, a
delay, or a refusal of ``response_format``. Requests are recorded so tests can check what was sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Behaviour:
    content: str | None = None  # the assistant message's content
    status: int = 200
    body: bytes | None = None  # a raw body instead of a completion
    delay_s: float = 0.0
    finish_reason: str = "stop"
    refuse_formats: tuple[str, ...] = ()  # response_format types answered with HTTP 400


def completion(content: str, finish_reason: str = "stop") -> bytes:
    return json.dumps({"id": "chatcmpl-test", "object": "chat.completion", "model": "test",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                    "finish_reason": finish_reason}]}).encode()


@dataclass
class ChatServer:
    behaviours: list[Behaviour] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def script(self, *behaviours: Behaviour) -> None:
        self.behaviours[:] = list(behaviours)
        self.requests.clear()
        self.headers.clear()

    def _next(self) -> Behaviour:
        return self.behaviours.pop(0) if len(self.behaviours) > 1 else self.behaviours[0]


def start_chat_server() -> tuple[ChatServer, ThreadingHTTPServer]:
    state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            state.requests.append(payload)
            state.headers.append(dict(self.headers))
            behaviour = state._next()
            if self.path != "/v1/chat/completions":
                return self._send(404, b'{"error": "not found"}')
            fmt = (payload.get("response_format") or {}).get("type")
            if fmt in behaviour.refuse_formats:
                return self._send(400, json.dumps({"error": {"message": f"response_format {fmt} is not "
                                                                        "supported"}}).encode())
            time.sleep(behaviour.delay_s)
            body = behaviour.body if behaviour.body is not None else completion(behaviour.content or "",
                                                                                behaviour.finish_reason)
            self._send(behaviour.status, body)

        def _send(self, status: int, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # the OS picks a free port
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    return state, server
