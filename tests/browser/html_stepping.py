#!/usr/bin/env python3
"""The stepping HTML page in a real browser (ctest browser:html-stepping).

Generates the page of a scenario with `tcpsim run FILE --html OUT --trace TRACE`, opens it in
Debian's headless chromium through chromedriver (a small WebDriver client on python3's standard
library), and steps through every event with the arrow keys and the "next" button. After each
step it checks what a reader sees: the step number, the narration of that step, the state of
every connection (recomputed independently from the JSON Lines trace), and that the highlighted
elements of the diagram are the current event's. Then back, Home and End, and a screenshot that
must show the diagram (decoded with zlib, its dark and coloured pixels counted).

Usage: html_stepping.py TCPSIM SOURCE_DIR OUTPUT_DIR
Exit 0 passed, 1 failed, 77 skipped (only with TCPSIM_SKIP_BROWSER=1 when chromium is missing).
"""

import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

SCENARIO = "scenarios/lost-final-ack-time-wait.json"
WINDOW = (1400, 1000)
DEADLINE_SECONDS = 100  # the whole test; ctest's TIMEOUT is above it
SKIP = 77

ARROW_LEFT = "\ue012"
ARROW_RIGHT = "\ue014"
HOME = "\ue011"
END = "\ue010"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


# ---------------------------------------------------------------- a minimal WebDriver client
class WebDriver:
    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port
        self.session = None

    def call(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                payload = json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise Failure("WebDriver %s %s failed: %s %s" % (method, path, error.code, detail[:500]))
        return payload.get("value")

    def start(self, chromium, profile):
        capabilities = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--no-first-run",
                         "--no-default-browser-check", "--disable-extensions",
                         "--user-data-dir=" + profile,
                         "--window-size=%d,%d" % WINDOW, "--hide-scrollbars"],
            },
        }}}
        value = self.call("POST", "/session", capabilities, timeout=60)
        self.session = value["sessionId"]

    def path(self, suffix):
        return "/session/%s%s" % (self.session, suffix)

    def navigate(self, url):
        self.call("POST", self.path("/url"), {"url": url})

    def script(self, source, *args):
        return self.call("POST", self.path("/execute/sync"), {"script": source, "args": list(args)})

    def press(self, key):
        self.call("POST", self.path("/actions"), {"actions": [{
            "type": "key", "id": "keyboard",
            "actions": [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]})

    def click(self, css):
        element = self.call("POST", self.path("/element"), {"using": "css selector", "value": css})
        element_id = next(iter(element.values()))
        self.call("POST", self.path("/element/%s/click" % element_id), {})

    def screenshot(self):
        return base64.b64decode(self.call("GET", self.path("/screenshot")))

    def quit(self):
        if self.session:
            try:
                self.call("DELETE", self.path(""), timeout=15)
            except Exception:  # the driver is killed next anyway
                pass
            self.session = None


# ---------------------------------------------------------------- PNG decoding (zlib only)
def decode_png(data):
    """(width, height, channels, rows) of an 8-bit RGB or RGBA PNG."""
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG")
    position, chunks, width, height, channels = 8, [], 0, 0, 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            check(depth == 8 and colour_type in (2, 6), "unexpected PNG format")
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            chunks.append(body)
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous, offset = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 255
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def check_screenshot(png, path):
    with open(path, "wb") as out:
        out.write(png)
    width, height, channels, rows = decode_png(png)
    # The viewport: the window less whatever the headless browser keeps for itself.
    check(width >= 800 and height >= 600, "the screenshot is only %dx%d" % (width, height))
    # The diagram fills the left part of the window; the panel is on the right.
    dark = blue = green = 0
    for y in range(0, height, 2):
        row = rows[y]
        for x in range(0, width - 420, 2):
            r, g, b = row[x * channels], row[x * channels + 1], row[x * channels + 2]
            if r + g + b < 450:
                dark += 1  # text and lines, not the white or light background
            if abs(r - 0x1d) < 40 and abs(g - 0x4e) < 40 and abs(b - 0xd8) < 40:
                blue += 1  # the connection's arrows and labels
            if abs(r - 0x86) < 20 and abs(g - 0xef) < 20 and abs(b - 0xac) < 20:
                green += 1  # ESTABLISHED on a lifeline
    sampled = (height // 2) * ((width - 420) // 2)
    print("screenshot %s: %d dark, %d arrow-blue, %d ESTABLISHED-green of %d sampled pixels"
          % (path, dark, blue, green, sampled))
    check(dark > sampled // 100, "the screenshot is (nearly) blank: %d dark pixels" % dark)
    check(blue > 100, "no arrows visible in the screenshot")
    check(green > 50, "no state band visible in the screenshot")


# ---------------------------------------------------------------- expected values
def expected_states(trace_path):
    """Per step, {connection: state shown} as a reader must see it, from the JSON Lines trace."""
    with open(trace_path) as trace:
        events = [json.loads(line) for line in trace][1:-1]  # without "run" and "end"
    states, out = {}, []
    for event in events:
        connection = event.get("conn")
        if event["ev"] == "app" and event.get("event") == "connect_failed":
            connection = None  # no connection exists: nothing to show in the panel
        if connection is not None:
            key = (event["host"], connection)
            if key not in states:
                # Born in CLOSED, or in LISTEN as a copy of the listener its open event names.
                states[key] = "LISTEN" if "listener" in event else "CLOSED"
            if event["ev"] == "state":
                states[key] = event["to"]
            if event["ev"] == "free":
                states[key] = states[key] + " (record deleted)"
        out.append(dict(states))
    return events, out


READ_PAGE = """
var panel = {};
panel.step = document.body.getAttribute('data-step');
panel.position = document.getElementById('position').textContent;
panel.narration = document.getElementById('narration').textContent;
panel.states = [];
document.querySelectorAll('#states .tp-host').forEach(function (host) {
  host.querySelectorAll('li.tp-conn-state').forEach(function (item) {
    var state = item.querySelector('.tp-badge').textContent;
    if (item.classList.contains('tp-gone')) state += ' (record deleted)';
    panel.states.push([host.getAttribute('data-host'), item.getAttribute('data-conn'), state]);
  });
});
panel.lit = [];
document.querySelectorAll('#diagram .current').forEach(function (node) {
  panel.lit.push({step: node.getAttribute('data-step'), tag: node.tagName,
                  cls: node.getAttribute('class') || '', text: node.textContent});
});
panel.steps = JSON.parse(document.getElementById('tcpsim-steps').textContent).steps.length;
return panel;
"""


def check_step(driver, index, events, states, narrations):
    panel = driver.script(READ_PAGE)
    event = events[index]
    where = "step %d (%s %s)" % (index, event["ev"], event.get("conn", event.get("host", "")))
    check(panel["step"] == str(index), "%s: the page shows step %s" % (where, panel["step"]))
    check(panel["position"] == "step %d of %d" % (index + 1, len(events)),
          "%s: position reads %r" % (where, panel["position"]))
    check(panel["narration"] == narrations[index],
          "%s: narration %r, expected %r" % (where, panel["narration"], narrations[index]))
    shown = {(host, connection): state for host, connection, state in panel["states"]}
    check(shown == states[index], "%s: states %r, expected %r" % (where, shown, states[index]))
    check(panel["lit"], "%s: nothing highlighted in the diagram" % where)
    for node in panel["lit"]:
        check(node["step"] == str(index), "%s: highlighted element of step %s" % (where, node["step"]))
    if event["ev"] == "state":
        check(any(event["to"] in node["text"] for node in panel["lit"]),
              "%s: the highlighted text does not name %s" % (where, event["to"]))
    if event["ev"] in ("drop", "expire"):
        check(any("cross" in node["cls"] for node in panel["lit"]), "%s: no cross highlighted" % where)
    if event["ev"] == "send":
        check(any(node["cls"].startswith("seg") for node in panel["lit"]),
              "%s: the arrow is not highlighted" % where)
    return panel


def find_tool(names):
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    tcpsim, source_dir, output_dir = sys.argv[1:]
    chromium = find_tool(["chromium", "chromium-browser"])
    chromedriver = find_tool(["chromedriver"])
    if not chromium or not chromedriver:
        missing = " and ".join(name for name, found in (("chromium", chromium),
                                                         ("chromedriver", chromedriver)) if not found)
        if os.environ.get("TCPSIM_SKIP_BROWSER") == "1":
            print("browser:html-stepping: skipped (%s not installed, TCPSIM_SKIP_BROWSER=1)" % missing)
            return SKIP
        print("browser:html-stepping: FAILED: %s not installed. Run scripts/install-dependencies "
              "(Debian packages chromium and chromium-driver), or set TCPSIM_SKIP_BROWSER=1 to "
              "skip this test." % missing)
        return 1

    work = tempfile.mkdtemp(prefix="tcpsim-browser-")
    driver_process = None
    driver = None

    def on_deadline(signum, frame):
        raise Failure("the test took longer than %d s" % DEADLINE_SECONDS)

    def on_terminate(signum, frame):
        raise Failure("terminated (signal %d)" % signum)

    signal.signal(signal.SIGALRM, on_deadline)
    signal.signal(signal.SIGTERM, on_terminate)  # ctest's timeout: still stop the browser
    signal.alarm(DEADLINE_SECONDS)
    started = time.monotonic()
    try:
        page = os.path.join(work, "page.html")
        trace = os.path.join(work, "trace.jsonl")
        run = subprocess.run([tcpsim, "run", os.path.join(source_dir, SCENARIO), "--html", page,
                              "--trace", trace], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, timeout=60)
        check(run.returncode == 0, "tcpsim run failed (%d): %s" % (run.returncode,
                                                                  run.stderr.decode(errors="replace")))
        events, states = expected_states(trace)
        with open(page, encoding="utf-8") as text:
            content = text.read()
        marker = '<script type="application/json" id="tcpsim-steps">'
        start = content.index(marker) + len(marker)
        embedded = json.loads(content[start:content.index("</script>", start)])
        narrations = [step["n"] for step in embedded["steps"]]
        check(len(narrations) == len(events), "the page has %d steps, the trace %d events"
              % (len(narrations), len(events)))
        drop = next(i for i, event in enumerate(events) if event["ev"] == "drop")
        check("lose-final-ack" in narrations[drop], "the narration of the loss does not cite its rule")

        with socket.socket() as probe:  # a free port on the loopback for chromedriver
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log = open(os.path.join(work, "chromedriver.log"), "w")
        driver_process = subprocess.Popen([chromedriver, "--port=%d" % port], stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
        driver = WebDriver(port)
        for _ in range(100):
            try:
                if driver.call("GET", "/status", timeout=2).get("ready"):
                    break
            except (OSError, Failure):
                pass
            time.sleep(0.1)
        else:
            raise Failure("chromedriver did not start")
        driver.start(chromium, os.path.join(work, "profile"))
        driver.navigate("file://" + os.path.abspath(page))

        check_step(driver, 0, events, states, narrations)
        # Forward through every event: arrow key and button in turn.
        for index in range(1, len(events)):
            if index % 2:
                driver.press(ARROW_RIGHT)
            else:
                driver.click("#next")
            check_step(driver, index, events, states, narrations)
            if index == drop:
                check_screenshot(driver.screenshot(),
                                 os.path.join(output_dir, "browser-html-stepping.png"))
        # At the end, "next" stays there; back, Home and End move as they say.
        driver.press(ARROW_RIGHT)
        check_step(driver, len(events) - 1, events, states, narrations)
        for back in range(1, 4):
            driver.press(ARROW_LEFT) if back % 2 else driver.click("#prev")
            check_step(driver, len(events) - 1 - back, events, states, narrations)
        driver.press(HOME)
        check_step(driver, 0, events, states, narrations)
        driver.press(END)
        check_step(driver, len(events) - 1, events, states, narrations)
        # A click on the diagram jumps to the clicked element's step.
        driver.script("document.getElementById('ev-%d').dispatchEvent(new MouseEvent('click', "
                      "{bubbles: true}));" % drop)
        check_step(driver, drop, events, states, narrations)
        print("browser:html-stepping: passed: %d steps checked forward, back, Home, End and by "
              "click in %.1f s" % (len(events), time.monotonic() - started))
        return 0
    except Failure as failure:
        print("browser:html-stepping: FAILED: %s" % failure)
        if driver_process is not None:
            log_path = os.path.join(work, "chromedriver.log")
            if os.path.exists(log_path):
                with open(log_path, errors="replace") as log_file:
                    tail = log_file.read()[-2000:]
                print("--- chromedriver log (tail):\n" + tail)
        return 1
    finally:
        signal.alarm(0)
        if driver is not None:
            driver.quit()
        if driver_process is not None:
            # chromedriver and the browser it started are in their own process group.
            try:
                os.killpg(driver_process.pid, signal.SIGTERM)
                driver_process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(driver_process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
