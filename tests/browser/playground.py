#!/usr/bin/env python3
"""The playground in a real browser (ctest browser:playground).

Opens build-wasm/web/tcpsim-playground.html (scripts/playground) from file:// in Debian's
headless chromium through chromedriver, with the WebDriver client and Chromium flags of
html_stepping.py, and drives it as a student would:
  - two-way-handshake-stale-syn, run: the server shows two ESTABLISHED connections, the client
    one; the downloaded trace, SVG and pcap are the bytes of `tcpsim run --trace/--svg/--pcap`;
  - the handshake knob switched to three-way: one ESTABLISHED connection each;
  - side by side with its catalogue pair, and stepping with the reveal (later steps hidden);
  - four-way-close: a click on the close's final ACK, "drop it": the server retransmits its FIN;
  - a syntax error typed into the editor: the error names its line, and the gutter marks it;
  - the language switched to Chinese: the playground's and the stepper's words, the
    narration, the page's lang attribute.
Leaves screenshots in OUTPUT_DIR: browser-playground.png (after the drop) and
browser-playground-side-by-side.png. Prints the page's size and its load time.

Usage: playground.py PAGE TCPSIM SOURCE_DIR OUTPUT_DIR
Exit 0 passed, 1 failed, 77 skipped (no page and no emcc, or no chromium with
TCPSIM_SKIP_BROWSER=1).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from html_stepping import WebDriver, Failure, check, find_tool  # noqa: E402

DEADLINE_SECONDS = 150  # the whole test; ctest's TIMEOUT is above it
SKIP = 77
STALE_SYN = "scenarios/two-way-handshake-stale-syn.json"
FOUR_WAY_CLOSE = "scenarios/four-way-close.json"
HOME = "\ue011"
ARROW_RIGHT = "\ue014"


def wait_for(driver, script, what, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        value = driver.script(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure("timed out waiting for " + what)
        time.sleep(0.1)


def believes(driver):
    """{host: (connections, ESTABLISHED)} as the run's panel shows them."""
    return {host: (int(connections), int(established)) for host, connections, established in
            driver.script("""
var out = [];
document.querySelectorAll('#states .tp-host').forEach(function (host) {
  var count = host.querySelector('.tp-count');
  out.push([host.getAttribute('data-host'), count.getAttribute('data-connections'),
            count.getAttribute('data-established')]);
});
return out;""")}


def established_items(driver, host):
    return driver.script("""
return Array.prototype.map.call(document.querySelectorAll(
  '#states .tp-host[data-host="' + arguments[0] + '"] li[data-state="ESTABLISHED"]:not([data-gone])'),
  function (item) { return item.getAttribute('data-conn'); });""", host)


def runs(driver):
    return int(driver.script("return document.body.getAttribute('data-runs') || '0';"))


def choose(driver, select_id, value):
    """Clicks the option of a select, as a user picks it (the first one with that value), and
    waits for the run it makes when the choice changed."""
    if driver.script("return document.getElementById(arguments[0]).value;", select_id) == value:
        return
    before = runs(driver)
    driver.click("#%s option[value=\"%s\"]" % (select_id, value))
    wait_for(driver, "return parseInt(document.body.getAttribute('data-runs'), 10) > %d;" % before,
             "a run after choosing %s in #%s" % (value, select_id))


def trace_events(driver):
    text = driver.script("return window.tcpsimPlayground.state.result.trace;")
    return text, [json.loads(line) for line in text.splitlines()]


def native(tcpsim, source_dir, scenario, work):
    paths = {kind: os.path.join(work, "native." + kind) for kind in ("jsonl", "svg", "pcapng")}
    run = subprocess.run([tcpsim, "run", os.path.join(source_dir, scenario),
                          "--trace", paths["jsonl"], "--svg", paths["svg"],
                          "--pcap", paths["pcapng"]],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    check(run.returncode == 0, "tcpsim run %s failed: %s" % (scenario, run.stderr.decode()))
    out = {}
    for kind, path in paths.items():
        with open(path, "rb") as data:
            out[kind] = data.read()
    return out


def download(driver, button, directory, name):
    path = os.path.join(directory, name)
    if os.path.exists(path):
        os.remove(path)
    driver.click("#" + button)
    deadline = time.monotonic() + 15
    while not os.path.exists(path) or os.path.exists(path + ".crdownload"):
        if time.monotonic() > deadline:
            raise Failure("the %s button downloaded no %s (in %s: %s)"
                          % (button, name, directory, os.listdir(directory)))
        time.sleep(0.1)
    time.sleep(0.2)
    with open(path, "rb") as data:
        return data.read()


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    page, tcpsim, source_dir, output_dir = sys.argv[1:]
    if not os.path.exists(page):
        if not shutil.which("emcc"):
            print("browser:playground: skipped: no playground page (%s) and no emcc to build it "
                  "(scripts/install-dependencies playground)" % page)
            return SKIP
        print("browser:playground: FAILED: emcc is installed but %s was not built "
              "(scripts/playground; ctest's web:playground-build)" % page)
        return 1
    chromium = find_tool(["chromium", "chromium-browser"])
    chromedriver = find_tool(["chromedriver"])
    if not chromium or not chromedriver:
        if os.environ.get("TCPSIM_SKIP_BROWSER") == "1":
            print("browser:playground: skipped (chromium or chromedriver not installed, "
                  "TCPSIM_SKIP_BROWSER=1)")
            return SKIP
        print("browser:playground: FAILED: chromium and chromedriver are needed "
              "(scripts/install-dependencies), or set TCPSIM_SKIP_BROWSER=1 to skip this test.")
        return 1

    work = tempfile.mkdtemp(prefix="tcpsim-playground-")
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)
    driver_process = None
    driver = None

    def on_deadline(signum, frame):
        raise Failure("the test took longer than %d s" % DEADLINE_SECONDS)

    def on_terminate(signum, frame):
        raise Failure("terminated (signal %d)" % signum)

    signal.signal(signal.SIGALRM, on_deadline)
    signal.signal(signal.SIGTERM, on_terminate)
    signal.alarm(DEADLINE_SECONDS)
    started = time.monotonic()
    try:
        with socket.socket() as probe:
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
        driver.call("POST", driver.path("/goog/cdp/execute"), {
            "cmd": "Browser.setDownloadBehavior",
            "params": {"behavior": "allow", "downloadPath": downloads}})

        opened = time.monotonic()
        driver.navigate("file://" + os.path.abspath(page))
        wait_for(driver, "return window.tcpsimPlayground && (window.tcpsimPlayground.ready || "
                         "window.tcpsimPlayground.error);", "the simulator to load")
        error = driver.script("return window.tcpsimPlayground.error;")
        check(not error, "the simulator did not start: %s" % error)
        ready_ms = driver.script("return window.tcpsimPlayground.state.loadMs;")
        print("browser:playground: %s, %d bytes, ready %d ms after navigation (%.1f s with the "
              "navigation)" % (os.path.basename(page), os.path.getsize(page), ready_ms,
                               time.monotonic() - opened))
        fetched = driver.script("return performance.getEntriesByType('resource').map("
                                "function (entry) { return entry.name; });")
        check(fetched == [], "the page fetched %r" % fetched)

        # 1. The two-way handshake's phantom connection.
        choose(driver, "scenario", STALE_SYN)
        before = runs(driver)
        driver.click("#run")
        check(runs(driver) == before + 1, "the run button did not run")
        shown = believes(driver)
        check(shown.get("server") == (2, 2) and shown.get("client") == (2, 1),
              "two-way: the page shows %r, expected the server with 2 connections, 2 "
              "ESTABLISHED, the client with 2 connections, 1 ESTABLISHED" % shown)
        check(established_items(driver, "server") == ["web#1", "web#2"],
              "two-way: the server's ESTABLISHED connections are %r"
              % established_items(driver, "server"))
        check(established_items(driver, "client") == ["second-attempt"],
              "two-way: the client's ESTABLISHED connections are %r"
              % established_items(driver, "client"))
        # What the page downloads is what the command line writes.
        expected = native(tcpsim, source_dir, STALE_SYN, work)
        name = "two-way-handshake-stale-syn"
        for button, suffix, kind in (("download-trace", ".trace.jsonl", "jsonl"),
                                     ("download-svg", ".svg", "svg"),
                                     ("download-pcap", ".pcapng", "pcapng")):
            got = download(driver, button, downloads, name + suffix)
            check(got == expected[kind], "the downloaded %s differs from tcpsim run's (%d and %d "
                  "bytes)" % (name + suffix, len(got), len(expected[kind])))
        with open(os.path.join(source_dir, STALE_SYN), "rb") as shipped:
            check(download(driver, "download-scenario", downloads, name + ".json") ==
                  shipped.read(), "the downloaded scenario is not the shipped file")

        # 2. The same network with the three-way handshake.
        choose(driver, "knob-handshake", "three-way")
        text = driver.script("return document.getElementById('editor').value;")
        check(text.count('"handshake": "three-way"') == 2,
              "the editor does not set the three-way handshake on both hosts:\n" + text)
        shown = believes(driver)
        check(shown.get("server", (0, 0))[1] == 1 and shown.get("client", (0, 0))[1] == 1,
              "three-way: the page shows %r, expected one ESTABLISHED connection each" % shown)
        check(established_items(driver, "server") == ["web#1"],
              "three-way: the server's ESTABLISHED connections are %r"
              % established_items(driver, "server"))
        # The expectations were written for the two-way run: the page says which now fail.
        check(driver.script("return document.getElementById('outcome')"
                            ".getAttribute('data-outcome');") == "failed",
              "three-way: the two-way scenario's expectations are reported as met")

        # 3. Side by side with its pair, then stepping with the later steps hidden.
        driver.click("#revert")  # the shipped two-way file again
        check(believes(driver).get("server") == (2, 2), "the shipped version is not restored")
        driver.click('#pair-buttons button[data-pair="three-way-handshake-stale-syn"]')
        side = driver.script("""
var a = document.getElementById('pane-a');
var count = function (box) { return box.querySelector('.tp-count[data-established]') ?
  Array.prototype.map.call(box.querySelectorAll('.tp-host'), function (host) {
    return host.getAttribute('data-host') + ' ' +
      host.querySelector('.tp-count').getAttribute('data-established'); }) : []; };
return {hidden: a.hidden, svg: !!a.querySelector('svg'), a: count(a),
        b: count(document.getElementById('states')),
        title: a.querySelector('.tp-pane-title').textContent};""")
        check(not side["hidden"] and side["svg"], "comparing: pane A shows no diagram")
        check(side["a"] == ["client 1", "server 1"] and side["b"] == ["client 1", "server 2"],
              "comparing: A (three-way) shows %r, B (two-way) %r" % (side["a"], side["b"]))
        # The two diagrams in view, under the stepper's sticky panel.
        driver.script("var stage = document.querySelector('#player .tp-stage');"
                      "var panel = document.querySelector('#player .tp-panel');"
                      "window.scrollTo(0, stage.getBoundingClientRect().top + window.scrollY -"
                      " panel.offsetHeight - 8);")
        png = driver.screenshot()
        with open(os.path.join(output_dir, "browser-playground-side-by-side.png"), "wb") as out:
            out.write(png)
        driver.click("#unpin")
        driver.press(HOME)
        stepped = driver.script("""
var nodes = document.querySelectorAll('#diagram [data-step]');
var hidden = 0;
nodes.forEach(function (node) { if (getComputedStyle(node).visibility === 'hidden') ++hidden; });
var steps = window.tcpsimPlayground.state.steps.steps;
return {step: document.body.getAttribute('data-step'), hidden: hidden, all: nodes.length,
        narration: document.getElementById('narration').textContent, first: steps[0].n,
        second: steps[1].n};""")
        check(stepped["step"] == "0" and stepped["narration"] == stepped["first"],
              "Home: step %s, narration %r" % (stepped["step"], stepped["narration"]))
        check(0 < stepped["hidden"] < stepped["all"],
              "at step 1 of the run, %d of %d diagram elements are hidden"
              % (stepped["hidden"], stepped["all"]))
        driver.press(ARROW_RIGHT)
        check(driver.script("return document.getElementById('narration').textContent;") ==
              stepped["second"], "the right arrow does not show the second step")

        # 4. What if the final ACK of the close were lost?
        choose(driver, "scenario", FOUR_WAY_CLOSE)
        _, events = trace_events(driver)
        client_acks = [event["seg"] for event in events if event["ev"] == "send" and
                       event["host"] == "client" and event["seg"]["flags"] == "ACK"]
        final_ack = client_acks[-1]["id"]
        check(not any(event["ev"] == "send" and "FIN" in event["seg"]["flags"] and
                      event["seg"].get("retx") for event in events),
              "four-way-close retransmits a FIN before any drop")
        css = driver.script("""
var prefix = '#' + arguments[0] + ' ';
var target = null;
document.querySelectorAll('#diagram text.seglabel').forEach(function (label) {
  if (!target && label.textContent.indexOf(prefix) === 0) target = label;
});
if (!target) return null;
target.id = 'final-ack-label';
target.scrollIntoView({block: 'center'});
return '#final-ack-label';""", final_ack)
        check(css, "no label for segment #%d, the final ACK, in the diagram" % final_ack)
        driver.click("#diagram " + css)
        check(driver.script("return !document.getElementById('menu').hidden;"),
              "a click on the final ACK opens no menu")
        title = driver.script("return document.getElementById('menu-title').textContent;")
        check("ACK" in title and "client" in title, "the menu is about %r" % title)
        before = runs(driver)
        driver.click("#menu-drop")
        check(runs(driver) == before + 1, "choosing drop did not run again")
        text = driver.script("return document.getElementById('editor').value;")
        check('"name": "drop-client-ACK-2"' in text and '"action": "drop"' in text,
              "the editor has no drop rule for the final ACK:\n" + text)
        _, events = trace_events(driver)
        drops = [event for event in events if event["ev"] == "drop"]
        check(len(drops) == 1 and drops[0]["seg"]["id"] == final_ack,
              "the run drops %r, not the final ACK #%d" % (drops, final_ack))
        fins = [event["seg"] for event in events if event["ev"] == "send" and
                event["host"] == "server" and "FIN" in event["seg"]["flags"]]
        check(len(fins) >= 2 and fins[1].get("retx") is True,
              "after the drop the server's FINs are %r: no retransmission" % fins)
        labels = driver.script("""
return Array.prototype.map.call(document.querySelectorAll('#diagram text.seglabel'),
  function (node) { return node.textContent; });""")
        check(any("FIN" in label and "retx" in label for label in labels),
              "the diagram labels no retransmitted FIN: %r" % labels)
        png = driver.screenshot()
        with open(os.path.join(output_dir, "browser-playground.png"), "wb") as out:
            out.write(png)

        # 5. A syntax error typed into the editor names its line.
        driver.script("""
var editor = document.getElementById('editor');
var lines = editor.value.split('\\n');
var at = lines.slice(0, 3).join('\\n').length;  // the end of line 3
editor.focus();
editor.setSelectionRange(at, at);""")
        before = runs(driver)
        driver.call("POST", driver.path("/actions"), {"actions": [{
            "type": "key", "id": "keyboard",
            "actions": [action for key in " oops" for action in
                        ({"type": "keyDown", "value": key}, {"type": "keyUp", "value": key})]}]})
        try:
            wait_for(driver, "return parseInt(document.body.getAttribute('data-runs'), 10) > %d "
                             "&& document.getElementById('editor-status').classList.contains("
                             "'pg-error');" % before, "the editor to report the error", 10)
        except Failure:
            raise Failure("typing an error into line 3 reported nothing: the status says %r, "
                          "line 3 is %r" % tuple(driver.script(
                              "return [document.getElementById('editor-status').textContent, "
                              "document.getElementById('editor').value.split('\\n')[2]];")))
        status = driver.script("""
var status = document.getElementById('editor-status');
var bad = document.querySelector('#gutter .pg-bad');
return {text: status.textContent, line: status.getAttribute('data-line'),
        gutter: bad ? bad.textContent : null,
        value: document.getElementById('editor').value.split('\\n')[2]};""")
        check(status["value"].endswith(" oops"), "the typing went elsewhere: line 3 is %r"
              % status["value"])
        check(status["text"].startswith("line 3, column ") and status["line"] == "3",
              "the error does not name line 3: %r" % status["text"])
        check(status["gutter"] == "3", "the gutter marks line %r" % status["gutter"])
        check(driver.script("return document.getElementById('download-trace').disabled;"),
              "with an error the trace of the last good run can still be downloaded")
        # 6. The interface in Chinese: the playground's words, the stepping page's, the
        # narration and the page's lang attribute.
        choose(driver, "scenario", STALE_SYN)
        choose(driver, "lang", "zh")
        chinese = driver.script("""
return {lang: document.documentElement.lang, run: document.getElementById('run').textContent,
        next: document.getElementById('next').textContent,
        knobs: document.querySelector('[data-t="knobs"]').textContent,
        narration: document.getElementById('narration').textContent,
        count: document.querySelector('#states .tp-count').textContent,
        outcome: document.getElementById('outcome').textContent};""")
        check(chinese["lang"] == "zh-CN", "in Chinese the page's lang is %r" % chinese["lang"])
        check(chinese["run"] == "运行" and "下一步" in chinese["next"] and
              chinese["knobs"] == "教学开关" and "个连接" in chinese["count"] and
              "预期" in chinese["outcome"], "the Chinese interface reads %r" % chinese)
        check(any("\u4e00" <= c <= "\u9fff" for c in chinese["narration"]),
              "the Chinese narration is %r" % chinese["narration"])
        check(believes(driver).get("server") == (2, 2), "in Chinese the run changed")
        print("browser:playground: passed: stale SYN two-way and three-way, downloads identical "
              "to tcpsim run, side by side, stepping, a dropped final ACK retransmits the FIN, "
              "the editor names the error's line (%s), the interface in Chinese in %.1f s"
              % (status["text"], time.monotonic() - started))
        return 0
    except Failure as failure:
        print("browser:playground: FAILED: %s" % failure)
        log_path = os.path.join(work, "chromedriver.log")
        if driver_process is not None and os.path.exists(log_path):
            with open(log_path, errors="replace") as log_file:
                print("--- chromedriver log (tail):\n" + log_file.read()[-2000:])
        return 1
    finally:
        signal.alarm(0)
        if driver is not None:
            driver.quit()
        if driver_process is not None:
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
