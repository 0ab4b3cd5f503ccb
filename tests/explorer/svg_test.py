#!/usr/bin/python3
"""The savings simulator's drawings (`artel simulate savings --svg`) in a
real browser: headless Chromium loads each SVG, which must be a valid
drawing (no parse error) with one line per threshold, the zero line and a
legend; and, checked against the simulator's own JSON answer, a threshold
whose pool goes negative is drawn below the zero line somewhere, one whose
pool never does is drawn above it everywhere. Screenshots go to OUT.

Usage: svg_test.py ARTEL OUT        Exit 77 (skipped) without Chromium.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Browser, available  # noqa: E402

if available():
    print("SKIP:", available())
    sys.exit(77)

ARTEL, OUT = sys.argv[1:3]
failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def inside(browser):
    """Whether every text, as the browser lays it out, lies within the drawing."""
    out = browser.eval("""(() => { const svg = document.documentElement.getBoundingClientRect();
        return Array.from(document.querySelectorAll('text')).filter(t => { const r = t.getBoundingClientRect();
            return r.left < svg.left - 1 || r.right > svg.right + 1 || r.top < svg.top - 1 || r.bottom > svg.bottom + 1; })
          .map(t => t.textContent); })()""")
    if out:
        print("      outside:", out)
    return not out


def main():
    os.makedirs(OUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="artel-svg-")
    browser = Browser(work)
    try:
        browser.size(900, 500)
        # The paper's case: 100 founders, 10 newcomers a month, a = 10 %,
        # m = 2 %, thresholds 51 % to 54 %.
        model = ["savings", "--founders", "100", "--newcomers", "10", "--a", "10", "--m", "2", "--x", "51:54:1"]
        svg = os.path.join(work, "pool.svg")
        answer = json.loads(subprocess.run([ARTEL, "simulate", *model, "--json"], capture_output=True, text=True,
                                           check=True).stdout)
        subprocess.run([ARTEL, "simulate", *model, "--svg", svg], capture_output=True, check=True)
        browser.open_file("file://" + svg)
        check(browser.eval("document.documentElement.tagName") == "svg"
              and browser.eval("document.getElementsByTagName('parsererror').length") == 0,
              "the pool drawing is a valid SVG")
        lines = browser.eval("""Array.from(document.querySelectorAll('polyline')).map(p => {
            const b = p.getBBox(); return {stroke: p.getAttribute('stroke'), top: b.y, bottom: b.y + b.height,
                                           points: p.points.length}; })""")
        legend = browser.eval("""Object.fromEntries(Array.from(document.querySelectorAll('text'))
            .filter(t => t.textContent.startsWith('x = ')).map(t => [t.getAttribute('fill'), t.textContent]))""")
        zero = browser.eval("""(() => { const l = Array.from(document.querySelectorAll('line'))
            .find(l => l.getAttribute('stroke-dasharray')); return l ? Number(l.getAttribute('y1')) : null; })()""")
        check(len(lines) == len(answer) == 4, f"one line per threshold: {len(lines)}")
        check(zero is not None, "the zero line is drawn")
        for line in lines:
            label = legend.get(line["stroke"], "")
            x = label.replace("x = ", "").replace(" %", "")
            result = next((r for r in answer if r["x"] == x), None)
            if result is None:
                check(False, f"a line without its threshold in the legend: {line['stroke']} {label!r}")
                continue
            check(line["points"] == result["months"], f"x = {x} %: a point per month ({line['points']})")
            if result["first_negative_month"] is None:
                check(line["bottom"] <= zero + 0.01, f"x = {x} %: the pool never goes negative, drawn above zero")
            else:
                check(line["bottom"] > zero, f"x = {x} %: negative from month {result['first_negative_month']}, "
                                             "drawn below zero")
        check(inside(browser), "every text of the pool drawing lies inside it")
        browser.screenshot(OUT, "simulate-pool")

        # A Poisson sweep: the failure probability with its interval.
        sweep = os.path.join(work, "poisson.svg")
        subprocess.run([ARTEL, "simulate", "savings", "--founders", "100", "--newcomers", "10", "--a", "10", "--m", "2",
                        "--x", "51:54:1", "--poisson", "--runs", "200", "--svg", sweep], capture_output=True, check=True)
        browser.open_file("file://" + sweep)
        check(browser.eval("document.documentElement.tagName") == "svg"
              and browser.eval("document.getElementsByTagName('parsererror').length") == 0,
              "the Poisson sweep drawing is a valid SVG")
        shapes = browser.eval("document.querySelectorAll('polyline, line, circle, path, rect').length")
        check(shapes > 3, f"the sweep draws its points and intervals ({shapes} shapes)")
        check(inside(browser), "every text of the sweep drawing lies inside it")
        browser.screenshot(OUT, "simulate-poisson")
    finally:
        browser.close()
    print(f"svg_test: {len(failures)} failed" if failures else "svg_test: all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
