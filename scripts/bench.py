"""The build and finder benchmark: one command, a Markdown table committed as BENCHMARK.md.

    ./dev bench                       # ×1, ×10, ×100 of the guide in data/ → BENCHMARK.md
    ./dev bench --scales 1,10 --out /tmp/b.md

For each scale it makes a synthetic copy of the guide (every agency and program repeated,
ids suffixed, names prefixed 「架空N」/"FakeN": obviously fake, written to a temporary folder,
never to data/), then measures, each in a fresh process so memory is per run:

- `guide check`: wall time and peak memory;
- `guide build`: wall time and peak memory, per phase (load, the editions' sites (each its pages
  generated, then MkDocs) and open data, in parallel, finder index, handouts (every
  edition's together), report, swap),
  cold, again with nothing changed, and again after one phone number was edited;
- `guide build --skip-handouts --clean`, for the generator's own cost: its wall time beyond MkDocs
  (the slower edition's MkDocs: they run side by side), against that MkDocs time, in OWN_COST_RUNS
  runs (the median one given, with the spread);
- a bare `mkdocs build` of the same generated Markdown;
- `guide serve`: one phone number edited → the record's open page reloaded, and every edition updated;
- finder index size raw and gzipped, the heaviest page (finder index excluded);
- in Chromium: last keystroke → results painted over a fixed query list (median, p95), and for a
  search opened by its address: the bytes of the requests started before its first results were
  drawn, and when the results were complete (every index part in).

Phases are timed by wrapping the build's own functions by name (as a profiler would), so the
build carries no timing code; a phase whose function is renamed shows as "—".  The wrapper
appends to a file, so calls made in the build's forked workers are counted too.
Timings are not tests: they vary with the machine and its load.  The table says which machine.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
GUIDE_FILES = ("data", "content", "locale", "overrides", "schema")
TODAY = date.today().isoformat()
# Phases of `guide build`: (label, module, function).  Wrapped by name in the child process.
PHASES = [
    ("load + check", "guide.build", "load_or_raise"),
    ("editions' sites and open data, in parallel", "guide.build", "forked_jobs"),
    ("· generate (pages + finder)", "guide.build", "generate"),
    ("· finder index", "guide.finder", "build_index"),
    ("· MkDocs", "guide.build", "run_mkdocs"),
    ("· open data", "guide.build", "write_open_data"),
    ("· open data, the same in every edition", "guide.build", "write_shared_open_data"),
    ("handouts", "guide.build", "print_handouts"),
    ("report", "guide.report", "build_report"),
    ("swap", "guide.build", "_swap_in"),
]
OWN_COST_RUNS = 5  # `--skip-handouts --clean` builds per scale; the table gives the median run's own cost (single runs scatter by ±10 points)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# --- synthetic guides ----------------------------------------------------------------------


def synthetic_guide(source: Path, target: Path, scale: int) -> Path:
    """A copy of the guide at `source` with every agency and program repeated `scale` times.

    Copy 0 is the guide itself; copy k > 0 gets ids suffixed "-xk" and names 「架空k」/"Fakek",
    loses its hub marks and its programs point at the agencies of the same copy.  No private overlay is copied.
    """
    for name in GUIDE_FILES:
        if (source / name).exists():
            shutil.copytree(source / name, target / name, ignore=shutil.ignore_patterns("private.yaml"))
    if (source / "mkdocs.yml").exists():
        shutil.copy(source / "mkdocs.yml", target / "mkdocs.yml")
    for filename, key, refs in (("agencies.yaml", "agencies", ()), ("programs.yaml", "programs", ("organiser", "contact"))):
        path = target / "data" / filename
        records = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(key) or []
        copies = list(records)
        for k in range(1, scale):
            for record in records:
                copy = json.loads(json.dumps(record, default=str))
                copy["id"] = f"{record['id']}-x{k}"
                copy["name"] = _fake_text(record["name"], k)
                if copy.get("kana"):
                    copy["kana"] = f"かくう{k} {copy['kana']}"
                for service in copy.get("services", []):
                    service.pop("hub", None)  # each category has one hub: the original's
                for ref in refs:
                    if copy.get(ref):
                        copy[ref] = f"{copy[ref]}-x{k}"
                copies.append(copy)
        path.write_text(yaml.safe_dump({key: copies}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def _fake_text(text: dict, k: int) -> dict:
    fake = {"ja": f"架空{k} ", "en": f"Fake{k} "}
    return {lang: (fake.get(lang, f"Fake{k} ") + value if isinstance(value, str) else value) for lang, value in text.items()}


# --- measuring one process -------------------------------------------------------------------


def child_build(root: Path, *options: str) -> dict:
    """Run `guide build` in this process with its phases timed; return seconds per phase and peak memory.

    options: "skip" (no handouts), "clean" (every page made again)."""
    import importlib  # noqa: PLC0415

    log = Path(tempfile.mkstemp(prefix="bench-phases-")[1])
    for label, module_name, function_name in PHASES:
        module = importlib.import_module(module_name)
        original = getattr(module, function_name, None)
        if original is None:
            continue

        def timed(*args, _original=original, _label=label, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                with open(log, "a", encoding="utf-8") as out:  # one short append: whole lines, also from workers
                    out.write(f"{_label}\t{time.perf_counter() - start}\n")

        setattr(module, function_name, functools.wraps(original)(timed))
    from guide.cli import main  # noqa: PLC0415

    start = time.perf_counter()
    argv = ["build", "--root", str(root), "--today", TODAY] + (["--skip-handouts"] if "skip" in options else []) + (["--clean"] if "clean" in options else [])
    with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
        code = main(argv)
    wall = time.perf_counter() - start
    timings: dict[str, list[float]] = {label: [] for label, _, _ in PHASES}
    for line in log.read_text(encoding="utf-8").splitlines():
        label, seconds = line.split("\t")
        timings[label].append(float(seconds))
    log.unlink()
    return {"code": code, "wall": wall, "phases": timings, "peak_mb": _peak_mb()}


def phone_edit(root: Path) -> tuple[str, str, str]:
    """One agency's first phone number with its last digit changed, as a person would edit it:
    (the agency's id, the new number, the new text of data/agencies.yaml)."""
    text = (root / "data" / "agencies.yaml").read_text(encoding="utf-8")
    agency = next(a for a in yaml.safe_load(text)["agencies"] if a.get("phones"))
    old = str(agency["phones"][0]["number"])
    new = old[:-1] + ("1" if old[-1] == "0" else "0")
    return agency["id"], new, text.replace(f"number: {old}", f"number: {new}", 1)


def child_check(root: Path) -> dict:
    from guide.cli import main  # noqa: PLC0415

    start = time.perf_counter()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
        code = main(["check", "--root", str(root), "--today", TODAY])
    return {"code": code, "wall": time.perf_counter() - start, "peak_mb": _peak_mb()}


def _peak_mb() -> float:
    """Peak memory of this process or of the largest of its workers (MkDocs, handouts), whichever is more."""
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


def in_child(*args: str) -> dict:
    """Run this script's child mode in a fresh interpreter (imports and memory counted per run)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: child {args} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - start  # including interpreter start and imports
    return result


def bare_mkdocs(root: Path, lang: str) -> float | None:
    """Seconds for a plain `mkdocs build` of the Markdown the generator wrote for one edition."""
    config = root / "build" / f"mkdocs.{lang}.yml"
    if not config.exists():
        return None
    out = Path(tempfile.mkdtemp(prefix="bench-mkdocs-"))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(out)],
                   check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    return elapsed


def site_sizes(site: Path) -> dict:
    """Finder index sizes per edition (raw, gzipped) and the heaviest HTML page."""
    indexes = {}
    for index in sorted(site.rglob("finder-index*.json")):
        data = index.read_bytes()
        indexes[str(index.relative_to(site))] = (len(data), len(gzip.compress(data, 9)))
    pages = [(p.stat().st_size, p) for p in site.rglob("*.html")]
    heaviest = max(pages) if pages else (0, site)
    return {"indexes": indexes, "heaviest": (heaviest[0], str(heaviest[1].relative_to(site))),
            "pages": len(pages), "site_mb": sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 1e6}


# --- the finder in Chromium -----------------------------------------------------------------------

# Types a query as one input event and resolves after the results changed and a frame was painted.
TYPE_AND_WAIT = """
async (query) => {
  const form = document.querySelector("form.finder");
  const input = form.querySelector("input[type=search]");
  const watched = [document.querySelector(".finder-results"), document.querySelector(".finder-status")];
  return await new Promise((resolve) => {
    let t0 = 0;
    const done = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
    const observer = new MutationObserver(() => { observer.disconnect(); done(); });
    watched.forEach((node) => node && observer.observe(node, {childList: true, subtree: true, characterData: true}));
    setTimeout(() => { observer.disconnect(); resolve(-1); }, 10000);
    input.value = query;
    t0 = performance.now();
    input.dispatchEvent(new Event("input", {bubbles: true}));
  });
}
"""

# Before the page's scripts: notes the time of the frame in which the first result is drawn.
FIRST_RESULTS = """
addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector(".finder-results");
  if (!list) return;
  const observer = new MutationObserver(() => {
    if (!list.firstChild) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__firstResults = performance.now(); });
  });
  observer.observe(list, {childList: true});
});
"""

# Once the network is quiet: the bytes of every request started before the first results were drawn
# (whole, even when it ended later: it competed with them), the time of that frame, and when the last
# index part was in (complete results) with the bytes of the whole page by then.
TRANSFERRED = """
() => {
  const entries = performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"));
  const size = (entry) => entry.transferSize || entry.encodedBodySize || 0;
  const first = window.__firstResults;
  const parts = entries.filter((entry) => /finder-index[^/]*[.]json$/.test(entry.name));
  return {
    first: first,
    before: entries.filter((entry) => entry.startTime <= first).reduce((sum, entry) => sum + size(entry), 0),
    complete: Math.max(first, ...parts.map((entry) => entry.responseEnd)),
    all: entries.reduce((sum, entry) => sum + size(entry), 0),
  };
}
"""


def query_list(root: Path) -> list[str]:
    """A fixed list from the guide's own data: each category's name and first keyword, in the default language."""
    categories = yaml.safe_load((root / "data" / "categories.yaml").read_text(encoding="utf-8"))["categories"]
    queries = []
    for category in categories:
        queries.append(category["name"]["ja"])
        keywords = (category.get("keywords") or {}).get("ja") or []
        if keywords:
            queries.append(keywords[0])
    return queries


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def finder_latency(site: Path, queries: list[str]) -> dict:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 375, "height": 812})
            page.add_init_script(FIRST_RESULTS)
            # Bytes before the first results: a search opened by its address, cold cache.
            page.goto(base + "finder/?q=" + queries[0])
            page.wait_for_selector(".finder-results li", timeout=60000)
            page.wait_for_load_state("networkidle", timeout=120000)
            transferred = page.evaluate(TRANSFERRED)
            latencies = []
            for _round in range(3):
                for query in queries:
                    page.evaluate(TYPE_AND_WAIT, "")
                    latencies.append(page.evaluate(TYPE_AND_WAIT, query))
            browser.close()
    finally:
        server.shutdown()
    measured = sorted(ms for ms in latencies if ms >= 0)
    p95 = measured[min(len(measured) - 1, round(0.95 * (len(measured) - 1)))]
    return {"median": statistics.median(measured), "p95": p95, "n": len(measured), **transferred}


# --- the preview ----------------------------------------------------------------------------------


def serve_edit(root: Path) -> dict:
    """`guide serve` on the guide, then one agency's phone number changed: seconds from saving the file
    until the record's open page is told to reload (its new HTML written), and until every edition is updated."""
    import re  # noqa: PLC0415
    import socket  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    agencies = root / "data" / "agencies.yaml"
    agency_id, new, edited = phone_edit(root)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "guide.cli", "serve", "--root", str(root), "--port", str(port), "--lang", "en", "--today", TODAY]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True).start()

    def printed(words: str, after: int = 0) -> None:
        while not any(words in line for line in lines[after:]):
            if process.poll() is not None:
                raise SystemExit("bench: guide serve stopped:\n" + "".join(lines))
            time.sleep(0.02)

    try:
        printed("Preview on")
        url = f"http://127.0.0.1:{port}/agencies/{agency_id}/"
        served = urllib.request.urlopen(url).read().decode()
        since = re.search(r"/livereload/script/([0-9]+)\.js", served)[1]
        before = len(lines)
        start = time.perf_counter()
        agencies.write_text(edited, encoding="utf-8")
        poll = f"http://127.0.0.1:{port}/livereload/poll/{since}?page=/agencies/{agency_id}/"
        while urllib.request.urlopen(poll).read() != b"reload":
            pass
        page = time.perf_counter() - start
        shown = new in urllib.request.urlopen(url).read().decode()
        printed("preview updated", before)
        return {"page": page, "all": time.perf_counter() - start, "shown": shown}
    finally:
        process.terminate()
        process.wait()


# --- the run and its table ------------------------------------------------------------------------


def measure(source: Path, scale: int, handouts: bool, browser: bool) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"bench-x{scale}-"))
    root = synthetic_guide(source, work / "guide", scale)
    result = {"scale": scale, "handouts": handouts}
    result["check"] = in_child("check", str(root))
    mode = "full" if handouts else "skip"
    result["cold"] = in_child("build", str(root), mode)
    result["warm"] = in_child("build", str(root), mode)
    (root / "data" / "agencies.yaml").write_text(phone_edit(root)[2], encoding="utf-8")
    result["edited"] = in_child("build", str(root), mode)
    result["sizes"] = site_sizes(root / "site")
    result["serve"] = serve_edit(root)
    if browser:
        result["finder"] = finder_latency(root / "site", query_list(root))
    # Last: it leaves a site without handouts.  Several runs, as the machine's speed varies from one minute to the next.
    result["skips"] = [in_child("build", str(root), "skip", "clean") for _ in range(OWN_COST_RUNS)]
    result["skip"] = median_run(result["skips"])
    result["bare_mkdocs"] = bare_mkdocs(root, "ja")
    shutil.rmtree(work, ignore_errors=True)
    return result


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}, commit {commit or '?'}, {TODAY}"


def _index_sizes(indexes: dict[str, tuple[int, int]]) -> str:
    """Per edition: the index's total size raw and gzipped, and how many files it is split into."""
    totals: dict[str, list[int]] = {}
    for path, (raw, gz) in indexes.items():
        first = path.split("/")[0]
        total = totals.setdefault("default" if first == "assets" else first, [0, 0, 0])
        total[0], total[1], total[2] = total[0] + raw, total[1] + gz, total[2] + 1
    return "; ".join(f"{edition}: {raw / 1024:.0f} / {gz / 1024:.0f} KB ({files})" for edition, (raw, gz, files) in totals.items())


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def _own_cost(run: dict) -> tuple[float, float, float]:
    """(seconds, MkDocs seconds, percent of MkDocs) of a `--skip-handouts --clean` build beyond its MkDocs:
    the slower edition's, as the editions' MkDocs run side by side."""
    mkdocs = max(run["phases"]["· MkDocs"])
    return run["process"] - mkdocs, mkdocs, 100 * (run["process"] - mkdocs) / mkdocs


def median_run(runs: list[dict]) -> dict:
    """The run whose own cost (in percent of its MkDocs) is the median of `runs`."""
    return sorted(runs, key=lambda run: _own_cost(run)[2])[len(runs) // 2]


def table(results: list[dict]) -> str:
    lines = [
        "# Benchmark",
        "",
        "Made by `./dev bench` (scripts/bench.py): synthetic copies ×N of the guide in `data/`",
        f"(fake names, temporary folder), each run in a fresh process. Wall times, one run each (the own cost: the median of {OWN_COST_RUNS});",
        "the machine may have been shared. Not a test: compare runs on the same machine.",
        "",
        f"Machine: {machine()}",
        "",
    ]
    header = ["", *[f"×{r['scale']}" + ("" if r["handouts"] else " (no handouts)") for r in results]]
    rows: list[list[str]] = []

    def row(label, cell):
        rows.append([label, *[cell(r) for r in results]])

    row("HTML pages", lambda r: str(r["sizes"]["pages"]))
    row("`guide check`", lambda r: f"{_s(r['check']['process'])}, {r['check']['peak_mb']:.0f} MB")
    row("`guide build` cold (process)", lambda r: f"{_s(r['cold']['process'])}, {r['cold']['peak_mb']:.0f} MB")
    row("`guide build` again, nothing changed", lambda r: _s(r["warm"]["process"]))
    row("`guide build` after a one-record edit (process)", lambda r: _s(r["edited"]["process"]) if "edited" in r else "—")
    for label, _, _ in PHASES:
        row(f"— {label}", lambda r, label=label: " + ".join(_s(t) for t in r["cold"]["phases"].get(label, [])) or "—")
    row("`guide build --skip-handouts --clean` (process)", lambda r: _s(r["skip"]["process"]) if "skip" in r else "—")
    row("bare `mkdocs build` (ja)", lambda r: _s(r["bare_mkdocs"]))

    def overhead(r):
        if "skip" not in r or not r["skip"]["phases"].get("· MkDocs"):
            return "—"
        own, mkdocs, percent = _own_cost(r["skip"])
        runs = sorted(_own_cost(run)[2] for run in r.get("skips", [r["skip"]]))
        spread = f" (runs: {runs[0]:.0f}–{runs[-1]:.0f} %)" if len(runs) > 1 else ""
        return f"{_s(own)}: {percent:.0f} % of MkDocs ({_s(mkdocs)}){spread}"

    row(f"generator's own cost: `--skip-handouts --clean` less its MkDocs, median of {OWN_COST_RUNS} runs", overhead)
    row("`guide serve`: one-record edit → page updated / every edition",
        lambda r: (f"{_s(r['serve']['page'])} / {_s(r['serve']['all'])}" + ("" if r["serve"]["shown"] else " (edit not shown!)"))
        if "serve" in r else "—")
    row("finder index raw / gzip, per edition (files)", lambda r: _index_sizes(r["sizes"]["indexes"]))
    row("heaviest page", lambda r: f"{r['sizes']['heaviest'][0] / 1024:.0f} KB ({r['sizes']['heaviest'][1]})")
    row("site size", lambda r: f"{r['sizes']['site_mb']:.0f} MB")
    row("finder: keystroke → painted, median / p95",
        lambda r: f"{r['finder']['median']:.0f} / {r['finder']['p95']:.0f} ms (n={r['finder']['n']})" if "finder" in r else "—")
    row("finder: bytes before first results", lambda r: f"{r['finder']['before'] / 1024:.0f} KB" if "finder" in r else "—")
    row("finder: first results / complete (all index parts in), after navigation",
        lambda r: f"{_s(r['finder']['first'] / 1000)} / {_s(r['finder']['complete'] / 1000)}, {r['finder']['all'] / 1024:.0f} KB"
        if "finder" in r else "—")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the guide build and finder at several scales.")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, default=REPO, help="the guide to scale (default: this repository)")
    parser.add_argument("--scales", default="1,10,100", help="comma-separated multiples (default 1,10,100)")
    parser.add_argument("--handouts-up-to", type=int, default=100, help="build handouts up to this scale (default 100)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium finder measurements")
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARK.md", help="where to write the table")
    args = parser.parse_args(argv)
    if args.child:
        kind, root, *rest = args.child
        result = child_check(Path(root)) if kind == "check" else child_build(Path(root), *rest)
        print(json.dumps(result))
        return 0
    results = []
    for scale in (int(s) for s in args.scales.split(",")):
        print(f"bench: ×{scale} …", file=sys.stderr, flush=True)
        results.append(measure(args.source, scale, scale <= args.handouts_up_to, not args.no_browser))
        args.out.write_text(table(results), encoding="utf-8")  # a partial table survives a stopped run
    print(args.out.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
