#!/usr/bin/env python3
"""How tcpsim's cost grows with the number of connections N: time and peak memory.

Runs, one process per point (so that each peak resident set is its own):
  flood       tcpsim_flood_benchmark --connections N: N concurrent half-open connections
              (a spoofed SYN flood against a backlog of N), core and simulator, trace off;
  lifecycles  tcpsim_benchmark --profile sequential --lifecycles N --batch B: N complete
              lifecycles through the runner's fast path, in scenarios of B = min(N, 100000)
              lifecycles (one scenario up to 100,000: every connection record is kept);
and writes a Markdown table (stdout) and an SVG plot (--svg FILE) of CPU seconds and peak
resident set against N, both on log scales. See docs/performance.md, "How cost grows with N".

usage: bench/scaling.py BUILD_DIR [--sizes 1000,10000,100000,1000000] [--svg FILE]
"""
import argparse
import json
import math
import subprocess
import sys

MAX_BATCH = 100_000  # one scenario of 100,000 lifecycles holds 400,000 actions of 712 bytes


def run_json(command):
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if not lines:
        sys.exit(f"scaling.py: no JSON from {' '.join(command)}")
    return json.loads(lines[-1])


def measure(build, sizes):
    rows = []
    for n in sizes:
        flood = run_json([f"{build}/bench/tcpsim_flood_benchmark", "--connections", str(n),
                          "--json"])
        batch = min(n, MAX_BATCH)
        cycles = run_json([f"{build}/bench/tcpsim_benchmark", "--profile", "sequential",
                           "--lifecycles", str(n), "--batch", str(batch), "--repeat", "1",
                           "--json"])
        rows.append({"n": n,
                     "flood_seconds": flood["flood_seconds"],
                     "flood_cpu": flood["flood_cpu_seconds"],
                     "flood_rss": flood["flood_peak_rss_mib"],
                     "cycles_batch": batch,
                     "cycles_seconds": cycles["seconds"],
                     "cycles_cpu": cycles["cpu_seconds"],
                     "cycles_rss": cycles["peak_rss_mib"]})
    return rows


def table(rows):
    out = ["| N | flood: CPU s | wall s | peak RSS MiB | per connection | "
           "lifecycles (batch): CPU s | wall s | peak RSS MiB | per lifecycle |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        n = row["n"]
        out.append(
            f"| {n:,} | {row['flood_cpu']:.3f} | {row['flood_seconds']:.3f} | "
            f"{row['flood_rss']:.1f} | {row['flood_cpu'] / n * 1e6:.2f} us | "
            f"{row['cycles_cpu']:.3f} ({row['cycles_batch']:,}) | {row['cycles_seconds']:.3f} | "
            f"{row['cycles_rss']:.1f} | {row['cycles_cpu'] / n * 1e6:.2f} us |")
    return "\n".join(out)


def svg(rows):
    """Two log-log panels: CPU seconds and peak RSS against N, a line per series."""
    width, height, margin = 760, 330, 60
    panel = (width - 3 * margin) / 2
    plot_height = height - 2 * margin
    ns = [row["n"] for row in rows]
    series_time = [("flood (half-open)", "#1f77b4", [row["flood_cpu"] for row in rows]),
                   ("lifecycles", "#d62728", [row["cycles_cpu"] for row in rows])]
    series_rss = [("flood (half-open)", "#1f77b4", [row["flood_rss"] for row in rows]),
                  ("lifecycles", "#d62728", [row["cycles_rss"] for row in rows])]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>']

    def draw(x0, title, unit, series):
        values = [v for _, _, vs in series for v in vs if v > 0]
        low = 10 ** math.floor(math.log10(min(values)))
        high = 10 ** math.ceil(math.log10(max(values)))
        nlow, nhigh = min(ns), max(ns)

        def px(n):
            return x0 + (math.log10(n) - math.log10(nlow)) / (
                math.log10(nhigh) - math.log10(nlow) or 1) * panel

        def py(v):
            return margin + plot_height - (math.log10(v) - math.log10(low)) / (
                math.log10(high) - math.log10(low) or 1) * plot_height

        parts.append(f'<text x="{x0 + panel / 2:.1f}" y="{margin - 25}" text-anchor="middle" '
                     f'font-size="13">{title}</text>')
        parts.append(f'<rect x="{x0:.1f}" y="{margin}" width="{panel:.1f}" '
                     f'height="{plot_height}" fill="none" stroke="#888"/>')
        decade = low
        while decade <= high * 1.0001:
            y = py(decade)
            parts.append(f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x0 + panel:.1f}" y2="{y:.1f}" '
                         f'stroke="#ddd"/>')
            parts.append(f'<text x="{x0 - 5:.1f}" y="{y + 4:.1f}" text-anchor="end">'
                         f'{decade:g} {unit}</text>')
            decade *= 10
        for n in ns:
            x = px(n)
            parts.append(f'<line x1="{x:.1f}" y1="{margin}" x2="{x:.1f}" '
                         f'y2="{margin + plot_height}" stroke="#eee"/>')
            parts.append(f'<text x="{x:.1f}" y="{margin + plot_height + 15}" '
                         f'text-anchor="middle">{n:,}</text>')
        parts.append(f'<text x="{x0 + panel / 2:.1f}" y="{margin + plot_height + 32}" '
                     f'text-anchor="middle">connections N</text>')
        for index, (name, colour, vs) in enumerate(series):
            points = " ".join(f"{px(n):.1f},{py(v):.1f}" for n, v in zip(ns, vs) if v > 0)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"/>')
            for n, v in zip(ns, vs):
                if v > 0:
                    parts.append(f'<circle cx="{px(n):.1f}" cy="{py(v):.1f}" r="3" '
                                 f'fill="{colour}"/>')
            parts.append(f'<text x="{x0 + 8:.1f}" y="{margin + 14 + 14 * index}" '
                         f'fill="{colour}">{name}</text>')

    draw(margin, "CPU time (log-log)", "s", series_time)
    draw(2 * margin + panel, "peak resident set (log-log)", "MiB", series_rss)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", help="the build directory (with bench/tcpsim_*_benchmark)")
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--svg", help="write the plot to this file")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = measure(args.build, sizes)
    print(table(rows))
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as out:
            out.write(svg(rows))


if __name__ == "__main__":
    main()
