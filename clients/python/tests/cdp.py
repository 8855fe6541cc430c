"""A headless Chromium driven over the DevTools protocol, for the dashboard tests.

Debian's `chromium` is started with --remote-debugging-pipe: the protocol's JSON messages,
each ended by a NUL byte, go in on the browser's fd 3 and come out on its fd 4, so there is
no port, no websocket and no driver binary to match versions with. One page target is
attached in flat mode (commands carry its sessionId).
"""
import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time


def chromium_binary():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise FileNotFoundError("no chromium on PATH (scripts/deps.sh installs Debian's chromium)")


class CDPError(Exception):
    pass


class Browser:
    def __init__(self, width=1280, height=900):
        self.profile = tempfile.mkdtemp(prefix="spindle-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The browser's ends go above fd 9 first, so moving them to 3 and 4 cannot clobber one.
        to_browser_r, from_browser_w = (self._high(fd) for fd in (to_browser_r, from_browser_w))
        args = ["--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--mute-audio", "--hide-scrollbars",
                f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"]
        # bash (dash takes only one-digit fds) moves the pipe ends to fds 3 and 4, where the browser looks for them.
        script = f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w} {to_browser_r}<&- {from_browser_w}>&-'
        self.proc = subprocess.Popen(["bash", "-c", script, chromium_binary(), *args],
                                     pass_fds=(to_browser_r, from_browser_w),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.stderr_lines = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self._next_id = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._replies = {}
        self.events = []  # (method, params), every event of the page session
        self._closed = False
        threading.Thread(target=self._read, daemon=True).start()
        try:
            target = self.send("Target.createTarget", {"url": "about:blank"}, session=None)["targetId"]
            self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=None)["sessionId"]
            for domain in ("Page", "Runtime", "Network"):
                self.send(f"{domain}.enable")
        except (CDPError, OSError):
            self.close()  # a browser that did not come up leaves no process or profile behind
            raise

    @staticmethod
    def _high(fd):
        high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(fd)
        return high

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line.decode(errors="replace").rstrip())

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._closed = True
                    self._cond.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self._cond:
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self.events.append((msg.get("method"), msg.get("params", {})))
                    self._cond.notify_all()

    def send(self, method, params=None, session="page", timeout_s=30.0):
        with self._cond:
            self._next_id += 1
            mid = self._next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session == "page":
            msg["sessionId"] = self.session
        elif session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while mid not in self._replies:
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise CDPError(f"{method}: no reply ({'browser gone' if self._closed else 'timed out'}); "
                                   + "\n".join(self.stderr_lines[-10:]))
                self._cond.wait(left)
            reply = self._replies.pop(mid)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    # -- the page ---------------------------------------------------------------------------

    def navigate(self, url):
        """Loads URL and waits for its load event (a new document), or, for a change of the
        fragment only (same document, no loaderId), for the page to settle."""
        with self._cond:
            mark = len(self.events)
        r = self.send("Page.navigate", {"url": url})
        if "errorText" in r:
            raise CDPError(f"navigate {url}: {r['errorText']}")
        if r.get("loaderId"):
            self.wait_event("Page.loadEventFired", after=mark)
        self.wait_for("document.readyState === 'complete'")

    def wait_event(self, method, after=0, timeout_s=30.0):
        """The params of the first METHOD event at or after index AFTER of self.events."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for m, params in self.events[after:]:
                    if m == method:
                        return params
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise CDPError(f"no {method} event ({'browser gone' if self._closed else 'timed out'})")
                self._cond.wait(left)

    def eval(self, expression):
        """The value of a JS expression (promises awaited), returned by value."""
        r = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                           "returnByValue": True, "userGesture": True})
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CDPError(f"JS error in {expression!r}: {d.get('exception', {}).get('description') or d.get('text')}")
        return r.get("result", {}).get("value")

    def wait_for(self, predicate, timeout_s=30.0, what=None):
        """Polls a JS expression until it is truthy; returns its value. The limit only bounds
        a hang: nothing asserts how fast the page got there."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = self.eval(f"(() => {{ try {{ const v = ({predicate}); return v instanceof Node ? true : v; }} catch (e) {{ return null; }} }})()")
            if value:
                return value
            if time.monotonic() > deadline:
                body = self.eval("document.body ? document.body.innerText.slice(0, 1500) : ''")
                raise AssertionError(f"page never showed {what or predicate}; page text:\n{body}")
            time.sleep(0.05)

    def text(self, selector):
        return self.eval(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''")

    def center(self, selector):
        box = self.wait_for(f"""(() => {{ const el = document.querySelector({json.dumps(selector)});
            if (!el) return null; el.scrollIntoView({{block: 'center'}});
            const r = el.getBoundingClientRect(); return r.width && r.height ? [r.x + r.width / 2, r.y + r.height / 2] : null; }})()""",
                            what=f"a visible {selector}")
        return box

    def click(self, selector):
        """A real mouse click at the middle of the element (so it must be visible and on top)."""
        x, y = self.center(selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def type(self, selector, text):
        """Focuses the field (by clicking it) and types TEXT into it."""
        self.click(selector)
        self.eval(f"document.querySelector({json.dumps(selector)}).select && document.querySelector({json.dumps(selector)}).select()")
        self.send("Input.insertText", {"text": text})

    def key(self, key, code=None, vk=None, text=None):
        params = {"key": key, "code": code or key, "windowsVirtualKeyCode": vk or 0, "nativeVirtualKeyCode": vk or 0}
        down = dict(params, type="keyDown", **({"text": text} if text else {}))
        self.send("Input.dispatchKeyEvent", down)
        self.send("Input.dispatchKeyEvent", dict(params, type="keyUp"))

    def press_enter(self):
        self.key("Enter", "Enter", 13, "\r")

    def press_tab(self):
        self.key("Tab", "Tab", 9)

    def screenshot(self, path, full_page=True):
        params = {"format": "png"}
        if full_page:
            m = self.send("Page.getLayoutMetrics")
            size = m.get("cssContentSize") or m["contentSize"]
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 4000), "scale": 1})
        data = self.send("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(data))
        return path

    def close(self):
        try:
            self.send("Browser.close", session=None, timeout_s=5)
        except (CDPError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)
