"""QtCharts against pyqtgraph for the lead console's day charts: build-and-show time and
resident memory for the same two charts (24 hourly bars, a 12-point line).

Each library runs in a fresh process (imports and memory are per process):

    .venv/bin/python benchmarks/chart_libraries.py            # every library found
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/chart_libraries.py --runs 3

pyqtgraph is not a dependency: install it (with numpy) in a throwaway place to compare,
e.g. `pip install --target /tmp/pg pyqtgraph numpy` and `PYTHONPATH=/tmp/pg`.
Screenshots of each go to --shots (default: none). Results: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CALLS = [0, 0, 0, 0, 0, 0, 0, 2, 5, 7, 6, 4, 3, 6, 8, 7, 5, 3, 1, 0, 0, 0, 0, 0]
HANDLE_S = [None] * 7 + [300, 320, 280, 350, 360, 310, 290, 330, 340, 300, 280, 260] + [None] * 5


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _child(which: str, shot: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

    app = QApplication([])
    base = _rss_mb()
    t0 = time.perf_counter()
    window = QWidget()
    layout = QVBoxLayout(window)
    points = [(h, v / 60) for h, v in enumerate(HANDLE_S) if v is not None]
    if which == "qtcharts":
        from PySide6 import QtCharts
        from PySide6.QtGui import QPainter

        bars = QtCharts.QBarSet("Appels")
        bars.append([float(v) for v in CALLS])
        series = QtCharts.QBarSeries()
        series.append(bars)
        chart = QtCharts.QChart()
        chart.addSeries(series)
        x = QtCharts.QBarCategoryAxis()
        x.append([f"{h:02d}:00" for h in range(24)])
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x)
        y = QtCharts.QValueAxis()
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y)
        view = QtCharts.QChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        layout.addWidget(view)
        line = QtCharts.QLineSeries()
        for h, m in points:
            line.append(h, m)
        trend = QtCharts.QChart()
        trend.addSeries(line)
        trend.createDefaultAxes()
        layout.addWidget(QtCharts.QChartView(trend))
    elif which == "pyqtgraph":
        import pyqtgraph as pg

        plot = pg.PlotWidget()
        plot.addItem(pg.BarGraphItem(x=list(range(24)), height=CALLS, width=0.8))
        layout.addWidget(plot)
        trend_plot = pg.PlotWidget()
        trend_plot.plot([h for h, _ in points], [m for _, m in points])
        layout.addWidget(trend_plot)
    window.resize(900, 600)
    window.show()
    for _ in range(5):
        app.processEvents()
    shown_ms = (time.perf_counter() - t0) * 1000
    if shot:
        window.grab().save(os.path.join(shot, f"{which}.png"))
    print(f"{shown_ms:.1f} {base:.1f} {_rss_mb():.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shots", default="")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.shots)
        return
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    print("library     import+build+show ms   RSS before → after (MB)   RSS added (MB)")
    for which in ("none", "qtcharts", "pyqtgraph"):
        runs = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, __file__, "--child", which, "--shots", args.shots],
                capture_output=True, text=True, env=env, check=False,
            )  # fmt: skip
            if out.returncode != 0:
                break
            runs.append(tuple(float(v) for v in out.stdout.split()[-3:]))
        if not runs:
            print(f"{which:<11} not installed")
            continue
        ms = statistics.median(r[0] for r in runs)
        before, after = statistics.median(r[1] for r in runs), statistics.median(r[2] for r in runs)
        added = after - before
        print(f"{which:<11} {ms:>10.0f} {'':14} {before:6.1f} → {after:6.1f} {'':10} {added:6.1f}")


if __name__ == "__main__":
    main()
