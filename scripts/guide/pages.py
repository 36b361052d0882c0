"""Generate the Markdown pages of one language edition from the model (a standalone step: no MkDocs hooks).

Each page is a Markdown file with front matter and an HTML body rendered by
Jinja2, so MkDocs (or Zensical) only has to wrap it in the theme.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from .finder import finder_choices
from .model import Guide
from .present import Presenter

TEMPLATES = Path(__file__).parent / "templates"


def url_for(kind: str, *ids: str) -> str:
    """The one URL scheme.  These paths are printed on QR codes: never change them."""
    paths = {
        "home": "",
        "finder": "finder/",
        "categories": "categories/",
        "category": "categories/{}/",
        "agencies": "agencies/",
        "agency": "agencies/{}/",
        "branch": "agencies/{}/{}/",
        "programs": "programs/",
        "program": "programs/{}/",
        "areas": "areas/",
        "area": "areas/{}/",
        "about": "about/",
        "handout": "handouts/{}",
        "opendata": "opendata/",
    }
    return paths[kind].format(*ids)


def handout_file(kind: str, record_id: str | None = None, *, large: bool = False) -> str:
    """A printed handout's file name: agency-list.pdf, category-<id>.pdf, area-<id>-large.pdf …"""
    stem = kind if record_id is None else f"{kind}-{record_id}"
    return f"{stem}{'-large' if large else ''}.pdf"


@dataclass(frozen=True)
class Page:
    path: str  # site-relative URL, for example "agencies/health-center/"
    template: str
    context: dict

    @property
    def source_file(self) -> str:
        return f"{self.path}index.md"


def plan_pages(guide: Guide) -> Iterator[Page]:
    """Every generated page of an edition: listings, then one page per record."""
    yield Page(url_for("home"), "home.md.j2", {})
    yield Page(url_for("finder"), "finder.md.j2", {})
    yield Page(url_for("categories"), "categories.md.j2", {})
    yield Page(url_for("agencies"), "agencies.md.j2", {})
    yield Page(url_for("programs"), "programs.md.j2", {})
    yield Page(url_for("areas"), "areas.md.j2", {})
    yield Page(url_for("opendata"), "opendata.md.j2", {})
    for category in guide.taxonomy.categories:
        yield Page(url_for("category", category.id), "category.md.j2", {"category": category})
    for area in guide.areas.areas:
        yield Page(url_for("area", area.id), "area.md.j2", {"area": area})
    for agency in guide.agencies:
        yield Page(url_for("agency", agency.id), "agency.md.j2", {"agency": agency, "branch": None})
        for branch in agency.branches:
            yield Page(url_for("branch", agency.id, branch.id), "agency.md.j2", {"agency": agency, "branch": branch})
    for program in guide.programs:
        yield Page(url_for("program", program.id), "program.md.j2", {"program": program})


def template_environment(translations) -> Environment:
    """The Jinja2 environment of every page: escaping on, undefined names are errors, gettext from `translations`."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Translations are text, not markup: escaped like every other value (Jinja would trust them).
    env.install_gettext_callables(
        lambda message: escape(translations.gettext(message)),
        lambda singular, plural, n: escape(translations.ngettext(singular, plural, n)),
        newstyle=True,
    )
    env.tests["contains"] = lambda sequence, item: item in sequence
    return env


class Renderer:
    """The pages of one language edition: templates with the presenter's helpers as globals."""

    def __init__(self, guide: Guide, lang: str, translations, today: date, *, site_url: str | None = None, prefix: str = ""):
        self.present = Presenter(guide, lang, translations, today, site_url=site_url, prefix=prefix)
        self.env = template_environment(translations)
        self.env.globals.update(self.present.template_globals(), url_for=url_for, handout_file=handout_file)
        self.env.globals["finder_choices"] = lambda: finder_choices(guide, lang)
        self.env.globals.update(open_data_globals(guide, lang, translations, today))

    def render(self, page: Page) -> str:
        depth = page.path.count("/")
        prefix = "../" * depth

        def rel(url: str) -> str:
            return prefix + url if prefix + url else "./"

        template = self.env.get_template(f"pages/{page.template}")
        body = template.render(page=page, rel=rel, **page.context)
        # Blank lines would end Markdown's raw-HTML block: keep the body one block.
        return "\n".join(line for line in body.splitlines() if line.strip()) + "\n"


def open_data_globals(guide: Guide, lang: str, translations, today: date) -> dict:
    """What the オープンデータ page and the pages' JSON-LD and calendar links need from the exports."""
    from . import exports  # noqa: PLC0415 - the exports use url_for: imported once this module is complete
    from .editions import Edition  # noqa: PLC0415
    from .exports.calendar_feed import has_feed  # noqa: PLC0415
    from .exports.common import Language  # noqa: PLC0415
    from .exports.jsonld import StructuredData  # noqa: PLC0415

    base = Edition.of(guide, lang).url(guide)
    data = StructuredData(guide, Language(guide, lang, translations), today, lambda path: base + path if base else None)
    return {
        "structured_data": data.for_page,
        "has_feed": lambda program: has_feed(program, today),
        "calendar_href": exports.calendar_href,
        "open_data_files": exports.CATALOGUE,
    }
