#!/usr/bin/env python3
"""memory.py [-n 1000] [--pid PID --target HOST:PORT] — idle RSS and memory per idle connection.

Starts the release spindle (SPINDLE_BIN, else .build/release/spindle; `serve --port 0` with a temp
data dir, via scripts/spindle_proc.py), or measures an already-running server (--pid/--target).
Reads VmRSS from /proc/PID/status when idle, then opens N h2c connections with raw sockets, each
completing the HTTP/2 handshake (client preface + SETTINGS, server SETTINGS received and ACKed,
our SETTINGS ACKed by the server), lets them sit idle, and reads VmRSS again.
Prints idle RSS in MiB and (RSS with N connections - idle RSS) / N in KiB. Aim: < 20 MiB idle,
< 64 KiB per connection.
"""
import argparse
import os
import resource
import selectors
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "scripts"))
from spindle_proc import Spindle  # noqa: E402

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
SETTINGS, ACK = 4, 1


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def settle_rss(pid, seconds=1.0):
    time.sleep(seconds)
    return vm_rss_kib(pid)


class Conn:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.setblocking(False)
        self.buf = b""
        self.got_settings = self.got_ack = False
        self.sock.sendall(PREFACE + struct.pack(">I", 0)[1:] + bytes([SETTINGS, 0]) + struct.pack(">I", 0))

    def on_readable(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed an idle connection during the handshake")
        self.buf += data
        while len(self.buf) >= 9:
            length = int.from_bytes(self.buf[:3], "big")
            if len(self.buf) < 9 + length:
                break
            ftype, flags = self.buf[3], self.buf[4]
            self.buf = self.buf[9 + length:]
            if ftype == SETTINGS and flags & ACK:
                self.got_ack = True
            elif ftype == SETTINGS:
                self.got_settings = True
                self.sock.sendall(b"\x00\x00\x00" + bytes([SETTINGS, ACK]) + b"\x00\x00\x00\x00")

    @property
    def done(self):
        return self.got_settings and self.got_ack


def open_connections(host, port, n, batch=100, timeout_s=30):
    conns, sel = [], selectors.DefaultSelector()
    for start in range(0, n, batch):
        fresh = [Conn(host, port) for _ in range(min(batch, n - start))]
        for c in fresh:
            sel.register(c.sock, selectors.EVENT_READ, c)
        deadline = time.monotonic() + timeout_s
        while not all(c.done for c in fresh):
            if time.monotonic() > deadline:
                raise TimeoutError(f"handshake not completed on {sum(not c.done for c in fresh)} connections")
            for key, _ in sel.select(0.5):
                key.data.on_readable()
        conns += fresh
    return conns, sel


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="idle connections (default 1000)")
    ap.add_argument("--pid", type=int, help="measure this running server instead of starting spindle")
    ap.add_argument("--target", help="HOST:PORT of that server")
    ap.add_argument("--threads", type=int, default=None, help="spindle --threads")
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = a.n + 256
    if soft < need:  # the spawned server inherits this limit too
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(need, soft), hard), hard))

    server = None
    if a.pid:
        pid, (host, port) = a.pid, a.target.rsplit(":", 1)
    else:
        binary = os.environ.get("SPINDLE_BIN") or os.path.join(REPO, ".build", "release", "spindle")
        args = ["--threads", str(a.threads)] if a.threads else []
        server = Spindle(args, binary=binary)
        pid, (host, port) = server.pid, server.addr.rsplit(":", 1)
    try:
        idle = settle_rss(pid)
        conns, sel = open_connections(host, int(port), a.n)
        loaded = settle_rss(pid, 2.0)
        alive = sum(1 for c in conns if c.sock.fileno() >= 0)
        print(f"server pid {pid}: idle RSS {idle / 1024:.1f} MiB; with {alive} idle h2c connections "
              f"{loaded / 1024:.1f} MiB")
        print(f"idle_rss_mib {idle / 1024:.1f}")
        print(f"per_connection_kib {(loaded - idle) / a.n:.1f}")
        for c in conns:
            c.sock.close()
        sel.close()
    finally:
        if server:
            rc = server.stop()
            if rc != 0:
                print(f"spindle exit status after SIGTERM: {rc}", file=sys.stderr)
                sys.exit(1)


if __name__ == "__main__":
    main()
