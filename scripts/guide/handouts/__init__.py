"""Printable A4 handouts (PDF) of each language edition, and the staff-only agency list.

    agency-list.pdf              every agency by concern, hubs first, phone, address, hours
    category-<id>.pdf            one concern on exactly one page, with a QR code to its web page
    category-<id>-large.pdf      the same in large print (body text ≥ 18 pt), still one page
    area-<id>.pdf, -large.pdf    one smallest area: the offices and agencies that serve it
    program-<id>.pdf             one flyer per program
    staff/<lang>/agency-list-staff.pdf   (only on request) the list with 内線 and 担当者名

A sheet that would grow with the whole guide is split by concern once it is long, and its own
file then holds the contents (each part, what it lists, how many, its file):

    agency-list--<concern>.pdf   above queries.LIST_ROWS rows: the list of one concern, numbered "n / m"
    area-<id>--<concern>.pdf     above queries.AREA_ENTRIES places: one page like the concern's, of this area's places
    area-<id>--programs.pdf      and the area's programs, numbered "n / m"

("--" cannot occur in an id, so a part's name never meets another sheet's.)

Pages are HTML (Jinja2 templates in templates/handouts/, the web pages' presentation
helpers from present.Presenter) printed by WeasyPrint with the BIZ UD font through
fontconfig.  Everything printed is checked against the font first (fontguard), so a
missing font or character is an error, never a sheet of empty boxes.  One
WeasyPrint FontConfiguration and one parsed stylesheet serve every PDF of the process.

At any size of the data a sheet takes a few layouts (a concern's level of detail is computed
from its entries' measured heights), the sheets of every language are printed together by one
forked worker per core, and a sheet whose inputs did not change is copied from
build/handouts-cache/<lang>/.

The package, by job: sheets (which sheets an edition has, and their HTML), fitting (a sheet
to its page), press (WeasyPrint), cache (sheets printed before), printing (on the cores);
here the public interface and `guide handouts`.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..editions import Edition, public_url
from ..fontguard import FontGuard, HandoutError
from ..i18n import words
from ..model import Guide, PrivateOverlay
from .cache import CACHE_DIR, Cache
from .printing import Batch, print_batches
from .sheets import STAFF_SHEET, Overflow, _Handouts

__all__ = ["HandoutError", "HandoutSet", "Overflow", "cmd_handouts", "register", "render_handout_sets", "render_handouts", "staff_sheet_path"]

DEFAULT_OUT = Path("build") / "handouts"
STAFF_DIR = "staff"
PUBLIC_DIR = "site"  # the staff sheet may never be written under it


def staff_sheet_path(root: Path, lang: str) -> Path:
    """Where `guide handouts --staff` writes the staff sheet: <root>/staff/<lang>/ (git-ignored)."""
    return root / STAFF_DIR / lang / STAFF_SHEET


@dataclass
class HandoutSet:
    """One language's public handouts, printed into `out_dir`; `overflows` is filled in by the printing."""

    lang: str
    out_dir: Path
    site_url: str | None  # the edition's public address including its prefix ("https://…/en/"); None: paths, no QR codes
    overflows: list[Overflow] = field(default_factory=list)


def render_handout_sets(root: Path, guide: Guide, sets: list[HandoutSet], *, today: date, staff: PrivateOverlay | None = None) -> list[Path]:
    """Write every public handout of each set into its out_dir, all languages printed together; return the files written.

    With `staff` (the private overlay), each language's staff sheet is also written, to
    staff_sheet_path(root, lang) (never into out_dir), after that language's public sheets.
    Sheets whose inputs did not change are copied from build/handouts-cache/<lang>/ (never the
    staff sheet).  A sheet that promises one page but takes more is added to its set's `overflows`.
    Raises HandoutError (font missing, character not in the font).
    """
    guard = FontGuard()
    batches = []
    for one in sets:
        handouts = _Handouts(root, guide, one.lang, today=today, site_url=one.site_url)
        jobs = [(sheet, Path(one.out_dir) / sheet.filename) for sheet in handouts.sheets()]
        if staff is not None:
            target = staff_sheet_path(root, one.lang)
            _refuse_public(root, target)
            jobs.append((handouts.agency_list(staff), target))
        batches.append(Batch(handouts, jobs, Cache(root / CACHE_DIR / one.lang, guard, lambda sheet, h=handouts: h.html(sheet, 0))))
    print_batches(batches, guard, staff)
    for one, batch in zip(sets, batches):
        one.overflows += [Overflow(sheet.filename, sheet.pages) for sheet, _ in batch.jobs if sheet.one_page and sheet.pages > 1]
    return [target for batch in batches for _, target in batch.jobs]


def render_handouts(
    root: Path,
    guide: Guide,
    lang: str,
    out_dir: Path,
    *,
    today: date,
    site_url: str | None,
    staff: PrivateOverlay | None = None,
    overflows: list[Overflow] | None = None,
) -> list[Path]:
    """Write every public handout of the `lang` edition into out_dir (see render_handout_sets); the
    staff sheet, with `staff`, is the last path returned."""
    one = HandoutSet(lang, Path(out_dir), site_url)
    written = render_handout_sets(root, guide, [one], today=today, staff=staff)
    if overflows is not None:
        overflows += one.overflows
    return written


def _refuse_public(root: Path, target: Path) -> None:
    public = (root / PUBLIC_DIR).resolve()
    if target.resolve().is_relative_to(public):
        raise HandoutError(
            "handouts: the staff sheet contains extensions and staff names and may not be written under {public} (published): {target}",
            public=public, target=target,
        )


# --- command line: `guide handouts` -------------------------------------------------


def register(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `guide handouts` to the subcommands of the `guide` parser."""
    handouts = sub.add_parser("handouts", parents=[common], help="print the A4 PDF handouts of every language edition")
    handouts.add_argument("--out", type=Path, default=None, help="folder for the PDFs (default: build/handouts; English in en/)")
    handouts.add_argument("--site-url", default=None, help="public address for the printed URLs and QR codes (default: url in data/site.yaml)")
    handouts.add_argument(
        "--staff", action="store_true", help="also print the staff-only agency list with 内線 and 担当者名 into staff/<lang>/ (never published)"
    )
    handouts.set_defaults(func=cmd_handouts)
    return handouts


def cmd_handouts(args: argparse.Namespace) -> int:
    from ..load import city_today, load_guide  # noqa: PLC0415
    from ..messages import format_problem, word  # noqa: PLC0415

    lang = args.lang
    w = words(lang)
    today = args.today or city_today(args.root)
    loaded = load_guide(args.root, today=today, with_private=args.staff)
    if loaded.guide is None:
        for problem in loaded.problems:
            print(format_problem(problem, lang), file=sys.stderr)
        print(w("The data has errors: no handouts were printed."), file=sys.stderr)
        return 1
    guide = loaded.guide
    if args.staff and loaded.private is None:
        print(w("No data/private.yaml: cannot print the staff sheet."), file=sys.stderr)
        return 1
    site_url = args.site_url or public_url(guide)
    if not site_url:
        print(
            w("warning: data/site.yaml has no url: the handouts print page paths and no QR codes."),
            file=sys.stderr,
        )
    out = args.out or args.root / DEFAULT_OUT
    started = time.perf_counter()
    written: list[Path] = []
    editions = Edition.all_for(guide)
    sets = [HandoutSet(edition.lang, out / edition.prefix, edition.url(guide, site_url)) for edition in editions]
    try:
        written += render_handout_sets(args.root, guide, sets, today=today, staff=loaded.private if args.staff else None)
        for one in sets:
            for overflow in one.overflows:
                print(f"{one.out_dir / overflow.filename}: {word('handout_overflow', lang, pages=overflow.pages)}", file=sys.stderr)
    except HandoutError as err:
        print(err.in_language(lang), file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    staff = [p for p in written if args.staff and p.resolve() == staff_sheet_path(args.root, p.parent.name).resolve()]
    print(
        w("printed {n} handouts into {out} ({seconds:.1f} s)", n=len(written) - len(staff), out=out, seconds=seconds),
        file=sys.stderr,
    )
    for path in staff:
        print(w("staff only (never publish): {path}", path=path), file=sys.stderr)
    return 0

