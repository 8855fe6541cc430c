/// The HTTP peer the tests talk to: Python's http.server on 127.0.0.1 (or ::1) with an
/// ephemeral port, TLS when given a certificate. It writes its port to a file once listening
/// and exits by itself when the test process that started it goes (its parent changes).
///
/// Routes: /echo (the request as JSON), /text, /status/N, /chunked, /close (a body read until
/// close), /big/N (N bytes), /slow-body (headers, then silence), /v1/chat/completions (a fake
/// OpenAI endpoint that echoes the request in its content and wants "Bearer test-key").
let peerServerScript = #"""
import json, os, socket, ssl, sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

port_file, host = sys.argv[1], sys.argv[2]
cert, key = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else (None, None)
parent = os.getppid()

class Server(ThreadingHTTPServer):
    daemon_threads = True
    address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body, ctype="text/plain", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def route(self):
        data = self.read_body()
        path = self.path
        if path.startswith("/echo"):
            doc = {"method": self.command, "path": path, "body": data.decode("utf-8", "replace"),
                   "headers": {k.lower(): v for k, v in self.headers.items()}}
            self.reply(200, json.dumps(doc).encode(), "application/json; charset=utf-8",
                       [("X-Multi", "a"), ("X-Multi", "b")])
        elif path == "/text":
            self.reply(200, "hello, text \u00e9".encode(), "text/plain; charset=utf-8")
        elif path.startswith("/status/"):
            code = int(path.split("/")[2])
            self.reply(code, b"status body %d" % code)
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in [b'{"items": [', b"1, 2, ", b"3]}"]:
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
                time.sleep(0.01)
            self.wfile.write(b"0\r\nX-Trailer: t\r\n\r\n")
        elif path == "/close":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"read until close")
            self.close_connection = True
        elif path.startswith("/big/"):
            self.reply(200, b"x" * int(path.split("/")[2]))
        elif path == "/slow-body":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"partial")
            self.wfile.flush()
            time.sleep(30)
        elif path == "/v1/chat/completions":
            auth = self.headers.get("Authorization")
            if auth != "Bearer test-key":
                self.reply(401, json.dumps({"error": {"message": "bad key %r" % auth}}).encode(), "application/json")
                return
            request = json.loads(data)
            answer = {"id": "chatcmpl-1", "object": "chat.completion", "model": request["model"] + "-0001",
                      "choices": [{"index": 0, "finish_reason": "stop",
                                   "message": {"role": "assistant", "content": json.dumps(request)}}],
                      "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}
            self.reply(200, json.dumps(answer).encode(), "application/json")
        else:
            self.reply(404, b"no route " + path.encode())

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = route

server = Server((host, 0), Handler)
if cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)

def watch_parent():
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)

threading.Thread(target=watch_parent, daemon=True).start()
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
"""#
