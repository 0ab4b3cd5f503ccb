"""A headless Chromium driven over the DevTools protocol, for the tests
that look at what members and lawyers see (explorer_test.py, svg_test.py).
Needs Debian's chromium and python3-websocket; `available()` says whether
both are there."""
import base64
import json
import os
import shutil
import subprocess
import time
import urllib.request

try:
    import websocket  # Debian python3-websocket
except ImportError:
    websocket = None

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def available():
    """None when the browser can run, else why not."""
    if websocket is None:
        return "python3-websocket is not installed (scripts/install-deps.sh installs it)"
    if CHROMIUM is None:
        return "chromium is not installed (scripts/install-deps.sh installs it)"
    return None


class Browser:
    """A headless Chromium and one page, driven over the DevTools protocol."""

    def __init__(self, work):
        self.profile = os.path.join(work, "chromium")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-dev-shm-usage", "--remote-debugging-port=0", "--remote-allow-origins=*",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().count("\n") >= 1:
                break
            time.sleep(0.1)
        port = int(open(port_file).read().split("\n")[0])
        pages = []
        for _ in range(100):
            pages = [p for p in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
                     if p["type"] == "page"]
            if pages:
                break
            time.sleep(0.1)
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("DOM.enable")

    def call(self, method, **params):
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_ready(self, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            try:
                if self.eval("document.body && document.body.dataset.ready") == "1":
                    return True
            except RuntimeError:
                pass
            time.sleep(0.05)
        return False

    def open(self, url):
        self.call("Page.navigate", url=url)
        time.sleep(0.1)
        return self.wait_ready()

    def open_file(self, url):
        """Opens a document that is not the explorer (no readiness flag)."""
        self.call("Page.navigate", url=url)
        end = time.time() + 20
        while time.time() < end and self.eval("document.readyState") != "complete":
            time.sleep(0.05)

    def click(self, selector):
        self.eval(f"document.body.dataset.ready = ''; document.querySelector({json.dumps(selector)}).click()")

    def load_key(self, path):
        self.eval("document.body.dataset.ready = ''")
        doc = self.call("DOM.getDocument")
        node = self.call("DOM.querySelector", nodeId=doc["root"]["nodeId"], selector="#keyfile")
        self.call("DOM.setFileInputFiles", files=[path], nodeId=node["nodeId"])
        return self.wait_ready()

    def size(self, width, height, mobile=False):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=mobile)

    def screenshot(self, out, name):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path = os.path.join(out, name + ".png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        print("      screenshot", path)

    def text(self, selector):
        return self.eval(f"(document.querySelector({json.dumps(selector)}) || {{}}).innerText || ''")

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
