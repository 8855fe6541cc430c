"""Start and stop a spindle server process: the Python twin of scripts/lib.sh's spindle_start.

Used by clients/python/tests/conftest.py and bench/memory.py. Contract (`spindle serve`): with
--port 0 the server picks a free port and prints one stdout line
    level=info event=listening addr=127.0.0.1:43127 tls=false
once it accepts connections; SIGTERM drains and exits 0.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LISTENING = re.compile(r"\bevent=listening\b.*\baddr=(\S+)")


def default_binary():
    return os.environ.get("SPINDLE_BIN") or os.path.join(REPO, ".build", "debug", "spindle")


class Spindle:
    """A running `spindle serve`. .addr is "host:port"; .lines holds everything it printed."""

    def __init__(self, args=(), binary=None, timeout_s=30.0, data_dir=None):
        """data_dir: reuse this directory (e.g. to restart on a previous server's data); it is
        then the caller's and is never removed. Without it a temp dir is made and removed."""
        self.binary = binary or default_binary()
        if not os.access(self.binary, os.X_OK):
            raise FileNotFoundError(f"no spindle executable at {self.binary} (swift build first)")
        self.owns_data_dir = data_dir is None
        self.data_dir = tempfile.mkdtemp(prefix="spindle-data-") if data_dir is None else data_dir
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", "0",
               "--data-dir", self.data_dir, *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, errors="replace")
        self.lines = []
        self.addr = None
        ready = threading.Event()

        def pump():  # keeps reading so the server never blocks on a full pipe
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                m = LISTENING.search(line)
                if m and self.addr is None:
                    self.addr = m.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(timeout_s) or self.addr is None:
            self.kill()
            raise RuntimeError("spindle did not print event=listening:\n" + "\n".join(self.lines[-20:]))
        self.port = int(self.addr.rsplit(":", 1)[1])

    @property
    def pid(self):
        return self.proc.pid

    def stop(self, timeout_s=15.0):
        """SIGTERM, wait for the drain; returns the exit status (None if it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        self._cleanup()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._cleanup()

    def _cleanup(self):
        if self.owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def wait_exit(self, timeout_s):
        deadline = time.monotonic() + timeout_s
        while self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.proc.poll()
