#!/usr/bin/env python3
"""The stepping page as a teacher projects it (ctest browser:html-classroom).

Writes `tcpsim run --html` pages of lost-final-ack-time-wait (English) and four-way-close
(--lang zh), opens them in headless chromium through chromedriver (the WebDriver client of
html_stepping.py) and checks what views/html_page.js promises:
  - the reveal: at a step, no diagram element of a later step is visible, the lifelines are
    cut at the current moment; "faint" shows them faint, "all" shows them;
  - textbook labels (T): the handshake and the close as the seed articles draw them
    (handshake 1 of 3 SYN=1 seq=x ... close 4 of 4 ACK=1 seq=u+1 ack=w+1; in Chinese 第一次握手 ...
    第四次挥手), and back;
  - the window (W): win= on every segment label, then only win=0;
  - autoplay (Space) at 8x moves on by itself, stops at the end, and crosses TIME_WAIT's
    240 s idle gap in at most 4 beats;
  - presentation mode (P) at 1024x768: the narration in large type under the diagram, the
    diagram's labels at least 13 px, both hosts' lifelines and the current step in view,
    nothing outside the window; screenshots browser-html-presentation.png (English, the lost
    final ACK) and browser-html-presentation-zh.png (Chinese, textbook labels, the close)
    are left in OUTPUT_DIR;
  - --lang zh: the page's lang attribute is zh-CN and its interface Chinese;
  - a summary of lost segments (cc-bottleneck-without-congestion-control's "#13–#68 lost
    (56 segments)", class burst) is no one segment's label: T and W leave it as it is.

Usage: html_classroom.py TCPSIM SOURCE_DIR OUTPUT_DIR
Exit 0 passed, 1 failed, 77 skipped (only with TCPSIM_SKIP_BROWSER=1 when chromium is missing).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from html_stepping import WebDriver, Failure, check, find_tool  # noqa: E402

DEADLINE_SECONDS = 120
SKIP = 77
SCREEN = (1024, 768)

LABELS = """
return Array.prototype.map.call(document.querySelectorAll('#diagram text.seglabel'),
  function (node) { return node.textContent; });"""

REVEAL = """
var step = parseInt(document.body.getAttribute('data-step'), 10);
var later = 0, laterVisible = 0, laterFaint = 0;
document.querySelectorAll('#diagram [data-step]').forEach(function (node) {
  if (parseInt(node.getAttribute('data-step'), 10) <= step) return;
  ++later;
  var style = getComputedStyle(node);
  if (style.visibility !== 'hidden') ++laterVisible;
  if (Number(style.opacity) < 0.5) ++laterFaint;
});
var lifelines = document.querySelector('#diagram g.lifelines');
var clip = lifelines.getAttribute('clip-path');
var height = clip ? Number(document.querySelector(clip.replace(/^url\\((.*)\\)$/, '$1') +
                                                  ' rect').getAttribute('height')) : null;
return {step: step, later: later, visible: laterVisible, faint: laterFaint, clip: clip,
        height: height};"""

PRESENTATION = """
var rect = function (node) { var r = node.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height}; };
var diagram = document.getElementById('diagram');
var narration = document.getElementById('narration');
var current = document.querySelector('#diagram .current');
var label = document.querySelector('#diagram text.seglabel:not(.tp-future)');
var lines = Array.prototype.map.call(document.querySelectorAll('#diagram g.lifelines > line'),
  function (line) { return rect(line); });
return {presenting: document.getElementById('tcpsim-page').classList.contains('tp-presenting'),
        width: window.innerWidth, height: window.innerHeight,
        scroll: document.documentElement.scrollHeight,
        diagram: rect(diagram), narration: rect(narration),
        narrationPx: parseFloat(getComputedStyle(narration).fontSize),
        states: rect(document.getElementById('states')),
        current: current ? rect(current) : null, label: label ? rect(label) : null,
        lines: lines, text: narration.textContent};"""


def step_of(driver):
    return int(driver.script("return document.body.getAttribute('data-step');"))


def go_to(driver, index):
    driver.script("window.tcpsimPlayer.stop(); window.tcpsimPlayer.show(arguments[0]);", index)


def check_presentation(driver, path, what):
    shown = driver.script(PRESENTATION)
    check(shown["presenting"], "%s: P did not enter presentation mode" % what)
    check((shown["width"], shown["height"]) == SCREEN,
          "%s: the window is %dx%d, not 1024x768" % (what, shown["width"], shown["height"]))
    check(shown["scroll"] <= SCREEN[1], "%s: the page scrolls (%d px tall)" % (what, shown["scroll"]))
    check(shown["narrationPx"] >= 24, "%s: the narration is %.0f px" % (what, shown["narrationPx"]))
    d, n, st = shown["diagram"], shown["narration"], shown["states"]
    check(d["bottom"] <= n["top"] + 1, "%s: the narration is not under the diagram" % what)
    check(n["bottom"] <= SCREEN[1] and st["bottom"] <= SCREEN[1] + 1,
          "%s: the narration or the states leave the window: %r %r" % (what, n, st))
    check(d["height"] >= 300, "%s: the diagram has only %.0f px of height" % (what, d["height"]))
    check(shown["label"] and shown["label"]["height"] >= 13,
          "%s: the diagram's labels are %r px tall" % (what, shown["label"]))
    c = shown["current"]
    check(c and c["top"] >= d["top"] - 2 and c["bottom"] <= d["bottom"] + 2 and
          c["left"] >= d["left"] - 2 and c["right"] <= d["right"] + 2,
          "%s: the current step %r is not in the diagram's view %r" % (what, c, d))
    check(len(shown["lines"]) >= 2, "%s: no lifelines" % what)
    for line in shown["lines"]:
        check(d["left"] <= line["left"] and line["right"] <= d["right"],
              "%s: a host's lifeline is out of view: %r in %r" % (what, line, d))
    with open(path, "wb") as out:
        out.write(driver.screenshot())
    print("%s: presentation at 1024x768: narration %.0f px, labels %.0f px, diagram %.0f px "
          "high; screenshot %s" % (what, shown["narrationPx"], shown["label"]["height"],
                                    d["height"], path))


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    tcpsim, source_dir, output_dir = sys.argv[1:]
    chromium = find_tool(["chromium", "chromium-browser"])
    chromedriver = find_tool(["chromedriver"])
    if not chromium or not chromedriver:
        if os.environ.get("TCPSIM_SKIP_BROWSER") == "1":
            print("browser:html-classroom: skipped (chromium or chromedriver not installed, "
                  "TCPSIM_SKIP_BROWSER=1)")
            return SKIP
        print("browser:html-classroom: FAILED: chromium and chromedriver are needed "
              "(scripts/install-dependencies), or set TCPSIM_SKIP_BROWSER=1 to skip this test.")
        return 1
    work = tempfile.mkdtemp(prefix="tcpsim-classroom-")
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
        pages = {}
        for name, scenario, extra in (("en", "lost-final-ack-time-wait", []),
                                      ("zh", "four-way-close", ["--lang", "zh"]),
                                      ("burst", "cc-bottleneck-without-congestion-control", [])):
            pages[name] = os.path.join(work, name + ".html")
            run = subprocess.run([tcpsim, "run", os.path.join(source_dir, "scenarios",
                                                              scenario + ".json"),
                                  "--html", pages[name]] + extra, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, timeout=60)
            check(run.returncode == 0, "tcpsim run %s failed: %s" % (scenario, run.stderr))

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
        # The viewport exactly 1024x768, as a projector shows it.
        driver.call("POST", driver.path("/goog/cdp/execute"), {
            "cmd": "Emulation.setDeviceMetricsOverride",
            "params": {"width": SCREEN[0], "height": SCREEN[1], "deviceScaleFactor": 1,
                       "mobile": False}})
        driver.navigate("file://" + os.path.abspath(pages["en"]))
        steps = driver.script("return window.tcpsimPlayer.data.steps;")
        events = [step["k"] for step in steps]
        drop = events.index("drop")
        check(step_of(driver) == 0, "the page does not open at its first step")

        # 1. The reveal.
        go_to(driver, drop)
        shown = driver.script(REVEAL)
        check(shown["later"] > 0 and shown["visible"] == 0,
              "hide: %d of %d later elements are visible" % (shown["visible"], shown["later"]))
        check(shown["clip"] and shown["height"] > 0,
              "hide: the lifelines are not cut at the current moment: %r" % shown)
        go_to(driver, len(steps) - 1)
        end_height = driver.script(REVEAL)["height"]
        check(end_height > shown["height"], "hide: the lifelines' cut does not move down")
        go_to(driver, drop)
        driver.press("r")
        shown = driver.script(REVEAL)
        check(shown["visible"] == shown["later"] and shown["faint"] == shown["later"] and
              not shown["clip"], "faint: %r" % shown)
        driver.press("r")
        shown = driver.script(REVEAL)
        check(shown["visible"] == shown["later"] and shown["faint"] == 0, "all: %r" % shown)
        driver.press("r")
        check(driver.script(REVEAL)["visible"] == 0, "R does not come back to hiding")

        # 2. Textbook labels and the window.
        plain = driver.script(LABELS)
        check(all(" win=" in label for label in plain), "win= is not on every label: %r" % plain)
        # Where the diagram (views::text::segment_label) writes it: before len=.
        check(all(re.search(r" win=[0-9]+ len=[0-9]+", label) for label in plain),
              "win= is not before len= on every label: %r" % plain)
        driver.press("t")
        textbook = driver.script(LABELS)
        for expected in ("handshake 1 of 3 SYN=1 seq=x win=",
                         "handshake 2 of 3 SYN=1 ACK=1 seq=y ack=x+1",
                         "handshake 3 of 3 ACK=1 seq=x+1 ack=y+1",
                         "close 1 of 4 FIN=1 ACK=1 seq=u ack=y+1",
                         "close 2 of 4 ACK=1 seq=v ack=u+1", "close 3 of 4 FIN=1 ACK=1 seq=w ack=u+1",
                         "close 4 of 4 ACK=1 seq=u+1 ack=w+1",
                         "close 3 of 4 (retransmitted) FIN=1 ACK=1 seq=w ack=u+1"):
            check(any(label.startswith(expected) for label in textbook),
                  "textbook labels: none starts with %r: %r" % (expected, textbook))
        driver.press("w")
        bare = driver.script(LABELS)
        check(not any(" win=" in label for label in bare), "W left a window: %r" % bare)
        driver.press("t")
        driver.press("w")
        check(driver.script(LABELS) == plain, "T and W twice do not restore the labels")

        # 3. Autoplay: by itself, at 8x, and across the 240 s of TIME_WAIT in 4 beats.
        driver.script("var s = document.getElementById('speed'); s.value = '8';"
                      "s.dispatchEvent(new Event('change'));")
        idle = next(i for i, step in enumerate(steps) if step.get("i"))
        check(steps[idle]["p"] == 40, "the idle gap's pause is %r beats/10" % steps[idle]["p"])
        go_to(driver, idle - 1)
        driver.press(" ")
        time.sleep(1.2)  # 4 beats at 8x: 0.4 s, then a step or two more
        moved = step_of(driver)
        check(moved >= idle, "autoplay at 8x is at step %d after 1.2 s, the idle gap is step %d"
              % (moved, idle))
        deadline = time.monotonic() + 20
        while driver.script("return document.getElementById('tcpsim-page')"
                            ".getAttribute('data-playing');"):
            check(time.monotonic() < deadline, "autoplay does not stop at the end")
            time.sleep(0.2)
        check(step_of(driver) == len(steps) - 1, "autoplay stopped at step %d" % step_of(driver))

        # 4. Presentation at 1024x768, at the lost final ACK.
        driver.press("p")
        go_to(driver, drop)
        time.sleep(0.3)
        check_presentation(driver, os.path.join(output_dir, "browser-html-presentation.png"),
                           "lost-final-ack-time-wait")
        driver.press("\ue00c")  # Escape
        check(not driver.script("return document.getElementById('tcpsim-page')"
                                ".classList.contains('tp-presenting');"),
              "Escape does not leave presentation mode")

        # 5. Chinese: the interface, the lang attribute, textbook labels, presentation.
        driver.navigate("file://" + os.path.abspath(pages["zh"]))
        check(driver.script("return document.documentElement.lang;") == "zh-CN",
              "the Chinese page's lang attribute is %r"
              % driver.script("return document.documentElement.lang;"))
        interface = driver.script("return [document.getElementById('next').textContent, "
                                  "document.getElementById('position').textContent, "
                                  "document.getElementById('present').textContent];")
        check("下一步" in interface[0] and "第 1 步" in interface[1] and "演示" in interface[2],
              "the Chinese page's interface reads %r" % interface)
        driver.press("t")
        zh = driver.script(LABELS)
        for expected in ("第一次握手 SYN=1 seq=x", "第二次握手 SYN=1 ACK=1 seq=y ack=x+1",
                         "第三次握手 ACK=1 seq=x+1 ack=y+1", "第一次挥手 FIN=1 ACK=1 seq=u ack=y+1",
                         "第二次挥手 ACK=1 seq=v ack=u+1", "第三次挥手 FIN=1 ACK=1 seq=w ack=u+1",
                         "第四次挥手 ACK=1 seq=u+1 ack=w+1"):
            check(any(label.startswith(expected) for label in zh),
                  "Chinese textbook labels: none starts with %r: %r" % (expected, zh))
        zh_data = driver.script("return window.tcpsimPlayer.data;")
        fin = next(i for i, step in enumerate(zh_data["steps"]) if step["k"] == "send" and
                   "FIN" in zh_data["segs"][step["g"]]["l"])
        driver.press("p")
        go_to(driver, fin)
        time.sleep(0.3)
        check_presentation(driver, os.path.join(output_dir, "browser-html-presentation-zh.png"),
                           "four-way-close --lang zh")

        # 6. A summary of lost segments stays as drawn when the labels are rewritten.
        driver.navigate("file://" + os.path.abspath(pages["burst"]))
        summary = ("return Array.prototype.map.call(document.querySelectorAll("
                   "'#diagram text.seglabel.burst'), function (node) { return node.textContent; });")
        drawn = driver.script(summary)
        check(len(drawn) == 1 and drawn[0].endswith("#13\u2013#68 lost (56 segments)"),
              "the burst's summary reads %r" % drawn)
        driver.press("t")
        driver.press("w")
        check(driver.script(summary) == drawn,
              "T and W rewrote the burst's summary: %r" % driver.script(summary))
        print("browser:html-classroom: passed: reveal (hide, faint, all), textbook labels and "
              "the window, autoplay across an idle gap, presentation at 1024x768 in English and "
              "Chinese, a burst's summary kept, in %.1f s" % (time.monotonic() - started))
        return 0
    except Failure as failure:
        print("browser:html-classroom: FAILED: %s" % failure)
        if driver is not None:
            try:
                with open(os.path.join(output_dir, "browser-html-classroom-failure.png"),
                          "wb") as out:
                    out.write(driver.screenshot())
            except Exception:  # the screenshot is a courtesy
                pass
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
