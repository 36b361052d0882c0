"""`guide`: one command with subcommands, a thin layer over plain functions.

Exit codes: 0 fine (warnings allowed), 1 the data has errors, 2 the command was used wrongly.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from . import diff, exporter, handouts, importer, report, scaffold
from .editions import SITE_URL_VARIABLE, invalid_site_url_variable
from .i18n import TOOL_LANGUAGE, catalog_languages, default_language, pick, words
from .load import DATA_FILES, OPTIONAL_DATA_FILES, city_today, load_guide, with_config
from .messages import format_problem, github_annotation, word
from .model import PrivateOverlay
from .problems import DataError
from .terminal import safe_output

SCHEMA_DIR = "schema"


def _today(args: argparse.Namespace) -> date:
    return args.today or city_today(args.root)


def cmd_check(args: argparse.Namespace) -> int:
    loaded = with_config(load_guide(args.root, today=_today(args), with_private=True), args.root, required=False)
    for problem in loaded.problems:
        print(format_problem(problem, args.lang), file=sys.stderr)
        if args.format == "github":
            print(github_annotation(problem, args.lang))
    errors, warnings = len(loaded.errors), len(loaded.problems) - len(loaded.errors)
    if loaded.guide is None:
        print(words(args.lang)("{errors} errors, {warnings} warnings", errors=errors, warnings=warnings), file=sys.stderr)
        return 1
    if args.summary:
        print(summary(loaded.guide, args.lang))
    print(words(args.lang)("OK ({warnings} warnings)", warnings=warnings), file=sys.stderr)
    return 0


def summary(guide, lang: str) -> str:
    """Counts per category and per source document, then every record with its source."""

    default = default_language(guide.site)

    def name(text) -> str:
        return pick(text, lang, default).value

    w = words(lang)
    lines = []
    branches = sum(len(a.branches) for a in guide.agencies)
    services = sum(len(a.services) for a in guide.agencies)
    lines.append(
        w(
            "agencies {agencies}  branches {branches}  services {services}  programs {programs}",
            agencies=len(guide.agencies), branches=branches, services=services, programs=len(guide.programs),
        )
    )
    lines.append("")
    lines.append(w("Per category (agencies / services / programs):"))
    for category in guide.taxonomy.categories:
        in_category = [s for a in guide.agencies for s in a.services if category.id in s.categories]
        agencies = {a.id for a in guide.agencies for s in a.services if category.id in s.categories}
        programs = [p for p in guide.programs if category.id in p.categories]
        star = guide.taxonomy.hubs.mark if category.hub else " "
        lines.append(f"  {star} {name(category.name)}: {len(agencies)} / {len(in_category)} / {len(programs)}")
    lines.append("")
    lines.append(w("Per source document (agencies / programs):"))
    for document in guide.sources.sources:
        agencies = [a for a in guide.agencies if any(r.document == document.id for r in a.source)]
        programs = [p for p in guide.programs if any(r.document == document.id for r in p.source)]
        lines.append(f"  {document.id}: {len(agencies)} / {len(programs)}  {name(document.title)}")
    for heading, records in (
        (w.of("summary", "Agencies"), guide.agencies),
        (w.of("summary", "Programs"), guide.programs),
    ):
        lines.append("")
        lines.append(f"{heading}:")
        for record in records:
            refs = "; ".join(f"{r.document} {r.section}" for r in record.source)
            lines.append(f"  {record.id}  {name(record.name)}  [{record.last_verified}]  {refs}")
    return "\n".join(lines)


def cmd_build(args: argparse.Namespace) -> int:
    """Validate, generate every edition and swap the new site/ in; on failure keep the old one."""
    from .build import BuildError, build  # noqa: PLC0415 - MkDocs is slow to import: only when building

    try:
        report = build(args.root, today=_today(args), handouts=not args.skip_handouts, lang=args.lang, clean=args.clean)
    except DataError as err:
        for problem in err.problems:
            print(format_problem(problem, args.lang), file=sys.stderr)
        print(words(args.lang)("The data has errors: site/ was not changed."), file=sys.stderr)
        return 1
    except BuildError as err:
        print(f"{err}", file=sys.stderr)
        print(words(args.lang)("The build failed: site/ was not changed."), file=sys.stderr)
        return 1
    print_warnings(report.problems, args.lang)
    editions = ", ".join(e.lang + ("" if not e.prefix else f" (/{e.prefix})") for e in report.editions)
    print(words(args.lang)("built site/: {editions}", editions=editions), file=sys.stderr)
    if report.kept:
        print(words(args.lang)("{n} pages made again; the others kept from the last build (guide build --clean makes every page)", n=report.pages), file=sys.stderr)
    if report.changed is not None and report.changed.none:
        print(words(args.lang)("site/ is unchanged: this build made the same files as the last one"), file=sys.stderr)
    elif report.changed is not None:
        print(words(args.lang)("site/ changed: {pages} pages and {files} other files (added, changed or taken out)",
                               pages=report.changed.pages, files=report.changed.files), file=sys.stderr)
    return 0


def print_warnings(problems: list, lang: str) -> None:
    stale = [p for p in problems if p.code == "stale"]
    for problem in problems:
        if problem.code != "stale":
            print(format_problem(problem, lang), file=sys.stderr)
    if stale:  # one line, not one per record: `guide check` and `guide report` list them
        print(words(lang)("warning: {n} records were last verified over a year ago (see guide check)", n=len(stale)), file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> int:
    """Preview on localhost: rebuild what an edit touches and reload the browser (build/preview/, no handouts)."""
    from .build import BuildError, _one_build_at_a_time  # noqa: PLC0415 - MkDocs is slow to import: only when serving
    from .preview import Preview, reachable_from_others, serve  # noqa: PLC0415

    w = words(args.lang)
    preview = Preview(args.root)
    first = True

    def rebuild() -> bool:
        nonlocal first
        start = time.perf_counter()
        try:
            rebuilt = preview.rebuild(_today(args), server.published)
        except DataError as err:
            for problem in err.problems if first else [p for p in err.problems if p.is_error]:  # warnings: said at start
                print(format_problem(problem, args.lang), file=sys.stderr)
            print(w("The data has errors: the preview still shows the last good version."), file=sys.stderr)
            return False
        except BuildError as err:
            print(f"{err}", file=sys.stderr)
            print(w("The preview could not be updated: correct the error above and save again."), file=sys.stderr)
            return False
        except OSError as err:  # a read-only folder, a full disk
            print(word("build_no_write", args.lang, path=err.filename or args.root, reason=err.strerror or err), file=sys.stderr)
            return False
        except Exception as err:  # noqa: BLE001 - said, and the preview keeps answering with its last good version
            print(f"{type(err).__name__}: {err}", file=sys.stderr)
            print(w("The preview could not be updated: correct the error above and save again."), file=sys.stderr)
            return False
        if rebuilt is None:  # only an editor's leftovers changed
            return True
        if first:  # the same warnings on every save would bury what matters
            print_warnings(rebuilt.problems, args.lang)
            first = False
        seconds = f"{time.perf_counter() - start:.1f}"
        if rebuilt.clean:
            print(w("preview rebuilt in {seconds} s", seconds=seconds), file=sys.stderr)
        else:
            print(w("preview updated in {seconds} s ({pages} pages rewritten)", seconds=seconds, pages=rebuilt.pages), file=sys.stderr)
        return True

    preview.work.mkdir(parents=True, exist_ok=True)
    try:
        with _one_build_at_a_time(preview.work, args.lang):
            refused = w("This preview answers only to its own address, such as http://localhost:{port}/.", port=args.port)
            server = serve(preview, rebuild, host=args.host, port=args.port, refused=refused)
            server.listen()
            if reachable_from_others(args.host):
                print(w("warning: the preview is open to other computers on {host} (anyone who can reach this address sees the unpublished guide; --host 127.0.0.1 keeps it on this computer)", host=args.host), file=sys.stderr)
            if not rebuild() and not (preview.site / "index.html").is_file():
                return 1
            print(w("Preview on {url} (follows data/, content/, overrides/, locale/ and mkdocs.yml; Ctrl-C stops it)", url=server.url), file=sys.stderr)
            print(w("The preview leaves out the handouts (PDF) and the open-data files: guide build makes them."), file=sys.stderr)
            try:
                server.serve()
            finally:
                server.shutdown()
    except BuildError as err:
        print(f"{err}", file=sys.stderr)
        return 1
    except OSError as err:  # the port is taken, or the address is not this machine's
        print(w("cannot serve on {host}:{port}: {reason}", host=args.host, port=args.port, reason=err.strerror or err), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schemas editors use (referenced from each data file's first line)."""
    out = args.root / SCHEMA_DIR
    out.mkdir(exist_ok=True)
    for filename, file_model in [*DATA_FILES.values(), *OPTIONAL_DATA_FILES.values(), ("private.yaml", PrivateOverlay)]:
        target = out / filename.replace(".yaml", ".schema.json")
        target.write_text(schema_text(file_model), encoding="utf-8")
        print(target.relative_to(args.root))
    return 0


def schema_text(file_model) -> str:
    schema = file_model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def changes_between(old, new, lang: str) -> tuple[bool, str]:
    """What `guide import` says it changes, in the words of `guide diff`: (nothing changed, the words)."""
    changes = diff.diff_guides(old, new, lang)
    return changes.empty, diff.render(changes, lang)


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=Path.cwd(), help="the guide's folder (default: here)")
    common.add_argument("--lang", choices=catalog_languages(), default=TOOL_LANGUAGE, help=f"language of messages (default: {TOOL_LANGUAGE})")
    common.add_argument("--today", type=date.fromisoformat, help="judge freshness as on this date (YYYY-MM-DD)")

    top = argparse.ArgumentParser(prog="guide", description="Build a resource guide from data/ (YAML).")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", parents=[common], help="validate every data file and report all problems")
    check.add_argument("--summary", action="store_true", help="also print counts and every record's source")
    check.add_argument("--format", choices=["text", "github"], default="text",
                       help="github: also print each problem as a GitHub Actions annotation on standard output")
    check.set_defaults(func=cmd_check)

    build = sub.add_parser("build", parents=[common], help="check the data and build site/ (all languages)")
    build.add_argument("--skip-handouts", action="store_true", help="leave out the PDF handouts (a quicker preview)")
    build.add_argument("--clean", action="store_true", help="make every page again, not only those whose text changed")
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", parents=[common], help="build, serve on localhost and rebuild on changes")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)

    handouts.register(sub, common)
    diff.register(sub, common)
    report.register(sub, common)
    scaffold.register(sub, common)
    importer.register(sub, common).set_defaults(func=lambda args: importer.run_import(args, changes_between))
    exporter.register(sub, common)

    schema = sub.add_parser("schema", parents=[common], help="regenerate the JSON Schemas in schema/")
    schema.set_defaults(func=cmd_schema)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "needs_data", True) and not (args.root / "data").is_dir():
        print(
            words(args.lang)("{root}: no data/ folder (run this in the guide's folder or give --root)", root=args.root),
            file=sys.stderr,
        )
        return 2
    if (bad_url := invalid_site_url_variable()) is not None:
        print(word("site_url_invalid", args.lang, variable=SITE_URL_VARIABLE, value=bad_url), file=sys.stderr)
        return 2
    return safe_output(args.func)(args)  # whatever a command quotes from a file, the terminal only shows it


if __name__ == "__main__":
    sys.exit(main())
