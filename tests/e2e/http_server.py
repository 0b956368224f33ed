#!/usr/bin/env python3
"""A scriptable loopback HTTP server for sluiced's tests (python3 stdlib only).

Importable:

    from http_server import TestServer, Reply, redirect

    with TestServer() as srv:
        srv.route("/users", Reply(503), Reply(200, body=b'[{"id": 1}]'))
        srv.route("/gz", Reply(200, body=b"x" * 1000, encoding="gzip"))
        srv.route("/moved", redirect("/users"))
        url = srv.url("/users?limit=10")
        ...
        assert srv.requests[0].path == "/users?limit=10"

Each route is a list of replies served in order; once the list is exhausted
its last reply is served again. An unknown path gets 404. A request in
absolute form (the server used as an http_proxy) is routed by its path and
recorded as sent. Every request is
recorded (method, path with query, headers, body) in `srv.requests`.

A reply may also be a function taking the Recorded request and returning
a Reply (to answer by query or headers); `Recorded.time` is when the request
arrived (time.monotonic()).

Reply options:
    status, headers (dict or list of pairs), body (bytes or str),
                  a "Date" header replaces the automatic one ("Date": None
                  sends none); a None value is never sent
    encoding:     "gzip" | "deflate" (zlib-wrapped) | "raw-deflate"
                  (raw RFC 1951 sent as "deflate") | "br" (only when the
                  python brotli module exists, else ValueError)
    header_delay: seconds to sleep before the status line
    delay:        seconds to sleep after the headers, before the body
    drip:         (chunk_bytes, seconds) -- send the body in chunks with a
                  pause after each
    close:        True -- read the request, then close without any response
    chunked:      True -- Transfer-Encoding: chunked instead of Content-Length
    truncate:     n -- announce the full Content-Length, send only n bytes,
                  then close
    reset:        n -- announce the full body, send only n bytes of it, then
                  abort the connection with a TCP RST (SO_LINGER 0)

Script mode:

    python3 tests/e2e/http_server.py --dir DIR --port-file F
        serves static files of DIR until killed
    python3 tests/e2e/http_server.py --routes ROUTES.json --port-file F
        serves scripted routes from a JSON file:
        {"/path": [{"status": 503, "headers": {"Retry-After": "0"}},
                   {"status": 200, "body": "text", "encoding": "gzip"},
                   {"status": 200, "body_b64": "...", "delay": 0.5},
                   {"redirect": "/other", "status": 302}]}
        GET /__requests answers the recorded requests as a JSON array of
        {"method", "path", "headers": [[name, value]...], "body"}.

    python3 tests/e2e/http_server.py ... --tls-cert C --tls-key K
        serves https instead of http

The port is written to F (atomically: temporary file, then rename) once the
server listens on 127.0.0.1; the server binds port 0 unless --port is given.
"""

import argparse
import base64
import gzip
import http.server
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from functools import partial

try:  # optional
    import brotli  # type: ignore
except ImportError:  # pragma: no cover - not in the stdlib
    brotli = None


@dataclass
class Reply:
    status: int = 200
    headers: object = None
    body: object = b""
    encoding: str = None
    header_delay: float = 0.0
    delay: float = 0.0
    drip: tuple = None
    close: bool = False
    chunked: bool = False
    truncate: int = None
    reset: int = None

    def encoded_body(self):
        body = self.body.encode() if isinstance(self.body, str) else bytes(self.body or b"")
        if self.encoding is None:
            return body, None
        if self.encoding == "gzip":
            return gzip.compress(body), "gzip"
        if self.encoding == "deflate":
            return zlib.compress(body), "deflate"
        if self.encoding == "raw-deflate":
            c = zlib.compressobj(wbits=-15)
            return c.compress(body) + c.flush(), "deflate"
        if self.encoding == "br":
            if brotli is None:
                raise ValueError("python brotli module not available")
            return brotli.compress(body), "br"
        raise ValueError("unknown encoding %r" % self.encoding)

    def header_pairs(self):
        h = self.headers or []
        return list(h.items()) if isinstance(h, dict) else [tuple(p) for p in h]


def redirect(location, status=302, **kw):
    """A reply redirecting to `location` (relative or absolute)."""
    headers = [("Location", location)] + Reply(headers=kw.pop("headers", None)).header_pairs()
    return Reply(status=status, headers=headers, **kw)


def reply_from_json(obj):
    obj = dict(obj)
    if "redirect" in obj:
        loc = obj.pop("redirect")
        return redirect(loc, **obj)
    if "body_b64" in obj:
        obj["body"] = base64.b64decode(obj.pop("body_b64"))
    if "drip" in obj and obj["drip"] is not None:
        obj["drip"] = tuple(obj["drip"])
    return Reply(**obj)


@dataclass
class Recorded:
    method: str
    path: str  # path with query, as sent
    headers: list = field(default_factory=list)  # [(name, value)] as received
    body: bytes = b""
    time: float = field(default_factory=time.monotonic)  # when the request arrived (time.monotonic)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def to_json(self):
        return {"method": self.method, "path": self.path, "headers": [list(p) for p in self.headers],
                "body": self.body.decode("utf-8", "replace")}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients reuse connections
    server_version = "sluiced-test"
    sys_version = ""

    def log_message(self, *args):  # quiet
        pass

    def version_string(self):
        return self.server_version

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            pass

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            return self.rfile.read(n)
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        return b""

    def _dispatch(self):
        body = self._read_body()
        rec = Recorded(self.command, self.path, list(self.headers.items()), body)
        srv = self.server.owner
        path = self.path.split("?", 1)[0]
        if "://" in path:  # absolute form: we are being used as a proxy
            path = urllib.parse.urlsplit(self.path).path or "/"
        if path == "/__requests" and srv.expose_requests:
            with srv.lock:
                data = json.dumps([r.to_json() for r in srv.requests]).encode()
            return self._send(Reply(200, [("Content-Type", "application/json")], data))
        with srv.lock:
            srv.requests.append(rec)
            replies = srv.routes.get(path)
            reply = None
            if replies:
                i = srv.served.get(path, 0)
                reply = replies[min(i, len(replies) - 1)]
                srv.served[path] = i + 1
        if reply is None and srv.static_dir is not None and self.command in ("GET", "HEAD"):
            return self._static(path)
        if reply is None:
            reply = Reply(404, [("Content-Type", "text/plain")], b"no route\n")
        if callable(reply):  # a function of the Recorded request giving the Reply
            reply = reply(rec)
        self._send(reply)

    def _static(self, path):
        root = os.path.realpath(self.server.owner.static_dir)
        full = os.path.realpath(os.path.join(root, path.lstrip("/")))
        if (full != root and not full.startswith(root + os.sep)) or not os.path.isfile(full):
            return self._send(Reply(404, [("Content-Type", "text/plain")], b"not found\n"))
        with open(full, "rb") as f:
            data = f.read()
        ctype = "application/json" if full.endswith(".json") else "application/octet-stream"
        self._send(Reply(200, [("Content-Type", ctype)], data))

    def _send(self, reply):
        if reply.close:
            self.close_connection = True
            return
        if reply.header_delay:
            time.sleep(reply.header_delay)
        data, enc = reply.encoded_body()
        pairs = reply.header_pairs()
        if any(k.lower() == "date" for k, _ in pairs):
            # The reply's own Date (or none, given as None) replaces the automatic one.
            self.log_request(reply.status)
            self.send_response_only(reply.status)
            self.send_header("Server", self.version_string())
        else:
            self.send_response(reply.status)
        names = set()
        for k, v in pairs:
            names.add(k.lower())
            if v is not None:  # a None value only suppresses that header
                self.send_header(k, v)
        if enc and "content-encoding" not in names:
            self.send_header("Content-Encoding", enc)
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif "content-length" not in names:
            self.send_header("Content-Length", str(len(data)))
        if reply.truncate is not None or reply.reset is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.flush()
        if self.command == "HEAD":
            return
        if reply.delay:
            time.sleep(reply.delay)
        if reply.truncate is not None:
            data = data[: reply.truncate]
        if reply.reset is not None:
            self.wfile.write(data[: reply.reset])
            self.wfile.flush()
            time.sleep(0.05)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        step, pause = reply.drip if reply.drip else (len(data) or 1, 0)
        for i in range(0, len(data), step):
            chunk = data[i:i + step]
            if reply.chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
            self.wfile.flush()
            if pause:
                time.sleep(pause)
        if reply.chunked:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Many pipelines of one run connect at once: with the default backlog of
    # 5, dropped SYNs are retried by the kernel after 1 s, 3 s, 7 s...
    request_queue_size = 1024


class TestServer:
    """A loopback server on 127.0.0.1 (port 0 by default), run in a thread."""

    def __init__(self, routes=None, static_dir=None, port=0, expose_requests=False, tls=None):
        """`tls`: (certfile, keyfile) to serve https instead of http."""
        self.routes = {}
        self.served = {}
        self.requests = []
        self.lock = threading.Lock()
        self.static_dir = static_dir
        self.expose_requests = expose_requests
        for path, replies in (routes or {}).items():
            self.route(path, *replies)
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.owner = self
        self.scheme = "http"
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls[0], tls[1])
            # A failed handshake raises in accept(); serve_forever ignores it.
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self._httpd.server_address[1]
        self._thread = None

    def route(self, path, *replies):
        """Serves `replies` in order at `path` (the last one repeats)."""
        with self.lock:
            self.routes[path] = list(replies)
            self.served[path] = 0
        return self

    def url(self, path="/"):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.port, path)

    def start(self):
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self._httpd.serve_forever()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def clear_requests(self):
        with self.lock:
            self.requests.clear()


def _write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", help="serve the static files of this directory")
    ap.add_argument("--routes", help="JSON file of scripted routes")
    ap.add_argument("--port-file", required=True, help="write the port number here")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls-cert", help="serve https with this certificate (PEM)")
    ap.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
    args = ap.parse_args(argv)
    routes = {}
    if args.routes:
        with open(args.routes) as f:
            routes = {p: [reply_from_json(r) for r in rs] for p, rs in json.load(f).items()}
    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    srv = TestServer(routes=routes, static_dir=args.dir, port=args.port, expose_requests=True, tls=tls)
    _write_port(args.port_file, srv.port)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
