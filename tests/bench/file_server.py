#!/usr/bin/env python3
"""A loopback static file server for the benchmark that is not its bottleneck.

    python3 tests/bench/file_server.py DIR    # prints "PORT\n", serves until killed

GET /NAME answers DIR/NAME with Content-Length and the body sent by
socket.sendfile (os.sendfile: the kernel copies page cache to the socket,
no Python loop per chunk), HTTP/1.1 keep-alive, one thread per connection.
run_bench.py measures `curl -o /dev/null` against it: that row is the
transport ceiling, well above any JSON tool's rate. Files are read once
into no Python object, so serving 100 MB costs almost no CPU.
"""
import http.server
import os
import socketserver
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = "."

    def do_GET(self):
        name = os.path.basename(self.path.split("?", 1)[0])
        path = os.path.join(self.root, name)
        try:
            f = open(path, "rb")
        except OSError:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with f:
            size = os.fstat(f.fileno()).st_size
            self.send_response(200)
            ctype = "application/x-ndjson" if name.endswith(".ndjson") else "application/json"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.flush()
            try:
                self.connection.sendfile(f)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


def main():
    Handler.root = sys.argv[1]
    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
