#!/usr/bin/env python3
"""Many connections through the views (docs/performance.md, "Views with many connections").

Writes a scenario with one client making N connects to one server listener (backlog large
enough for all), then times `tcpsim run FILE --html OUT` and `--svg OUT` under
/usr/bin/time -v and prints a table row per (N, view): wall seconds, peak RSS, output size.

  bench/many_connections.py build/tcpsim            # N = 1000, 5000, 10000
  bench/many_connections.py build/tcpsim --write-only 2000 FILE   # just the scenario
"""
import json
import os
import re
import subprocess
import sys
import tempfile


def scenario(connects):
    timeline = [{"at": "0s", "host": "server", "action": "listen", "port": 80,
                 "backlog": 65535, "name": "web"}]
    # One connect every 100 us: the handshakes overlap, as a burst of clients would.
    for index in range(connects):
        timeline.append({"at": f"{100 + index * 100}us", "host": "client",
                         "action": "connect", "to": "server", "port": 80,
                         "name": f"c{index + 1}"})
    return {
        "tcpsim": 1,
        "name": f"many-connections-{connects}",
        "description": f"{connects} connects to one listener (bench/many_connections.py).",
        "seed": 1,
        "link": {"delay": "10ms"},
        "hosts": [{"name": "client", "address": "10.0.0.1"},
                  {"name": "server", "address": "10.0.0.2"}],
        "timeline": timeline,
        "stop_at": "5s",
    }


def write(connects, path):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(scenario(connects), out)


def measure(tcpsim, path, view, output):
    command = ["/usr/bin/time", "-v", tcpsim, "run", path, f"--{view}", output]
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    seconds = (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 +
               float(wall.group(3))) if wall else float("nan")
    peak_mb = int(rss.group(1)) / 1024 if rss else float("nan")
    size_mb = os.path.getsize(output) / 1e6 if os.path.exists(output) else 0.0
    return done.returncode, seconds, peak_mb, size_mb


def main(argv):
    if len(argv) >= 2 and argv[1] == "--write-only":
        write(int(argv[2]), argv[3])
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    tcpsim = argv[1]
    counts = [int(value) for value in argv[2:]] or [1000, 5000, 10000]
    print("| connects | view | exit | seconds | peak RSS MB | output MB |")
    print("|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as directory:
        for connects in counts:
            path = os.path.join(directory, f"many-{connects}.json")
            write(connects, path)
            for view in ("html", "svg"):
                output = os.path.join(directory, f"many-{connects}.{view}")
                code, seconds, peak, size = measure(tcpsim, path, view, output)
                print(f"| {connects:,} | --{view} | {code} | {seconds:.2f} | {peak:,.0f} | "
                      f"{size:,.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
