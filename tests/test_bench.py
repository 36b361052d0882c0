"""The benchmark's synthetic guides: N copies of a guide that still pass `guide check`, with fake names."""

import importlib
import importlib.util

import yaml

from conftest import MINIMAL, REPO

spec = importlib.util.spec_from_file_location("bench", REPO / "scripts" / "bench.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def records(root, name):
    return yaml.safe_load((root / "data" / f"{name}.yaml").read_text(encoding="utf-8"))[name]


def test_a_synthetic_guide_repeats_every_record_with_fake_names_and_still_checks(tmp_path, run_guide):
    original = records(MINIMAL, "agencies")
    root = bench.synthetic_guide(MINIMAL, tmp_path / "x3", 3)

    agencies = records(root, "agencies")
    assert len(agencies) == 3 * len(original)
    assert agencies[: len(original)] == original  # copy 0 is the guide itself
    copies = agencies[len(original):]
    assert all(a["name"]["ja"].startswith(("架空1 ", "架空2 ")) for a in copies)
    assert len({a["id"] for a in agencies}) == len(agencies)
    assert not (root / "data" / "private.yaml").exists()

    run = run_guide("check", "--root", root, "--today", "2026-11-23")
    assert run.code == 0, run.err


def test_programs_of_a_copy_point_at_the_agencies_of_the_same_copy(tmp_path):
    root = bench.synthetic_guide(MINIMAL, tmp_path / "x2", 2)
    ids = {a["id"] for a in records(root, "agencies")}
    copied = [p for p in records(root, "programs") if p["id"].endswith("-x1")]
    assert copied
    for program in copied:
        for ref in ("organiser", "contact"):
            if program.get(ref):
                assert program[ref].endswith("-x1") and program[ref] in ids


def a_result(**changes) -> dict:
    """What measure() gives for one scale, made up."""
    return {
        "scale": 1, "handouts": False,
        "check": {"process": 1.0, "peak_mb": 50},
        "cold": {"process": 10.0, "peak_mb": 80, "phases": {"· MkDocs": [2.0, 2.0], "load + check": [0.5]}},
        "warm": {"process": 5.0},
        "edited": {"process": 6.0},
        "skip": {"process": 5.0, "phases": {"· MkDocs": [2.0, 2.5]}},
        "bare_mkdocs": 1.5,
        "sizes": {"indexes": {"assets/guide/finder-index.json": (2048, 1024), "en/assets/guide/finder-index.json": (4096, 2048)},
                  "heaviest": (10240, "agencies/index.html"), "pages": 12, "site_mb": 3.0},
        "serve": {"page": 0.8, "all": 2.5, "shown": True},
        **changes,
    }


def test_the_table_names_the_machine_and_every_phase():
    result = a_result()
    text = bench.table([result])
    assert "2 cores" in text or "cores (" in text
    assert "| — · MkDocs | 2.0 s + 2.0 s |" in text
    assert "| — handouts | — |" in text
    assert "default: 2 / 1 KB (1); en: 4 / 2 KB (1)" in text
    assert "| `guide serve`: one-record edit → page updated / every edition | 800 ms / 2.5 s |" in text
    assert "| `guide build` after a one-record edit (process) | 6.0 s |" in text
    # 5 s without handouts, of which the slower edition's MkDocs (side by side) took 2.5 s
    assert f"| generator's own cost: `--skip-handouts --clean` less its MkDocs, median of {bench.OWN_COST_RUNS} runs | 2.5 s: 100 % of MkDocs (2.5 s) |" in text


def test_the_own_cost_is_the_median_run_s_with_the_spread_of_the_runs():
    # own cost beyond the slower MkDocs: 2.5 s of 2.5 s (100 %), 1 s of 2 s (50 %), 1.5 s of 2 s (75 %)
    runs = [{"process": process, "phases": {"· MkDocs": [2.0, mkdocs]}} for process, mkdocs in ((5.0, 2.5), (3.0, 2.0), (3.5, 2.0))]
    median = bench.median_run(runs)
    assert median is runs[2]
    text = bench.table([a_result(skip=median, skips=runs)])
    assert f"| generator's own cost: `--skip-handouts --clean` less its MkDocs, median of {bench.OWN_COST_RUNS} runs | 1.5 s: 75 % of MkDocs (2.0 s) (runs: 50–100 %) |" in text


def test_every_phase_names_a_function_of_the_build():
    # A renamed function would silently show as "—" in the table.
    for label, module, function in bench.PHASES:
        assert callable(getattr(importlib.import_module(module), function, None)), (label, module, function)


def test_the_table_gives_the_finder_s_bytes_before_its_first_results_and_when_they_were_complete():
    result = {
        "scale": 100, "handouts": False,
        "check": {"process": 1.0, "peak_mb": 50},
        "cold": {"process": 10.0, "peak_mb": 80, "phases": {}},
        "warm": {"process": 5.0},
        "bare_mkdocs": None,
        "sizes": {"indexes": {}, "heaviest": (10240, "agencies/index.html"), "pages": 12, "site_mb": 3.0},
        "finder": {"median": 33.0, "p95": 144.0, "n": 72, "first": 650.0, "before": 600 * 1024, "complete": 1250.0,
                   "all": 7400 * 1024},
    }
    text = bench.table([result])
    assert "| finder: keystroke → painted, median / p95 | 33 / 144 ms (n=72) |" in text
    assert "| finder: bytes before first results | 600 KB |" in text
    assert "| finder: first results / complete (all index parts in), after navigation | 650 ms / 1.2 s, 7400 KB |" in text
