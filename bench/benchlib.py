"""What the bench drivers (runs.py, tasks.py) share: the release binary and the Go tools
built, a release server started pinned to CPU 0 on a fresh data dir, a token, the teardown."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GO_BIN = os.path.join(REPO, "clients", "go", "bin")


def binaries():
    """SPINDLE_BIN, else the release build; and clients/go/bin built."""
    binary = os.environ.get("SPINDLE_BIN")
    if not binary:
        binary = subprocess.run([os.path.join(REPO, "scripts", "build-release.sh")], check=True,
                                stdout=subprocess.PIPE, text=True).stdout.strip()
    subprocess.run([os.path.join(REPO, "clients", "go", "build.sh")], check=True)
    return binary


def start_server(binary, threads, prefix):
    """`spindle serve` on CPU 0 with the limits a benchmark needs out of the way; returns
    (process, data dir, address)."""
    data = tempfile.mkdtemp(prefix=prefix)
    log = open(os.path.join(data, "server.log"), "w+")
    server = subprocess.Popen(["taskset", "-c", "0", binary, "serve", "--port", "0", "--data-dir", data,
                               "--threads", str(threads), "--max-runs-per-workflow", "100000",
                               "--max-running-runs", "100000", "--max-concurrent-streams", "20000"],
                              stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        log.seek(0)
        m = re.search(r"event=listening addr=(\S+)", log.read())
        if m:
            return server, data, m.group(1)
        time.sleep(0.05)
    server.kill()
    sys.exit("spindle did not start:\n" + open(log.name).read())


def token(binary, data, tenant="bench"):
    return subprocess.run([binary, "token", "--tenant", tenant, "--data-dir", data], check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]


def stop_server(server, data):
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
    shutil.rmtree(data, ignore_errors=True)
