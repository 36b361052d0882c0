"""The one place a page's or a handout's address is made: every output asks here.

Addresses are relative to an edition's root; an edition's prefix or the public address is put in
front by whoever prints them (pages, sitemap, QR codes).
"""

from __future__ import annotations


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
        "slip": "slip/",  # the referral slip; its counters follow in the fragment: slip/#c=<agency>,<agency>~<service>
        "slip_entry": "slip/entries/{}.html",  # one agency as the slip shows it, fetched by the slip's script
    }
    if kind in ("flow", "flow_unsure"):  # the guided questions: the answers' numbers from the start (flow.py)
        return "flow/" + "".join(f"{number}/" for number in ids) + ("unsure/" if kind == "flow_unsure" else "")
    return paths[kind].format(*ids)


def listing_page_url(base: str, number: int) -> str:
    """Page `number` of the listing at `base`: agencies/, agencies/page_2/ … ("_" is never in a record id, so no clash)."""
    return base if number == 1 else f"{base}page_{number}/"


def handout_file(kind: str, record_id: str | None = None, *, large: bool = False) -> str:
    """A printed handout's file name: agency-list.pdf, category-<id>.pdf, area-<id>-large.pdf …"""
    stem = kind if record_id is None else f"{kind}-{record_id}"
    return f"{stem}{'-large' if large else ''}.pdf"


def part_id(record_id: str | None, part: str) -> str:
    """The id of one part of a handout printed in parts: handout_file("area", part_id("kita", "debt")) is
    area-kita--debt.pdf, handout_file("agency-list", part_id(None, "debt")) agency-list--debt.pdf
    ("--" cannot occur in an id, so a part's name never meets another sheet's)."""
    return f"{record_id}--{part}" if record_id else f"-{part}"
