#!/usr/bin/env python3
"""The SVG diagram renders the same in rsvg-convert as in Chromium (ctest browser:svg-renderers).

For every shipped scenario and the views' test scenarios (every kind of element: listeners and
their connections, holds, losses, copies, expiries, discards, timers, bursts of duplicate ACKs
at one instant, injected segments, idle breaks), writes `tcpsim run --svg`, renders it with rsvg-convert (librsvg, the
renderer of GNOME, ImageMagick and most converters) and with headless chromium at the SVG's own
size, and compares the two pictures in the browser (a canvas): both the same size, and in 8x8
pixel blocks the mean luminance may differ by no more than BLOCK_TOLERANCE in all but a few
blocks. Two rasterizers never agree pixel for pixel on the edges of text and lines, but a word
that moves (a space one of them drops), a missing element or a wrong colour changes whole
blocks. The worst case is printed; on a failure both pictures and a map of the differing
blocks are left in OUTPUT_DIR (svg-renderers-NAME-{rsvg,chromium,diff}.png).

Usage: svg_renderers.py TCPSIM SOURCE_DIR OUTPUT_DIR [SHARD/SHARDS]
With SHARD/SHARDS (1/3, 2/3, 3/3: the ctest tests browser:svg-renderers-1-of-3 ...), only the
diagrams whose place in the sorted list, counted from 0, is SHARD - 1 modulo SHARDS: together the
shards check every diagram once, and ctest runs them on different cores.
Exit 0 passed, 1 failed, 77 skipped (only with TCPSIM_SKIP_BROWSER=1 when chromium or
rsvg-convert is missing).
"""

import base64
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

DEADLINE_SECONDS = 240
SKIP = 77
# Every shipped scenario (globbed when the test runs) and the views' test scenarios with every
# link event and injected segments.
EXTRA_SCENARIOS = ["tests/views/scenarios/link-faults.json",
                   "tests/views/scenarios/injected-segments.json"]
BLOCK = 8
BLOCK_TOLERANCE = 32   # mean luminance, 0 to 255: antialiasing stays under 24, a moved word
                       # reaches 60 to 100
ALLOWED_BLOCKS = 0.0005  # of all blocks: a handful of glyph edges

COMPARE = """
var done = arguments[arguments.length - 1];
var sources = [arguments[0], arguments[1]];
var block = arguments[2], tolerance = arguments[3];
var images = sources.map(function (source) { var image = new Image(); image.src = source;
                                              return image; });
Promise.all(images.map(function (image) { return image.decode(); })).then(function () {
  var a = images[0], b = images[1];
  if (a.naturalWidth !== b.naturalWidth || a.naturalHeight !== b.naturalHeight) {
    done({size: [a.naturalWidth, a.naturalHeight, b.naturalWidth, b.naturalHeight]});
    return;
  }
  var width = a.naturalWidth, height = a.naturalHeight;
  var pixels = images.map(function (image) {
    var canvas = document.createElement('canvas');
    canvas.width = width; canvas.height = height;
    var context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    context.drawImage(image, 0, 0);
    return context.getImageData(0, 0, width, height).data;
  });
  var columns = Math.ceil(width / block), rows = Math.ceil(height / block);
  var map = document.createElement('canvas');
  map.width = columns; map.height = rows;
  var mapContext = map.getContext('2d');
  var bad = 0, worst = 0, worstAt = null;
  for (var row = 0; row < rows; ++row) {
    for (var column = 0; column < columns; ++column) {
      var sums = [0, 0], count = 0;
      for (var y = row * block; y < Math.min(height, (row + 1) * block); ++y) {
        for (var x = column * block; x < Math.min(width, (column + 1) * block); ++x) {
          var at = (y * width + x) * 4;
          for (var k = 0; k < 2; ++k) {
            var p = pixels[k];
            sums[k] += 0.299 * p[at] + 0.587 * p[at + 1] + 0.114 * p[at + 2];
          }
          ++count;
        }
      }
      var difference = Math.abs(sums[0] - sums[1]) / count;
      if (difference > worst) { worst = difference; worstAt = [column * block, row * block]; }
      if (difference > tolerance) {
        ++bad;
        mapContext.fillStyle = '#dc2626';
        mapContext.fillRect(column, row, 1, 1);
      }
    }
  }
  done({width: width, height: height, blocks: columns * rows, bad: bad, worst: worst,
        worstAt: worstAt, map: map.toDataURL('image/png')});
}, function (error) { done({error: String(error)}); });
"""


def svg_size(path):
    with open(path, encoding="utf-8") as svg:
        head = svg.read(400)
    match = re.search(r'<svg [^>]*width="(\d+)" height="(\d+)"', head)
    check(match, "%s: no width and height on the <svg> element" % path)
    return int(match.group(1)), int(match.group(2))


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__)
        return 2
    tcpsim, source_dir, output_dir = sys.argv[1:4]
    shard, shards = 1, 1
    if len(sys.argv) == 5:
        match = re.fullmatch(r"(\d+)/(\d+)", sys.argv[4])
        if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
            print("svg_renderers.py: the shard is SHARD/SHARDS, 1 <= SHARD <= SHARDS, not %r"
                  % sys.argv[4])
            return 2
        shard, shards = int(match.group(1)), int(match.group(2))
    chromium = find_tool(["chromium", "chromium-browser"])
    chromedriver = find_tool(["chromedriver"])
    rsvg = find_tool(["rsvg-convert"])
    if not chromium or not chromedriver or not rsvg:
        if os.environ.get("TCPSIM_SKIP_BROWSER") == "1":
            print("browser:svg-renderers: skipped (chromium, chromedriver or rsvg-convert not "
                  "installed, TCPSIM_SKIP_BROWSER=1)")
            return SKIP
        print("browser:svg-renderers: FAILED: chromium, chromedriver and rsvg-convert are "
              "needed (scripts/install-dependencies: chromium, chromium-driver, librsvg2-bin), "
              "or set TCPSIM_SKIP_BROWSER=1 to skip this test.")
        return 1
    work = tempfile.mkdtemp(prefix="tcpsim-renderers-")
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
        failures = []
        scenarios = sorted("scenarios/" + name for name in
                           os.listdir(os.path.join(source_dir, "scenarios"))
                           if name.endswith(".json")) + EXTRA_SCENARIOS
        scenarios = scenarios[shard - 1::shards]
        for scenario in scenarios:
            name = os.path.splitext(os.path.basename(scenario))[0]
            svg = os.path.join(work, name + ".svg")
            run = subprocess.run([tcpsim, "run", os.path.join(source_dir, scenario),
                                  "--svg", svg], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, timeout=60)
            check(run.returncode in (0, 1) and os.path.exists(svg),
                  "tcpsim run %s --svg failed: %s" % (scenario, run.stderr.decode()))
            width, height = svg_size(svg)
            rsvg_png = os.path.join(work, name + ".rsvg.png")
            converted = subprocess.run([rsvg, svg, "-o", rsvg_png], stderr=subprocess.PIPE,
                                       timeout=60)
            check(converted.returncode == 0, "rsvg-convert %s failed: %s"
                  % (name, converted.stderr.decode()))
            driver.call("POST", driver.path("/goog/cdp/execute"), {
                "cmd": "Emulation.setDeviceMetricsOverride",
                "params": {"width": width, "height": height, "deviceScaleFactor": 1,
                           "mobile": False}})
            driver.navigate("file://" + os.path.abspath(svg))
            chromium_png = driver.screenshot()
            with open(rsvg_png, "rb") as data:
                rsvg_bytes = data.read()
            driver.navigate("about:blank")
            result = driver.call("POST", driver.path("/execute/async"), {
                "script": COMPARE,
                "args": ["data:image/png;base64," + base64.b64encode(rsvg_bytes).decode(),
                         "data:image/png;base64," + base64.b64encode(chromium_png).decode(),
                         BLOCK, BLOCK_TOLERANCE]}, timeout=60)
            check(result and "error" not in result, "%s: comparing failed: %r" % (name, result))
            if "size" in result:
                failures.append("%s: rsvg-convert draws %dx%d, chromium %dx%d"
                                % ((name,) + tuple(result["size"])))
                continue
            share = result["bad"] / result["blocks"]
            line = ("%s: %dx%d, %d of %d blocks differ by more than %d (worst %.0f at %r)"
                    % (name, result["width"], result["height"], result["bad"], result["blocks"],
                       BLOCK_TOLERANCE, result["worst"], result["worstAt"]))
            print(line)
            if share > ALLOWED_BLOCKS:
                failures.append(line)
                for suffix, data in (("rsvg", rsvg_bytes), ("chromium", chromium_png),
                                     ("diff", base64.b64decode(result["map"].split(",")[1]))):
                    with open(os.path.join(output_dir, "svg-renderers-%s-%s.png"
                                           % (name, suffix)), "wb") as out:
                        out.write(data)
        check(not failures, "the renderers disagree:\n  " + "\n  ".join(failures))
        print("browser:svg-renderers: passed: %d diagrams (shard %d of %d) the same in "
              "rsvg-convert and chromium in %.1f s"
              % (len(scenarios), shard, shards, time.monotonic() - started))
        return 0
    except Failure as failure:
        print("browser:svg-renderers: FAILED: %s" % failure)
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
