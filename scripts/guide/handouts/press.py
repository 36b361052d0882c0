"""The printing press (WeasyPrint with the guide's font and stylesheet) and what a tall layout measures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..fontguard import FontGuard
from ..templating import TEMPLATES, component_css

HANDOUT_TEMPLATES = TEMPLATES / "handouts"
STYLESHEET = HANDOUT_TEMPLATES / "handouts.css"  # the sheets' own rules; the components' paper.css follow it
TALL_MM = 20000  # the page measuring layouts use: everything on one page
A4_HEIGHT_PX = 297 / 25.4 * 96  # CSS px, as WeasyPrint lays out


class Press:
    """WeasyPrint with one FontConfiguration and one parsed stylesheet, shared by every PDF of a printing run
    (and by its printing workers, which fork from it)."""

    def __init__(self):
        from weasyprint import CSS, HTML  # noqa: PLC0415 - slow import, only when printing
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415
        from weasyprint.urls import URLFetcher  # noqa: PLC0415

        self._html = HTML
        self.no_network = URLFetcher(allowed_protocols={"data"})  # a handout loads nothing from anywhere
        self.font_config = FontConfiguration()
        stylesheet = STYLESHEET.read_text(encoding="utf-8") + component_css("paper")
        self.stylesheet = CSS(string=stylesheet, base_url=str(HANDOUT_TEMPLATES) + "/", font_config=self.font_config)
        # Measuring: the same width, so every line wraps as on A4, but one page tall enough for everything.
        self.tall = CSS(string=f"@page {{ size: 210mm {TALL_MM}mm; }}", font_config=self.font_config)

    def layout(self, html: str, name: str, guard: FontGuard, *, tall: bool = False):
        stylesheets = [self.stylesheet, self.tall] if tall else [self.stylesheet]
        with guard.watching(name):
            return self._html(string=html, base_url=str(HANDOUT_TEMPLATES) + "/", url_fetcher=self.no_network).render(
                font_config=self.font_config, stylesheets=stylesheets
            )

    def pdf(self, document, name: str, guard: FontGuard) -> bytes:
        with guard.watching(name):  # missing glyphs are only noticed while drawing
            pdf = document.write_pdf(pdf_tags=True)  # tagged: screen readers get the reading order
        guard.check_embedded(document, name)
        return pdf

    def write(self, document, target: Path, name: str, guard: FontGuard) -> None:
        write_file(target, self.pdf(document, name, guard))


def write_file(target: Path, data: bytes) -> None:
    """Write whole or not at all: a reader never finds half a PDF."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)


@dataclass
class Measured:
    """One tall layout of a sheet: the height its content needs, split into its entries and the rest."""

    capacity: float  # the height an A4 page of this sheet has for its content (CSS px)
    entries: list[float]  # each entry's height, in order
    rest: float  # everything else: header, hub agency, headings, notes
    note: float  # the tallest note (p.more), an estimate for a note the layout did not have

    @classmethod
    def of(cls, document) -> Measured:
        page = document.pages[0]._page_box
        capacity = A4_HEIGHT_PX - page.margin_top - page.margin_bottom - page.padding_top - page.padding_bottom
        root = next(box for box in page.children if box.element_tag == "html")
        tops, notes, seen = [], [], set()
        for box in descendants(root):
            if box.element is None or box.element_tag not in ("div", "p"):
                continue
            classes = (box.element.get("class") or "").split()
            if "entry" in classes and id(box.element) not in seen:
                seen.add(id(box.element))
                tops.append((box.position_y, box.margin_height()))
            elif "more" in classes and id(box.element) not in seen:
                seen.add(id(box.element))
                notes.append(box.margin_height())
        entries = [next_top - top for (top, _), (next_top, _) in zip(tops, tops[1:])] + [tops[-1][1]] if tops else []
        return cls(capacity, entries, root.margin_height() - sum(entries), max(notes, default=0.0))


def descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from descendants(child)
