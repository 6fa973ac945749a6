"""A local HTTP server on 127.0.0.1 that serves files well, badly, or not at all.

Paths are ``/<mode>/<name>``: ``good`` serves the file with Range support, ``corrupt`` flips
bytes, ``cut`` announces the full length but stops halfway, ``short`` serves a truncated
copy as if it were complete, ``slow`` serves it whole in 16 pieces over about 0.3 s.
``/simple/...`` is a tiny Python package index.
"""
from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path


class FakeServer:
    def __init__(self, root: Path):
        self.root = root
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, self.headers.get("Range")))
                parts = self.path.strip("/").split("/", 1)
                if len(parts) != 2:
                    return self.send_error(404)
                mode, name = parts
                if mode == "simple":
                    return self._index(name)
                path = server.root / name
                if not path.is_file():
                    return self.send_error(404)
                data = path.read_bytes()
                if mode == "corrupt":
                    data = bytes(b ^ 0xFF for b in data[:64]) + data[64:]
                elif mode == "short":
                    data = data[: len(data) // 2]
                start = 0
                requested = self.headers.get("Range")
                if mode in ("good", "slow") and requested and requested.startswith("bytes="):
                    start = int(requested[6:].split("-")[0])
                    if start >= len(data):
                        return self.send_error(416)
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                body = data[start:]
                if mode == "slow":
                    step = -(-len(body) // 16)
                    for offset in range(0, len(body), step):
                        self.wfile.write(body[offset:offset + step])
                        self.wfile.flush()
                        time.sleep(0.02)
                    return
                self.wfile.write(body[: len(body) // 2] if mode == "cut" else body)

            def _index(self, name):
                package = name.strip("/")
                target = server.root / "index" / package
                if package and target.is_file():
                    body = target.read_bytes()
                elif target.is_dir():
                    links = "".join(f'<a href="/simple/{package}/{p.name}">{p.name}</a>' for p in target.iterdir())
                    body = f"<html><body>{links}</body></html>".encode()
                else:
                    return self.send_error(404)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream" if target.is_file() else "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
