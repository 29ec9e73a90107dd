#!/usr/bin/env python3
"""End-to-end check of `triage label serve` in headless Chromium.

Drives the page through WebDriver (chromedriver from Debian's
`chromium-driver`, spoken to over its HTTP protocol with the standard
library: no driver manager, no download). An annotator signs in, labels 10
images by keyboard, undoes the last answer, reloads the page and resumes at
the undone image; the database must then hold exactly the answers given.
Any browser console error fails the check.

    tools/label_browser_check.py TRIAGE_BINARY OUT_DIR

Keeps OUT_DIR/label-*.png (screenshots), OUT_DIR/chromedriver.log and
OUT_DIR/server.log. Exit codes: 0 passed, 1 check failed, 2 setup failure.
"""

import base64
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
BACKSPACE = "\ue003"
SAMPLE = 12


class CheckFailed(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriver:
    """The few W3C WebDriver commands the check needs."""

    def __init__(self, base):
        self.base = base
        self.sid = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.load(r).get("value")
        except urllib.error.HTTPError as e:
            raise CheckFailed(f"webdriver {method} {path}: {e.read().decode()}") from e

    def start(self, chromium, profile):
        caps = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    f"--user-data-dir={profile}",
                    "--window-size=900,800",
                ],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }
        value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})
        self.sid = value["sessionId"]

    def s(self, path):
        return f"/session/{self.sid}{path}"

    def go(self, url):
        self.call("POST", self.s("/url"), {"url": url})

    def find(self, css):
        v = self.call("POST", self.s("/element"), {"using": "css selector", "value": css})
        return v[ELEMENT]

    def type_into(self, css, text):
        self.call("POST", self.s(f"/element/{self.find(css)}/value"), {"text": text})

    def click(self, css):
        self.call("POST", self.s(f"/element/{self.find(css)}/click"), {})

    def js(self, script):
        return self.call("POST", self.s("/execute/sync"), {"script": script, "args": []})

    def key(self, key):
        self.call(
            "POST",
            self.s("/actions"),
            {
                "actions": [
                    {
                        "type": "key",
                        "id": "keyboard",
                        "actions": [
                            {"type": "keyDown", "value": key},
                            {"type": "keyUp", "value": key},
                        ],
                    }
                ]
            },
        )

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.call("GET", self.s("/screenshot"))))

    def console(self):
        try:
            return self.call("POST", self.s("/se/log"), {"type": "browser"}) or []
        except CheckFailed:
            return []

    def quit(self):
        if self.sid:
            try:
                self.call("DELETE", self.s(""))
            except (CheckFailed, OSError):
                pass


STATE = """
const img = document.getElementById('picture');
return {status: document.getElementById('status').textContent,
        src: img.getAttribute('src') || '',
        loaded: img.complete && img.naturalWidth > 0,
        error: document.getElementById('error').textContent};
"""


def wait_for(driver, done, status, what):
    """Poll the page until `status` is shown and the image has loaded."""
    deadline = time.time() + 20
    state = None
    while time.time() < deadline:
        state = driver.js(STATE)
        if state["status"] == f"{done} of {SAMPLE} labelled" and state["loaded"]:
            return state
        time.sleep(0.05)
    raise CheckFailed(f"{what}: expected '{done} of {SAMPLE} labelled', page shows {state}")


def opaque_of(src):
    return src.rsplit("/img/", 1)[-1].split("?")[0]


def check(triage, out):
    data = os.path.join(out, "data")
    db = os.path.join(out, "labels.sqlite")
    subprocess.run(
        [triage, "synth", data, "--classes", "3", "--per-class", "8", "--size", "32", "--seed", "1"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server_log = open(os.path.join(out, "server.log"), "w")
    server = subprocess.Popen(
        [triage, "label", "serve", data, "--sample", str(SAMPLE), "--seed", "1",
         "--db", db, "--bind", "127.0.0.1:0", "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=server_log,
        text=True,
    )
    url = server.stdout.readline().strip()
    if not url.startswith("http://"):
        raise CheckFailed(f"no URL from `triage label serve` (see {out}/server.log)")
    port = free_port()
    driver_log = open(os.path.join(out, "chromedriver.log"), "w")
    chromedriver = subprocess.Popen(
        [shutil.which("chromedriver") or "/usr/bin/chromedriver", f"--port={port}"],
        stdout=driver_log,
        stderr=driver_log,
    )
    driver = WebDriver(f"http://127.0.0.1:{port}")
    profile = os.path.join(out, "profile")
    try:
        for _ in range(100):
            try:
                if driver.call("GET", "/status")["ready"]:
                    break
            except (OSError, CheckFailed):
                time.sleep(0.1)
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        driver.start(chromium, profile)
        driver.go(url)
        driver.type_into("#name", "ada")
        driver.click("#login button")
        state = wait_for(driver, 0, "0", "after signing in")
        driver.screenshot(os.path.join(out, "label-1-first-image.png"))
        given = []
        for i in range(10):
            opaque = opaque_of(state["src"])
            cls = i % 3
            driver.key(str(cls + 1))
            state = wait_for(driver, i + 1, str(i + 1), f"after answer {i + 1}")
            if opaque_of(state["src"]) == opaque and i + 1 < SAMPLE:
                raise CheckFailed(f"answer {i + 1}: the page did not move on")
            given.append((opaque, cls))
        driver.screenshot(os.path.join(out, "label-2-after-ten.png"))
        driver.key(BACKSPACE)
        state = wait_for(driver, 9, "9", "after undo")
        if opaque_of(state["src"]) != given[9][0]:
            raise CheckFailed("undo did not go back to the last image")
        driver.go(url)
        remembered = driver.js("return document.getElementById('name').value")
        if remembered != "ada":
            raise CheckFailed(f"the page did not remember the name: {remembered!r}")
        driver.click("#login button")
        state = wait_for(driver, 9, "9", "after reloading")
        if opaque_of(state["src"]) != given[9][0]:
            raise CheckFailed("the reloaded page did not resume at the undone image")
        driver.screenshot(os.path.join(out, "label-3-resumed.png"))
        errors = [e for e in driver.console() if e.get("level") == "SEVERE"]
        with open(os.path.join(out, "console.json"), "w") as f:
            json.dump(errors, f, indent=1)
        if errors:
            raise CheckFailed(f"browser console errors: {errors}")
    finally:
        driver.quit()
        chromedriver.terminate()
        chromedriver.wait(timeout=20)
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(profile, ignore_errors=True)
    rows = sqlite3.connect(db).execute(
        "SELECT opaque, class, undone FROM answers WHERE annotator = 'ada' ORDER BY id"
    ).fetchall()
    live = [(o, c) for o, c, undone in rows if not undone]
    if live != given[:9] or len(rows) != 10 or rows[9][:2] != given[9] or not rows[9][2]:
        raise CheckFailed(f"the database does not hold exactly the answers given:\n{rows}\nvs {given}")
    print(f"label_browser_check: 10 answers by keyboard, 1 undone, resumed after reload; "
          f"database holds the 9 live answers; screenshots in {out}")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    triage, out = sys.argv[1], sys.argv[2]
    if not (shutil.which("chromium") and (shutil.which("chromedriver") or os.path.exists("/usr/bin/chromedriver"))):
        print("label_browser_check: chromium and chromedriver are needed (tools/setup.sh installs them)", file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    try:
        check(triage, out)
    except CheckFailed as e:
        print(f"label_browser_check: FAILED: {e}", file=sys.stderr)
        return 1
    except (OSError, subprocess.SubprocessError) as e:
        print(f"label_browser_check: setup failed: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
