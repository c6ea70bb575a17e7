"""A fake HTTP gateway on 127.0.0.1 (SMS, Telegram, push endpoint) that records what it
received and answers as told; the ``gateway`` fixture of the notification tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    """Records every POST (path, headers, JSON or raw body). ``responses`` is a list of
    (status, body) consumed in order, then ``default`` forever. With ``dedup_field`` set, a
    repeated value of that JSON field is acknowledged but not "delivered" again, like a real
    SMS gateway with client message ids."""

    def __init__(self):
        self.requests: list[dict] = []
        self.delivered: list[str] = []
        self.responses: list[tuple[int, dict | str]] = []
        self.default: tuple[int, dict | str] = (200, {"ok": True, "id": "m1"})
        self.dedup_field = ""
        self.lock = threading.Lock()
        self._seen: set[str] = set()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls on keep-alive

            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                with gateway.lock:
                    gateway.requests.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "json": body,
                            "raw": raw,
                        }
                    )
                    status, answer = (
                        gateway.responses.pop(0) if gateway.responses else gateway.default
                    )
                    if 200 <= status < 300 and gateway.dedup_field and isinstance(body, dict):
                        key = body.get(gateway.dedup_field)
                        if key not in gateway._seen:
                            gateway._seen.add(key)
                            gateway.delivered.append(key)
                data = (json.dumps(answer) if not isinstance(answer, str) else answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
