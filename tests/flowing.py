"""Following a guide's guided questions as a resident does: from the first question, the answer links
by their words, to the counters of the page reached.  On the generated pages (tests/test_flow_cases.py)
and, with the same cases, by clicking in Chromium (tests/browser/test_flow.py).

The cases are data beside the guide's data (data/flow-cases.yaml): a situation in a resident's words,
the answers' words to click and the counters that should help.
"""

from __future__ import annotations

import posixpath
import re
from datetime import date
from html import unescape
from pathlib import Path

import yaml

from conftest import REPO, TODAY, page_renderer

from guide.i18n import translations
from guide.load import load_guide
from guide.pages import plan_pages

CASES_FILE = Path("data") / "flow-cases.yaml"
MOST_ANSWERS = 3  # what the issue promises a resident: a counter in at most three answers
CASE_KEYS = {"situation", "lang", "answers", "expect"}
ANSWER = re.compile(r'<a class="flow-answer[^"]*" href="([^"]+)">([^<]+)</a>')
COUNTER = re.compile(r'<h3 class="agency-card__name"><a href="[^"]*agencies/([a-z0-9-]+)/">')


def load_flow_cases(root: Path) -> list[dict]:
    path = root / CASES_FILE
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"] if path.exists() else []


def case_problems(case: dict, agency_ids: set[str]) -> list[str]:
    """What is wrong with a case as written: unknown keys, no answers or too many, counters the guide lacks."""
    problems = [f"unknown key {key}" for key in set(case) - CASE_KEYS]
    if not case.get("situation"):
        problems.append("no situation")
    if not 1 <= len(case.get("answers") or []) <= MOST_ANSWERS:
        problems.append(f"1 to {MOST_ANSWERS} answers needed")
    if not case.get("expect"):
        problems.append("no expected counter")
    problems += [f"no agency {agency}" for agency in case.get("expect") or [] if agency not in agency_ids]
    return problems


def flow_pages(root: Path, lang: str) -> dict[str, str]:
    """The HTML body of every page of the guide's flow in the `lang` edition, by its path (flow/2/1/)."""
    today = date.fromisoformat(TODAY)
    guide = load_guide(root, today=today).guide
    renderer = page_renderer(guide, lang, translations(REPO, lang), today)
    return {page.path: renderer.render(page) for page in plan_pages(guide) if page.path.startswith("flow/")}


def answer_links(html: str) -> dict[str, str]:
    """The answers a page offers: their words → the address they link to (as written, relative)."""
    return {unescape(words): href for href, words in ANSWER.findall(html)}


def counters_on(html: str) -> list[str]:
    """The agency ids of the counter cards a page lists."""
    return COUNTER.findall(html)


def follow(pages: dict[str, str], answers: list[str]) -> tuple[str, list[str]]:
    """Click the answers by their words from the first question: (the page reached, its counters)."""
    here = "flow/"
    for words in answers:
        links = answer_links(pages[here])
        assert words in links, f"{here} offers no answer {words!r}: {sorted(links)}"
        here = linked(here, links[words])
    return here, counters_on(pages[here])


def linked(here: str, href: str) -> str:
    """The path of the page a link on page `here` leads to (flow/2/ + ../../flow/2/1/ → flow/2/1/)."""
    return posixpath.normpath(posixpath.join(here, href)) + "/"
