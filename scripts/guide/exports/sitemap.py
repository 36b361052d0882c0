"""sitemap.xml per edition: every public page, `lastmod` from the facts' `last_verified`.

MkDocs writes a sitemap too, dated by the build; this one replaces it so that search
engines see when the facts of a page last changed.  Record pages carry their record's
date (a branch its agency's); listings and prose pages the newest date in the guide.  Each
page lists its language editions as xhtml:link alternates, x-default the default edition.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

from ..model import Guide
from ..trees import listed
from ..urls import url_for

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# What an address keeps as it is; anything else (a control character, a space, a non-ASCII
# letter) is %-escaped, as the sitemap protocol asks: XML cannot hold a control character at all.
URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
XHTML = "http://www.w3.org/1999/xhtml"


def page_dates(guide: Guide) -> dict[str, str]:
    dates = {}
    for agency in guide.agencies:
        dates[url_for("agency", agency.id)] = agency.last_verified.isoformat()
        for branch in agency.branches:
            dates[url_for("branch", agency.id, branch.id)] = agency.last_verified.isoformat()
    for program in guide.programs:
        dates[url_for("program", program.id)] = program.last_verified.isoformat()
    return dates


def public_pages(edition_dir: Path, other_editions: list[str]) -> list[str]:
    """Site-relative paths of every page MkDocs wrote for this edition (not the other editions', not 404)."""
    files = listed(edition_dir, frozenset(prefix.rstrip("/") for prefix in other_editions))[0]
    pages = sorted((name for name in files if name == "index.html" or name.endswith("/index.html")), key=lambda name: name.split("/"))  # as Paths sort
    return [name[: -len("index.html")] for name in pages]


def sitemap(guide: Guide, base_url: str, pages: list[str], alternates: list[tuple[str, str]]) -> bytes:
    """`alternates`: (hreflang, edition address) of every edition, the default one also as x-default,
    the same links as each page's <head> (overrides/main.html)."""
    dates = page_dates(guide)
    newest = max([*dates.values()], default=None)
    ET.register_namespace("", NS)
    ET.register_namespace("xhtml", XHTML)
    urlset = ET.Element(f"{{{NS}}}urlset")
    for path in pages:
        url = ET.SubElement(urlset, f"{{{NS}}}url")
        ET.SubElement(url, f"{{{NS}}}loc").text = quote(base_url + path, safe=URL_SAFE)
        lastmod = dates.get(path, newest)
        if lastmod:
            ET.SubElement(url, f"{{{NS}}}lastmod").text = lastmod
        for lang, edition_url in alternates:
            ET.SubElement(url, f"{{{XHTML}}}link", rel="alternate", hreflang=lang, href=quote(edition_url + path, safe=URL_SAFE))
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"
