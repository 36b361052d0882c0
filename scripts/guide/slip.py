"""The referral slip (the 紹介先 of a city's referral sheet): a page in each edition where staff gather
counters for one resident and print them, and one small entry file per agency that the page's script
fetches (no file holds every agency, so none grows with the guide).

The chosen counters live only in the page's address (slip/#c=<agency>,<agency>~<service>&m=<main>);
the reasons and the note staff type exist only on the screen and on paper (overrides/assets/guide/slip.js).
An entry is made of the components the agency's page and the handouts use (phones, address, hours).
"""

from __future__ import annotations

from jinja2 import Environment

from .model import Guide
from .templating import markdown_block
from .urls import url_for

# UI strings slip.js needs (window.GUIDE_STRINGS), by key: English message id; "{name}" filled in by the script.
JS_STRINGS: dict[str, str] = {
    "slip_add": "Add to the slip",
    "slip_remove_from": "Remove from the slip",
    "slip_added": "Added to the slip: {name}. Counters on the slip: {count}.",
    "slip_removed": "Removed from the slip: {name}. Counters on the slip: {count}.",
    "slip_tray": "Referral slip ({count})",
    "slip_main": "Main counter",
    "slip_main_set": "{name} is the main counter.",
    "slip_up": "Move up",
    "slip_down": "Move down",
    "slip_moved": "{name} is now number {position}.",
    "slip_remove": "Remove",
    "slip_reason": "What to consult about, and why this counter",
    "slip_title_about": "Where to consult: {concerns}",
    "slip_new_done": "The slip is empty: a new slip.",
    "list_separator": ", ",
}


def slip_files(guide: Guide, env: Environment) -> dict[str, str]:
    """The slip page (Markdown for MkDocs) and one entry per agency, by their names in an edition's docs folder.
    `env`: the edition's page environment (the presenter's names as globals)."""
    sensitive = {c.id for c in guide.taxonomy.categories if c.sensitive}
    body = env.get_template("slip/page.md.j2").render()
    files = {url_for("slip") + "index.md": markdown_block(body)}
    entry = env.get_template("slip/entry.html.j2")
    for agency in guide.agencies:
        files[url_for("slip_entry", agency.id)] = entry.render(agency=agency, sensitive=sensitive)
    return files
