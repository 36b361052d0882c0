"""`guide report`: what the guide's keepers should look at next.

Five sections, in Japanese (default) or English, as plain text or Markdown:

- to confirm with the city: what the documents leave in doubt (`to_confirm` on a record);
- freshness: records not verified for longer than site.stale_after_days, oldest first,
  grouped by the section that keeps them (agency.owner; a program: its organiser's owner);
- missing facts residents need: counters (agencies and branches) with no phone, no hours
  or no address;
- records the HSDS export cannot fully represent (a required fact the documents do not give);
- translation coverage per non-default language: how many texts are translated, how many
  of those are unofficial, and which are missing;
- dead internal links in a built site (in a build, the generated pages' from the generator's link graph);
- the agencies no path of the guided questions (data/flow.yaml) reaches, and the share reached.

`build_report()` gathers the facts, `render_report()` words them.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from pydantic import BaseModel

from .checks import iter_texts
from .flow import reached_agencies
from .i18n import TOOL_LANGUAGE, default_language, pick, words
from .load import city_today, load_guide
from .messages import format_problem
from .model import Agency, Branch, Guide, Hours, Text
from .phones import voice_phones
from .queries import dead_ends, without_postal_code
from .trees import listed
from .workers import forked_parts

# --- what the report found -------------------------------------------------------------


@dataclass
class StaleRecord:
    kind: str  # "agency" or "program"
    id: str
    name: Text
    owner: Text | None
    last_verified: date
    days: int


@dataclass
class ToConfirm:
    """A doubt the documents cannot settle, written on a record as `to_confirm`."""

    where: str  # "data/categories.yaml long-term-care"
    name: Text | None
    question: str
    # What the doubt can mislead a resident about, most harmful first: 0 a number or hours they act on
    # (a counter with a phone or hours), 1 where a concern sends them (a category), 2 the city's calendar,
    # 3 a counter they cannot reach yet, 4 a program, 5 an area's name.  The report lists by it.
    harm: int = 0


@dataclass
class DeadEnd:
    """A counter the documents give no number for, with where its page sends residents instead."""

    agency_id: str
    name: Text
    branch_name: Text | None  # the branch's name or "agency (area)" parts, when the counter is a branch
    area_name: Text | None
    branch_id: str | None
    owner: Text | None
    annex: bool  # the documents give its number on the list's annex
    ask: list[Text]  # names of the counters its page names instead

    @property
    def ref(self) -> str:
        return f"{self.agency_id}/{self.branch_id}" if self.branch_id else self.agency_id


@dataclass
class MissingFacts:
    """A counter (an agency, or one branch of it) that lacks facts residents need."""

    agency_id: str
    agency_name: Text
    branch_id: str | None = None
    branch_name: Text | None = None
    area_name: Text | None = None
    missing: list[str] = field(default_factory=list)  # "phone", "hours", "address"
    at_branches: list[str] = field(default_factory=list)  # of those, given for some of its branches

    @property
    def ref(self) -> str:
        return f"{self.agency_id}/{self.branch_id}" if self.branch_id else self.agency_id


TEXT_GROUPS = ("categories", "agency_names", "service_descriptions", "program_names", "other")


@dataclass
class TextCoverage:
    group: str  # one of TEXT_GROUPS
    total: int = 0
    translated: int = 0
    unofficial: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def percent(self) -> Decimal:
        """Translated share to 0.1 %, rounded half up; 100.0 only when all are translated, 0.0 only when none."""
        if self.total == 0:
            return Decimal("100.0")
        value = (Decimal(self.translated * 100) / Decimal(self.total)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if self.translated < self.total:
            value = min(value, Decimal("99.9"))
        if self.translated > 0:
            value = max(value, Decimal("0.1"))
        return value


@dataclass
class LanguageCoverage:
    lang: str
    name: str
    groups: list[TextCoverage]


@dataclass
class DeadLink:
    page: str  # the page, relative to the site folder
    target: str  # the link as written


@dataclass
class Report:
    today: date
    stale_after_days: int
    stale: list[StaleRecord]
    missing: list[MissingFacts]
    coverage: list[LanguageCoverage]
    default_lang: str  # the language every text has (i18n.default_language of site.yaml)
    to_confirm: list[ToConfirm] = field(default_factory=list)
    dead_ends: list[DeadEnd] = field(default_factory=list)
    hsds_incomplete: list[str] = field(default_factory=list)  # records HSDS cannot fully represent
    site_dir: Path | None = None  # None: no built site was checked
    pages_checked: int = 0
    dead_links: list[DeadLink] = field(default_factory=list)
    flow: bool = False  # the guide has guided questions
    agencies: int = 0  # how many agencies the guide has
    unreached: list[tuple[str, Text]] = field(default_factory=list)  # (id, name) of those no path of the flow reaches

    def stale_by_owner(self) -> list[tuple[Text | None, list[StaleRecord]]]:
        """Groups of stale records by owning section, the group with the oldest record first; no owner last."""
        groups: dict[str | None, list[StaleRecord]] = {}
        owners: dict[str | None, Text | None] = {}
        for record in sorted(self.stale, key=lambda r: (r.last_verified, r.kind, r.id)):
            key = record.owner.get(self.default_lang) if record.owner else None
            groups.setdefault(key, []).append(record)
            owners.setdefault(key, record.owner)
        order = sorted(groups, key=lambda k: (k is None, groups[k][0].last_verified, k or ""))
        return [(owners[k], groups[k]) for k in order]

    def dead_ends_by_owner(self) -> list[tuple[Text | None, list[DeadEnd]]]:
        """Dead ends grouped by owning section, in data order; no owner last."""
        groups: dict[str | None, list[DeadEnd]] = {}
        owners: dict[str | None, Text | None] = {}
        for entry in self.dead_ends:
            key = entry.owner.get(self.default_lang) if entry.owner else None
            groups.setdefault(key, []).append(entry)
            owners.setdefault(key, entry.owner)
        return [(owners[k], groups[k]) for k in sorted(groups, key=lambda k: k is None)]


# --- gathering ---------------------------------------------------------------------------


def build_report(
    root: Path, guide: Guide, *, today: date, site_dir: Path | None = None, cache: Path | None = None, links: dict[str, list[str]] | None = None,
    facts: Report | None = None,
) -> Report:
    """Everything the report says about `guide`; links are checked in `site_dir` (default root/site if it exists).

    `cache`: a file keeping each page's links from one check to the next; `links`: pages whose links
    are known without reading them (see dead_links); `facts`: data_report's, when it was made already."""
    if site_dir is None and (Path(root) / "site").is_dir():
        site_dir = Path(root) / "site"
    report = facts or data_report(guide, today)
    if site_dir is not None:
        checked, dead = dead_links(Path(site_dir), cache, links)
        report = dataclasses.replace(report, site_dir=Path(site_dir), pages_checked=checked, dead_links=dead)
    return report


def data_report(guide: Guide, today: date) -> Report:
    """What the report says of the data alone, before any site is checked (the build makes it beside the editions)."""
    return Report(
        today=today,
        stale_after_days=guide.site.stale_after_days,
        stale=stale_records(guide, today),
        missing=missing_facts(guide),
        coverage=translation_coverage(guide),
        to_confirm=to_confirm(guide),
        dead_ends=dead_end_list(guide),
        default_lang=default_language(guide.site),
        hsds_incomplete=without_postal_code(guide),
        flow=guide.flow is not None,
        agencies=len(guide.agencies),
        unreached=unreached_agencies(guide),
    )


def unreached_agencies(guide: Guide) -> list[tuple[str, Text]]:
    """(id, name) of every agency no path of the guided questions leads to, in data order (none without a flow)."""
    if guide.flow is None:
        return []
    reached = reached_agencies(guide)
    return [(agency.id, agency.name) for agency in guide.agencies if agency.id not in reached]


def to_confirm(guide: Guide) -> list[ToConfirm]:
    """Every `to_confirm` in the data, the most harmful to a resident first (HARM), then in file order."""
    found = []
    closure = guide.site.city.year_end_closure
    if closure and closure.to_confirm:
        found.append(ToConfirm("data/site.yaml city.year_end_closure", None, closure.to_confirm, 2))
    for file, records, harm in (
        ("data/categories.yaml", guide.taxonomy.categories, lambda _c: 1),
        ("data/agencies.yaml", guide.agencies, lambda a: 0 if voice_phones(a) or _has_hours(a.hours) else 3),
        ("data/programs.yaml", guide.programs, lambda _p: 4),
        ("data/areas.yaml", guide.areas.areas, lambda _a: 5),
    ):
        found += [ToConfirm(f"{file} {r.id}", r.name, r.to_confirm, harm(r)) for r in records if r.to_confirm]
    return sorted(found, key=lambda item: item.harm)


def dead_end_list(guide: Guide) -> list[DeadEnd]:
    """Every counter without a number (queries.dead_ends), in data order."""
    areas = {a.id: a.name for a in guide.areas.areas}
    return [
        DeadEnd(
            agency.id, agency.name, branch and branch.name, branch and areas.get(branch.area), branch and branch.id,
            agency.owner, way.annex is not None, [other.name for other, _service in way.ask],
        )
        for agency, branch, way in dead_ends(guide)
    ]


def stale_records(guide: Guide, today: date) -> list[StaleRecord]:
    """Agencies and programs last verified more than stale_after_days ago, oldest first."""
    limit = guide.site.stale_after_days
    owners = {a.id: a.owner for a in guide.agencies}
    found = []
    for agency in guide.agencies:
        days = (today - agency.last_verified).days
        if days > limit:
            found.append(StaleRecord("agency", agency.id, agency.name, agency.owner, agency.last_verified, days))
    for program in guide.programs:
        days = (today - program.last_verified).days
        if days > limit:
            owner = owners.get(program.organiser) if program.organiser else None
            found.append(StaleRecord("program", program.id, program.name, owner, program.last_verified, days))
    return sorted(found, key=lambda r: (r.last_verified, r.kind, r.id))


def _has_voice(phones) -> bool:
    return any(p.kind == "voice" for p in phones)


def _has_hours(hours: Hours | None) -> bool:
    return hours is not None and hours.status == "published"


def missing_facts(guide: Guide) -> list[MissingFacts]:
    """Counters with no voice phone, no published hours or no address, as residents would see them.

    An agency has a phone when it or one of its services has a voice number; a branch when
    it, its agency or one of the agency's services has one.  A branch without hours of its
    own shows its agency's; a branch's address is its own.
    """
    areas = {a.id: a.name for a in guide.areas.areas}
    found = []
    for agency in guide.agencies:
        service_phone = any(_has_voice(s.phones) for s in agency.services)
        agency_phone = _has_voice(agency.phones) or service_phone
        entry = MissingFacts(agency.id, agency.name)
        for fact, has in (("phone", agency_phone), ("hours", _has_hours(agency.hours)), ("address", agency.address is not None)):
            if not has:
                entry.missing.append(fact)
                if any(_branch_has(agency, b, fact, agency_phone) for b in agency.branches):
                    entry.at_branches.append(fact)
        if entry.missing:
            found.append(entry)
        for branch in agency.branches:
            entry = MissingFacts(agency.id, agency.name, branch.id, branch.name, areas.get(branch.area))
            entry.missing = [f for f in ("phone", "hours", "address") if not _branch_has(agency, branch, f, agency_phone)]
            if entry.missing:
                found.append(entry)
    return found


def _branch_has(agency: Agency, branch: Branch, fact: str, agency_phone: bool) -> bool:
    if fact == "phone":
        return _has_voice(branch.phones) or agency_phone
    if fact == "hours":
        return _has_hours(branch.hours or agency.hours)
    return branch.address is not None


def _text_roots(guide: Guide) -> list[tuple[str, object]]:
    """Every top-level list or object of the data files, by the name its path starts with."""
    return [
        ("site", guide.site),
        ("categories", guide.taxonomy.categories),
        ("audiences", guide.taxonomy.audiences),
        ("program_kinds", guide.taxonomy.program_kinds),
        ("kinds", guide.areas.kinds),
        ("areas", guide.areas.areas),
        ("sources", guide.sources.sources),
        ("agencies", guide.agencies),
        ("programs", guide.programs),
        *([("flow", guide.flow)] if guide.flow else []),
    ]


def _group(path: tuple) -> str:
    if len(path) == 3 and path[0] == "categories" and path[2] == "name":
        return "categories"
    if len(path) == 3 and path[0] == "agencies" and path[2] == "name":
        return "agency_names"
    if len(path) == 5 and path[0] == "agencies" and path[2] == "services" and path[4] == "description":
        return "service_descriptions"
    if len(path) == 3 and path[0] == "programs" and path[2] == "name":
        return "program_names"
    return "other"


def readable_path(root: object, path: tuple) -> str:
    """A place in the data as people read it, list items by id (or date) rather than index: for example
    agencies[some-agency].services[some-service].description."""
    out, node = path[0], root
    for step in path[1:]:
        if isinstance(step, int):
            node = node[step]
            label = getattr(node, "id", None) or getattr(node, "date", None) or getattr(node, "start", None) or step
            out += f"[{label}]"
        else:
            node = getattr(node, step) if isinstance(node, BaseModel) else None
            out += f".{step}"
    return out


def translation_coverage(guide: Guide) -> list[LanguageCoverage]:
    """Per language other than the default: translated share of each group of texts."""
    default = default_language(guide.site)
    result = []
    for language in guide.site.languages:
        if language.code == default:
            continue
        groups = {name: TextCoverage(name) for name in TEXT_GROUPS}
        for name, root in _text_roots(guide):
            for path, text in iter_texts(root, (name,)):
                group = groups[_group(path)]
                group.total += 1
                if text.get(language.code) is not None:
                    group.translated += 1
                    group.unofficial += text.is_unofficial(language.code)
                else:
                    group.missing.append(readable_path(root, path))
        result.append(LanguageCoverage(language.code, language.name, list(groups.values())))
    return result


# --- dead links ---------------------------------------------------------------------------

_EXTERNAL = ("http:", "https:", "mailto:", "tel:", "data:", "javascript:", "ftp:", "sms:")


# The tokens of a page that can hold links, as html.parser reads them: a comment (skipped whole), a
# script or style element (its text is not markup: only the start tag's attributes count), a start tag.
# One findall per page, the tags' attributes read only when they name href or src: a ×100 guide
# has 15,000 pages and 3 million tags.
_ATTRS = r"""((?:[^'">]++|"[^"]*+"|'[^']*+')*+)>"""  # possessive: an unclosed tag fails at once
_NAME_END = r"(?![^\t\n\r\f />\x00])"
_TOKENS = re.compile(
    r"<!--.*?(?:-->|\Z)"
    rf"|<(?i:script){_NAME_END}{_ATTRS}(?:.*?</\s*(?i:script)\s*>|.*)"
    rf"|<(?i:style){_NAME_END}{_ATTRS}(?:.*?</\s*(?i:style)\s*>|.*)"
    rf"|<[a-zA-Z][^\t\n\r\f />\x00]*{_ATTRS}",
    re.S,
)
_ATTRIBUTE = re.compile(r"""((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|/(?!>))*""")


def _page_links(html: str) -> list[str]:
    """Every href and src of the page's tags, in order (not in comments, scripts' text or styles)."""
    links = []
    for script, style, tag in _TOKENS.findall(html):
        attrs = script or style or tag
        lowered = attrs.lower()
        if "href" not in lowered and "src" not in lowered:
            continue
        for name, equals, value in _ATTRIBUTE.findall(attrs):
            if equals and name.lower() in ("href", "src"):  # `href` alone has no value
                if value[:1] == value[-1:] and value[:1] in ("'", '"'):
                    value = value[1:-1]
                links.append(unescape(value).strip())
    return links


def _is_internal(link: str) -> bool:
    if not link or link.startswith(("#", "//")):
        return False
    return not link.lower().startswith(_EXTERNAL)


_ODD = re.compile(r"[:;\\]")  # in a link, left to urljoin


def _link_path(page_url: str, link: str) -> str:
    """The path a link on page_url reaches, as urljoin resolves it (dot segments, RFC 3986)."""
    if _ODD.search(link):  # rare: leave them to urljoin
        return unquote(urlsplit(urljoin("https://site.invalid" + page_url, link)).path)
    path = link.split("#", 1)[0].split("?", 1)[0]
    if not path:
        return unquote(page_url)
    if path.startswith("/"):
        segments = path.split("/")
    else:
        segments = page_url.split("/")[:-1] + path.split("/")
        segments[1:-1] = filter(None, segments[1:-1])
    resolved: list[str] = []
    for segment in segments:
        if segment == "..":
            if resolved:
                resolved.pop()
        elif segment != ".":
            resolved.append(segment)
    if segments[-1] in (".", ".."):
        resolved.append("")
    return unquote("/" + "/".join(resolved).lstrip("/"))


class _Files:
    """The files and folders of a built site, listed once (not one stat per link)."""

    def __init__(self, site: Path):
        self.files, self.folders = listed(site)
        self.folders.add("")
        self.known: dict[tuple[str, str], bool] = {}  # (folder climbed to, link) -> resolves

    def dead(self, page_url: str, links: list[str]) -> list[str]:
        """The links of the page at page_url that reach no file of the site, resolved as a browser
        would with the site at the root."""
        folders = page_url.split("/")[1:-1]
        found = []
        for link in links:
            if link[:1] == "?" or _ODD.search(link):
                resolves = self._resolves(page_url, link)
            else:
                # What a link reaches depends only on the folder it climbs to (../../assets/… from any page
                # two folders deep, ../ from any agency's page): each is resolved once, not once per page.
                ups = 0
                while link.startswith("../", 3 * ups):
                    ups += 1
                key = ("/" if link[:1] == "/" else "/".join(folders[: max(len(folders) - ups, 0)]), link)
                resolves = self.known.get(key)
                if resolves is None:
                    resolves = self.known[key] = self._resolves(page_url, link)
            if not resolves:
                found.append(link)
        return found

    def _resolves(self, page_url: str, link: str) -> bool:
        path = _link_path(page_url, link)
        parts = [part for part in path.split("/") if part]
        if ".." in parts:
            return False
        target = "/".join(parts)
        if target in self.folders:
            return (target + "/index.html").lstrip("/") in self.files
        return target in self.files and not path.endswith("/")


LINKS_CACHE = "links-cache.json"  # in build/: each page's links, by its size and time and by its content


def dead_links(site_dir: Path, cache: Path | None = None, known: dict[str, list[str]] | None = None) -> tuple[int, list[DeadLink]]:
    """(pages checked, links to files that do not exist), every page's links in order of appearance.

    `known`: pages whose internal links are known without reading them, {HTML file: its links} (the
    build's link graph of the pages it generated); each is checked if the site has it.
    Finding a page's links is most of the check (a ×100 guide has 600 MB of HTML).  With `cache`,
    a page whose size and time are those of the last check is not read again (a build that keeps
    the last site copies its pages with their times), and a page made again with the same content
    (a clean build's) is read but not parsed again; the others are parsed in parallel."""
    site = site_dir.resolve()
    files = _Files(site)
    known = known or {}
    names = sorted(name for name in files.files if name.endswith(".html"))
    kept = _read_links_cache(cache)
    stamps = {name: _stamp(site / name) for name in names if name not in known}
    unread = [name for name in stamps if kept.get(name, [None])[0] != stamps[name]]
    read = {name: (digest, links) for name, digest, links in forked_parts(_links_of_pages, (site, kept), unread, fork_above=200)}
    links_of, pages_links = {}, {}
    for name in names:
        if name in known:
            links_of[name] = known[name]
        else:
            digest, links_of[name] = read[name] if name in read else kept[name][1:]
            pages_links[name] = [stamps[name], digest, links_of[name]]
    dead = dict(forked_parts(_dead_in, (files, links_of), names, fork_above=2000))
    found = [DeadLink(name, link) for name in names for link in dead.get(name, ())]
    if cache is not None:
        cache.write_text(json.dumps(pages_links, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(names), found


def _dead_in(files: _Files, links_of: dict[str, list[str]], names: list[str]) -> list[tuple[str, list[str]]]:
    """(page, its dead links) for those of `names` that have any."""
    return [(name, dead) for name in names if (dead := files.dead("/" + name, links_of[name]))]


def _stamp(page: Path) -> list[int]:
    stat = page.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _read_links_cache(cache: Path | None) -> dict:
    """{page: [its stamp, a digest of its content, its links]} of the last check."""
    try:
        kept = json.loads(cache.read_text(encoding="utf-8")) if cache else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {name: entry for name, entry in kept.items() if isinstance(entry, list) and len(entry) == 3}


def _links_of_pages(site: Path, kept: dict, names: list[str]) -> list[tuple[str, str, list[str]]]:
    """Each page's digest and internal links, each link once, in order of appearance (the kept ones
    where the page's content is what it was)."""
    result = []
    for name in names:
        content = (site / name).read_bytes()
        digest = hashlib.blake2b(content, digest_size=16).hexdigest()
        if name in kept and kept[name][1] == digest:
            result.append((name, digest, kept[name][2]))
            continue
        links = dict.fromkeys(link for link in _page_links(content.decode("utf-8", errors="replace")) if _is_internal(link))
        result.append((name, digest, list(links)))
    return result


# --- words ------------------------------------------------------------------------------------

# The report's words: key -> English message id (locale/<lang>.po).
WORDS: dict[str, str] = {
    "title": "Guide check report ({today})",
    "confirm": "To confirm with the city ({n})",
    "confirm_item": "{name} ({where}): {question}",
    "confirm_bare": "{where}: {question}",
    "stale": "Records not verified for over {days} days ({n})",
    "owner_group": "{owner} ({n})",
    "no_owner": "No responsible section given",
    "stale_item": "{date} ({days} days ago) {kind} {name} ({id})",
    "agency": "agency",
    "program": "program",
    "nothing": "None.",
    "missing": "Counters without phone, hours or address ({agencies} agencies, {branches} branches)",
    "missing_item": "{name} ({ref}): {facts}",
    "branch_name": "{agency} ({area})",
    "phone": "phone",
    "hours": "hours",
    "address": "address",
    "at_branches": "{fact} (given for its branches)",
    "fact_sep": ", ",
    "coverage": "Translation coverage",
    "language": "{name} ({code})",
    "no_languages": "There is no language besides the default one.",
    "coverage_item": "{group}: {translated}/{total} ({percent}%), {unofficial} unofficial",
    "untranslated": "missing ({n})",
    "categories": "category names",
    "agency_names": "agency names",
    "service_descriptions": "service descriptions",
    "program_names": "program names",
    "other": "other texts",
    "links": "Dead internal links ({n})",
    "links_checked": "Checked {pages} pages in {site}.",
    "links_not_checked": "Not checked: there is no built site (run guide build first, or give the folder with --site).",
    "link_item": "{page} → {target}",
    "dead_ends": "Counters without a number, by responsible section ({n})",
    "dead_end_annex": "{name} ({ref}): the number is on the list's annex; put it in this guide",
    "dead_end_ask": "{name} ({ref}): no number in the documents; its page sends residents to {others}",
    "dead_end_none": "{name} ({ref}): no number in the documents and no counter of its concern to send residents to",
    "hsds": "Records exported to HSDS without a field it requires ({n})",
    "hsds_item": "{record}: address without postal code",
    "flow": "Agencies no guided question reaches ({n}; {reached} of {total} reached, {percent}%)",
    "flow_item": "{name} ({id}): lead an answer of data/flow.yaml to it",
    "no_flow": "The guide has no guided questions (data/flow.yaml).",
}

_MARKDOWN_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>|~"})  # one pass over the text: a ×100 report escapes 2 million characters


def _escape(text: str) -> str:
    return text.translate(_MARKDOWN_SPECIAL)


def _text(value: Text | None, lang: str, default: str) -> str:
    picked = pick(value, lang, default)
    return picked.value if picked else ""


class _Writer:
    """Headings, bullets and paragraphs as plain text or Markdown."""

    def __init__(self, markdown: bool):
        self.markdown = markdown
        self.lines: list[str] = []
        self.esc = _escape if markdown else (lambda s: s)

    def heading(self, level: int, text: str) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        if self.markdown:
            self.lines += [f"{'#' * level} {self.esc(text)}", ""]
        else:
            self.lines.append({1: text, 2: f"■ {text}", 3: text}.get(level, text))

    def para(self, text: str) -> None:
        self.lines.append(self.esc(text))

    def bullet(self, text: str, depth: int = 0, *, code: bool = False) -> None:
        indent = "  " * depth if self.markdown else "  " * (depth + 1)
        shown = f"`{text}`" if self.markdown and code else self.esc(text)
        self.lines.append(f"{indent}- {shown}")

    def text(self) -> str:
        if self.markdown:  # a list must be separated from what follows
            out = []
            for i, line in enumerate(self.lines):
                out.append(line)
                following = self.lines[i + 1] if i + 1 < len(self.lines) else ""
                if line.lstrip().startswith("- ") and following and not following.lstrip().startswith("- "):
                    out.append("")
            return "\n".join(out).rstrip("\n") + "\n"
        return "\n".join(self.lines).rstrip("\n") + "\n"


class _Words:
    """words("key", name=value): the text of WORDS[key] in the catalog of `lang`, filled in."""

    def __init__(self, lang: str):
        self.words = words(lang)

    def __call__(self, key: str, /, **params) -> str:
        return self.words.of("facts", WORDS[key]) if key == "fact_sep" else self.words(WORDS[key], **params)


SECTIONS = ("confirm", "dead_ends", "stale", "missing", "hsds", "flow", "coverage", "links")


def render_report(report: Report, lang: str = TOOL_LANGUAGE, fmt: str = "text", sections: tuple[str, ...] = SECTIONS) -> str:
    """The report in `lang` (ja or en), as plain text (default) or Markdown; `sections` picks which parts."""
    words = _Words(lang)
    out = _Writer(fmt == "markdown")
    out.heading(1, words("title", today=report.today.isoformat()))
    if "confirm" in sections:
        _render_confirm(report, words, lang, out)
    if "dead_ends" in sections:
        _render_dead_ends(report, words, lang, out)
    if "stale" in sections:
        _render_stale(report, words, lang, out)
    if "missing" in sections:
        _render_missing(report, words, lang, out)
    if "hsds" in sections:
        out.heading(2, words("hsds", n=len(report.hsds_incomplete)))
        if not report.hsds_incomplete:
            out.para(words("nothing"))
        for record in report.hsds_incomplete:
            out.bullet(words("hsds_item", record=record))
    if "flow" in sections:
        _render_flow(report, words, lang, out)
    if "coverage" in sections:
        _render_coverage(report, words, out)
    if "links" in sections:
        _render_links(report, words, out)
    return out.text()


def _render_confirm(report: Report, words: _Words, lang: str, out: _Writer) -> None:
    out.heading(2, words("confirm", n=len(report.to_confirm)))
    if not report.to_confirm:
        out.para(words("nothing"))
    for item in report.to_confirm:
        name = _text(item.name, lang, report.default_lang) if item.name else ""
        out.bullet(words("confirm_item" if name else "confirm_bare", name=name, where=item.where, question=item.question))


def _render_stale(report: Report, words: _Words, lang: str, out: _Writer) -> None:
    out.heading(2, words("stale", days=report.stale_after_days, n=len(report.stale)))
    if not report.stale:
        out.para(words("nothing"))
    for owner, records in report.stale_by_owner():
        out.heading(3, words("owner_group", owner=_text(owner, lang, report.default_lang) if owner else words("no_owner"), n=len(records)))
        for r in records:
            out.bullet(
                words("stale_item",
                    date=r.last_verified.isoformat(), days=r.days, kind=words(r.kind), name=_text(r.name, lang, report.default_lang), id=r.id
                )
            )


def _render_dead_ends(report: Report, words: _Words, lang: str, out: _Writer) -> None:
    out.heading(2, words("dead_ends", n=len(report.dead_ends)))
    if not report.dead_ends:
        out.para(words("nothing"))
    for owner, entries in report.dead_ends_by_owner():
        out.heading(3, words("owner_group", owner=_text(owner, lang, report.default_lang) if owner else words("no_owner"), n=len(entries)))
        for entry in entries:
            name = _counter_name(report, words, lang, entry.name, entry.branch_id, entry.branch_name, entry.area_name)
            others = words("fact_sep").join(_text(other, lang, report.default_lang) for other in entry.ask)
            key = "dead_end_annex" if entry.annex else "dead_end_ask" if entry.ask else "dead_end_none"
            out.bullet(words(key, name=name, ref=entry.ref, others=others))


def _counter_name(report: Report, words: _Words, lang: str, agency_name: Text, branch_id, branch_name, area_name) -> str:
    """An agency's name, or its branch's: the branch's own, else "agency (area)"."""
    if branch_id is None:
        return _text(agency_name, lang, report.default_lang)
    if branch_name is not None:
        return _text(branch_name, lang, report.default_lang)
    area = _text(area_name, lang, report.default_lang) or branch_id
    return words("branch_name", agency=_text(agency_name, lang, report.default_lang), area=area)


def _render_missing(report: Report, words: _Words, lang: str, out: _Writer) -> None:
    branches = sum(1 for m in report.missing if m.branch_id)
    out.heading(2, words("missing", agencies=len(report.missing) - branches, branches=branches))
    if not report.missing:
        out.para(words("nothing"))
    for entry in report.missing:
        name = _counter_name(report, words, lang, entry.agency_name, entry.branch_id, entry.branch_name, entry.area_name)
        facts = words("fact_sep").join(
            words("at_branches", fact=words(f)) if f in entry.at_branches else words(f) for f in entry.missing
        )
        out.bullet(words("missing_item", name=name, ref=entry.ref, facts=facts))


def _render_flow(report: Report, words: _Words, lang: str, out: _Writer) -> None:
    if not report.flow:
        out.heading(2, words("flow", n="–", reached="–", total=report.agencies, percent="–"))
        out.para(words("no_flow"))
        return
    reached = report.agencies - len(report.unreached)
    percent = (Decimal(reached * 100) / Decimal(report.agencies or 1)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    out.heading(2, words("flow", n=len(report.unreached), reached=reached, total=report.agencies, percent=percent))
    if not report.unreached:
        out.para(words("nothing"))
    for agency_id, name in report.unreached:
        out.bullet(words("flow_item", name=_text(name, lang, report.default_lang), id=agency_id))


def _render_coverage(report: Report, words: _Words, out: _Writer) -> None:
    out.heading(2, words("coverage"))
    if not report.coverage:
        out.para(words("no_languages"))
    for language in report.coverage:
        out.heading(3, words("language", name=language.name, code=language.lang))
        for group in language.groups:
            out.bullet(
                words("coverage_item", 
                    group=words(group.group),
                    translated=group.translated,
                    total=group.total,
                    percent=group.percent,
                    unofficial=group.unofficial,
                )
            )
            if group.missing:
                out.bullet(words("untranslated", n=len(group.missing)), depth=1)
                for path in group.missing:
                    out.bullet(path, depth=2, code=True)


def _render_links(report: Report, words: _Words, out: _Writer) -> None:
    if report.site_dir is None:
        out.heading(2, words("links", n="–"))
        out.para(words("links_not_checked"))
    else:
        out.heading(2, words("links", n=len(report.dead_links)))
        out.para(words("links_checked", site=report.site_dir, pages=report.pages_checked))
        for link in report.dead_links:
            out.bullet(words("link_item", page=link.page, target=link.target))


# --- the command ---------------------------------------------------------------------------------


def _today(args: argparse.Namespace) -> date:
    return getattr(args, "today", None) or city_today(Path(args.root))


def cmd_report(args: argparse.Namespace) -> int:
    lang = getattr(args, "lang", TOOL_LANGUAGE)
    root = Path(args.root)
    site_dir = Path(args.site) if args.site else None
    if site_dir is not None and not site_dir.is_dir():
        print(f"guide report: {site_dir}: " + words(lang)("no such folder (give the folder of a built site)"), file=sys.stderr)
        return 2
    today = _today(args)
    loaded = load_guide(root, today=today)
    if loaded.guide is None:
        for problem in loaded.errors:
            print(format_problem(problem, lang), file=sys.stderr)
        print(words(lang)("The data has errors, so no report was made (see guide check)."), file=sys.stderr)
        return 1
    sections = ("coverage",) if args.i18n else SECTIONS
    text = render_report(build_report(root, loaded.guide, today=today, site_dir=site_dir), lang, args.format, sections)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
        print(words(lang)("wrote {path}", path=args.output), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def register(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `guide report` to the subcommands."""
    parser = sub.add_parser(
        "report",
        parents=[common],
        help="stale records, missing phones/hours/addresses, translation coverage, dead links",
        description="Report what needs attention: records not verified recently, counters without phone, hours or "
        "address, translation coverage and dead links in the built site.",
    )
    parser.add_argument("--site", type=Path, help="built site to check for dead links (default: site/ if it exists)")
    parser.add_argument("--format", choices=["text", "markdown"], default="text", help="plain text (default) or Markdown")
    parser.add_argument("--i18n", action="store_true", help="only the translation coverage per language")
    parser.add_argument("--output", type=Path, help="write the report to this file instead of the screen")
    parser.set_defaults(func=cmd_report)
    return parser
