"""The finder's search index: one compact JSON per language, searched in the browser by finder.js.

Format (version 2; short keys keep it small, it is fetched on the finder page):

    {"v": 2, "lang": "ja",
     "labels": {"c": {category id: name}, "a": {area id: name}, "u": {audience id: name},
                "k": {program kind id: name}},
     "x": {"c": {category id: synonyms}, "u": {audience id: synonyms},
           "k": {program kind id: synonyms}, "a": {area id: names and kana}},
     "ph": [phrase, ...],   residents' words (data/phrases.yaml), when the guide has them:
            {"w": ["phrase as written, normalised<TAB>its words", ...] (each also in its reading),
             "c": [concern ids], "cr": 1 for a crisis phrase, "d": [counters a document names]}
     "uc": [[name, number, tel URI, hours], ...]   urgent contacts (site.yaml), when declared
     "ac": ["aids", "dv", ...]   words the data writes in capitals: matched only as typed
     "docs": [doc, ...],
     "more": ["finder-index-1.json", ...]}   (only when the index is split: see index_files)

The synonyms (names, sheet labels and keywords in the index language and in
Japanese, normalised, with their readings) are stored once; finder.js joins
those of a doc's categories, audiences, kind and areas into a fifth, lowest
tier ("related") when the index loads, so 借金 finds every agency with a
service in category debt, below the records that say 借金 themselves.

and each doc:

    t   type: "a" agency, "b" branch, "p" program
    id  "agency-id", "agency-id/branch-id" or "program-id"
    u   site-relative URL from url_for (for example "agencies/health-center/")
    n   title in the index language (falling back to Japanese)
    in  branches only: the id of their agency's doc.  finder.js adds the
        agency's tiers to the branch's related tier, uses the agency's "p" and
        "o" when the branch has none (as the agency pages do), and shows
        matching branches inside their agency's result
    l   branches only: the short label shown in the agency's result (its area,
        or its own name when the documents give one)
    r   sort key: the normalised kana reading (title when none); omitted when it
        equals s[1].  Branches read as "agency kana + area kana" so they follow
        their agency
    s   search text, normalised with guide.normalize, one string per rank tier:
        [name, reading (the kana, then the readings of the names), keywords (the
        doc's own: service keywords, with readings), description (service
        descriptions, summary, parent organisation, venue, address …, with
        readings except for addresses)].  A tier's readings follow its texts after
        a tab (READINGS), word by word: finder.js matches kana there only as whole words
    c   category ids                      (omitted when empty)
    a   area ids: welfare districts and their wards   (omitted when empty)
    au  audience ids                      (omitted when empty)
    k   program kind id                   (programs only)
    h   the categories it is the hub of (omitted when none); finder.js ranks a
        hub first when the query is about one of them
    nr  1 when none of its services takes consultations from residents (Service.from_residents):
        finder.js ranks it below the counters that do
    p   [number as published, tel URI]    (first voice number; omitted when none)
    ct  when "p" is missing: the id of the doc to call instead (the hub counter of
        one of its categories that has a number); omitted when there is none,
        and the finder then says the documents give no number
    o   opening hours, Hours.model_dump(mode="json", exclude_defaults=True) without
        the "note" texts (omitted when none; finder.js treats a missing "o" as "hours not listed")

Readings come from SudachiPy (guide.normalize.reading_words) at build time, so
ｶｲｺﾞﾎｹﾝ, かいごほけん and 介護保険 reach the same records without
hand-written synonyms.  The residents' phrases are split into words by
guide.normalize.words, as normalize.js splits a query.  Japanese is matched by substrings of `s` and by
character bigrams, which finder.js derives from `s` when the index loads (they
are not stored: the strings already hold them, and the index stays small).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable

from .i18n import default_language
from .model import Agency, Branch, Guide, Hours, Phone, Program, Text, branch_kana
from .normalize import normalize, reading, reading_words, words
from .phones import tel_uri, voice_phones
from .queries import WaysOn

INDEX_VERSION = 2
TYPE_CODES = {"agency": "a", "branch": "b", "program": "p"}
# Texts come again and again (one description shared by many programs, each Japanese text in every
# edition): each distinct one is normalised once per process (reading_words() keeps its readings likewise).
_normal = functools.lru_cache(maxsize=1 << 16)(normalize)


class _Index:
    def __init__(self, guide: Guide, lang: str, url_for: Callable[..., str]):
        self.guide, self.lang, self.url_for = guide, lang, url_for
        self.default = default_language(guide.site)
        self.categories = {c.id: c for c in guide.taxonomy.categories}
        self.audiences = {a.id: a for a in guide.taxonomy.audiences}
        self.kinds = {k.id: k for k in guide.taxonomy.program_kinds}
        self.areas = {a.id: a for a in guide.areas.areas}
        self.agencies = {a.id: a for a in guide.agencies}
        self.hubs = {c.id: c.hub for c in guide.taxonomy.categories if c.hub}
        self.way_on = WaysOn(guide)

    # --- text helpers

    def pick(self, text: Text | None) -> str:
        """The text in the index language, else in the default language, else any."""
        if text is None:
            return ""
        for lang in (self.lang, self.default, *text.languages):
            value = text.get(lang)
            if value:
                return value
        return ""

    def both(self, text: Text | None) -> list[str]:
        """The text in the index language and in the default language (residents type either)."""
        if text is None:
            return []
        return _unique([self.pick(text), text.get(self.default) or ""])

    def keywords(self, mapping: dict[str, list[str]]) -> list[str]:
        return [*mapping.get(self.lang, []), *(mapping.get(self.default, []) if self.lang != self.default else [])]

    def area_chain(self, area_id: str | None) -> list[str]:
        chain: list[str] = []
        while area_id and area_id in self.areas and area_id not in chain:
            chain.append(area_id)
            area_id = self.areas[area_id].parent
        return chain

    # --- synonym groups (stored once in the index, joined to each doc's keyword tier by finder.js)

    def synonyms(self) -> dict[str, dict[str, str]]:
        return {
            "c": {
                c.id: _search_text([*self.both(c.name), *self.both(c.sheet_label), *self.keywords(c.keywords)], readings=True)
                for c in self.guide.taxonomy.categories
            },
            "u": {a.id: _search_text([*self.both(a.name), *self.keywords(a.keywords)], readings=True) for a in self.guide.taxonomy.audiences},
            "k": {k.id: _search_text([*self.both(k.name), *self.keywords(k.keywords)], readings=True) for k in self.guide.taxonomy.program_kinds},
            "a": {a.id: _search_text([*self.both(a.name), a.kana or ""], readings=not a.kana) for a in self.guide.areas.areas},
        }

    # --- documents

    def agency_doc(self, agency: Agency) -> dict:
        categories = _unique(c for s in agency.services for c in s.categories)
        audiences = _unique(a for s in agency.services for a in s.audiences)
        areas = _unique(
            [
                *(agency.address and self.area_chain(agency.address.ward) or []),
                *(a for served in agency.areas_served for a in self.area_chain(served)),
                *(a for b in agency.branches for a in self.area_chain(b.area)),
            ]
        )
        keywords = [k for s in agency.services for k in self.keywords(s.keywords)]
        description = [*self.service_texts(agency), *self.both(agency.summary), *self.both(agency.parent)]
        return self.doc(
            "agency",
            agency.id,
            self.url_for("agency", agency.id),
            title=self.pick(agency.name),
            names=self.both(agency.name),
            kana=[agency.kana] if agency.kana else [],
            keywords=keywords,
            description=description,
            address=self.address_texts(agency.address),
            categories=categories,
            areas=areas,
            audiences=audiences,
            hub=self.hub_of(agency),
            phone=_first_voice(voice_phones(agency)),
            instead=self.instead(agency),
            hours=agency.hours,
            from_residents=any(s.from_residents for s in agency.services),
        )

    def branch_doc(self, agency: Agency, branch: Branch) -> dict:
        categories = _unique(c for s in agency.services for c in s.categories)
        audiences = _unique(a for s in agency.services for a in s.audiences)
        areas = _unique([*self.area_chain(branch.area), *(branch.address and self.area_chain(branch.address.ward) or [])])
        area = self.areas.get(branch.area)
        area_name = self.pick(area.name) if area else branch.area
        title = self.pick(branch.name) if branch.name else f"{self.pick(agency.name)} ({area_name})"
        # The agency's keywords, descriptions, phone and hours are inherited in finder.js ("in").
        kana = branch_kana(agency, area)
        phone = _first_voice(branch.phones)
        return self.doc(
            "branch",
            f"{agency.id}/{branch.id}",
            self.url_for("branch", agency.id, branch.id),
            title=title,
            names=_unique([title, *self.both(branch.name), *self.both(agency.name)]),
            kana=[kana] if kana else [],
            keywords=[],
            description=[],
            address=self.address_texts(branch.address),
            categories=categories,
            areas=areas,
            audiences=audiences,
            hub=self.hub_of(agency),
            phone=phone,
            instead=None if phone or voice_phones(agency) else self.instead(agency),
            hours=branch.hours,
            parent=agency.id,
            label=self.pick(branch.name) if branch.name else area_name,
            from_residents=any(s.from_residents for s in agency.services),
        )

    def program_doc(self, program: Program) -> dict:
        areas = _unique(a for area_id in program.areas for a in self.area_chain(area_id))
        keywords: list[str] = []
        organiser = self.agencies.get(program.organiser or "")
        contact = self.agencies.get(program.contact or "")
        description = [
            *self.both(program.description),
            *self.both(program.venue),
            *self.both(program.audience),
            *self.both(program.organiser_name),
            *(self.both(organiser.name) if organiser else []),
            *(self.both(contact.name) if contact and contact is not organiser else []),
        ]
        phone = None
        for agency in (contact, organiser):
            if agency and not phone:
                phone = _first_voice(agency.phones)
        return self.doc(
            "program",
            program.id,
            self.url_for("program", program.id),
            title=self.pick(program.name),
            names=self.both(program.name),
            kana=[program.kana] if program.kana else [],
            keywords=keywords,
            description=description,
            categories=list(program.categories),
            areas=areas,
            audiences=list(program.audiences),
            kind=program.kind,
            phone=phone,
        )

    def service_texts(self, agency: Agency) -> list[str]:
        return [t for s in agency.services for t in self.both(s.description)]

    def address_texts(self, address) -> list[str]:
        if address is None:
            return []
        return [*self.both(address.street), *self.both(address.building)]

    def instead(self, agency: Agency) -> str | None:
        way = self.way_on(agency)
        return way.ask[0][0].id if way and way.ask else None

    def hub_of(self, agency: Agency) -> list[str]:
        """The categories whose hub `agency` is (as categories.yaml says)."""
        return [c for c, hub in self.hubs.items() if hub == agency.id]

    def doc(
        self,
        doc_type: str,
        doc_id: str,
        url: str,
        *,
        title: str,
        names: list[str],
        kana: list[str],
        keywords: list[str],
        description: list[str],
        address: list[str] = (),
        categories: list[str],
        areas: list[str],
        audiences: list[str],
        hub: list[str] = (),
        kind: str | None = None,
        phone: Phone | None = None,
        instead: str | None = None,
        hours: Hours | None = None,
        parent: str | None = None,
        label: str | None = None,
        from_residents: bool = True,
    ) -> dict:
        fields = [
            _search_text(names),
            _search_text(kana, read=names),
            _search_text(keywords, readings=True),
            _search_text([*description, *address], read=description),
        ]
        doc: dict = {"t": TYPE_CODES[doc_type], "id": doc_id, "u": url, "n": title, "s": fields}
        if parent:
            doc["in"] = parent
        if label:
            doc["l"] = label
        sort_key = _normal(" ".join(kana)) or _normal(title)
        if sort_key != fields[1].split(READINGS)[0]:
            doc["r"] = sort_key
        for key, values in (("c", categories), ("a", areas), ("au", audiences)):
            if values:
                doc[key] = list(values)
        if kind:
            doc["k"] = kind
        if hub:
            doc["h"] = list(hub)
        if not from_residents:
            doc["nr"] = 1
        if phone:
            doc["p"] = [phone.number, tel_uri(phone.number, self.guide.site.city.country)]
        elif instead:
            doc["ct"] = instead
        if hours is not None:
            doc["o"] = _without_notes(hours.model_dump(mode="json", exclude_defaults=True))
        return doc

    # --- the whole index

    def build(self) -> dict:
        docs: list[dict] = []
        for agency in self.guide.agencies:
            docs.append(self.agency_doc(agency))
            docs += [self.branch_doc(agency, branch) for branch in agency.branches]
        docs += [self.program_doc(program) for program in self.guide.programs]
        return {
            "v": INDEX_VERSION,
            "lang": self.lang,
            "labels": {
                "c": {c.id: self.pick(c.name) for c in self.guide.taxonomy.categories},
                "a": {a.id: self.pick(a.name) for a in self.guide.areas.areas},
                "u": {a.id: self.pick(a.name) for a in self.guide.taxonomy.audiences},
                "k": {k.id: self.pick(k.name) for k in self.guide.taxonomy.program_kinds},
            },
            "x": self.synonyms(),
            **self.residents_words(),
            "docs": docs,
        }

    def residents_words(self) -> dict:
        """The residents' phrases ("ph") and the urgent contacts ("uc"), when the guide has them."""
        out: dict = {}
        phrases = []
        for phrase in self.guide.phrases.phrases:
            # As written (normalised) for a query that holds it, and its words, split as finder.js splits a query.
            # Each also in its reading (殴られる: なぐられる, ﾅｸﾞﾗﾚﾙ).
            written = [v for w in self.keywords(phrase.words) for v in (w, reading(w))]
            said = _unique(_normal(w) + READINGS + " ".join(words(w)) for w in written if w)
            if not said:
                continue
            entry: dict = {"w": said, "c": list(phrase.concerns)}
            if phrase.crisis:
                entry["cr"] = 1
            if phrase.counters:
                entry["d"] = list(phrase.counters)
            phrases.append(entry)
        if phrases:
            out["ph"] = phrases
        country = self.guide.site.city.country
        urgent = [[self.pick(c.name), c.phone.number, tel_uri(c.phone.number, country), self.pick(c.hours)] for c in self.guide.site.urgent_contacts]
        if urgent:
            out["uc"] = urgent
        acronyms = sorted(self.acronyms())
        if acronyms:
            out["ac"] = acronyms
        return out

    def acronyms(self) -> set[str]:
        """Words the data writes in capitals (AIDS, HIV, DV): a query matches them only as typed, so
        "aid" does not find AIDS as if it were its plural."""
        found: set[str] = set()
        for agency in self.guide.agencies:
            for text in [agency.name, agency.summary, *(s.description for s in agency.services)]:
                found |= {w for t in self.both(text) for w in _capitals(t)}
        for category in self.guide.taxonomy.categories:
            for word in self.keywords(category.keywords):
                found |= _capitals(word)
        return found


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


def _without_notes(value):
    """Hours as the browser needs them: the rules without their explanatory notes."""
    if isinstance(value, dict):
        return {k: _without_notes(v) for k, v in value.items() if k != "note"}
    if isinstance(value, list):
        return [_without_notes(v) for v in value]
    return value


def _first_voice(phones: Iterable[Phone]) -> Phone | None:
    return next((p for p in phones if p.kind == "voice"), None)


READINGS = "\t"  # between a tier's texts and their readings (a tab never survives normalisation)
_CAPITALS = re.compile(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])")  # also between Japanese words: 本とDVDの


def _capitals(text: str) -> set[str]:
    return {w.lower() for w in _CAPITALS.findall(text or "")}


def _search_text(parts: Iterable[str], *, readings: bool = False, read: Iterable[str] = ()) -> str:
    """Normalised parts joined by spaces, each phrase once, leaving out phrases another one contains;
    then, after READINGS, the reading words of the parts (`readings`) or of the texts `read`.

    A query term never spans a space, so joining loses nothing.  The readings are kept apart, word
    by word: finder.js matches a kana term there only as whole words.
    """
    parts = list(parts)
    phrases = _unique(_normal(p) for p in parts)
    text = " ".join(p for p in phrases if not any(p != q and p in q for q in phrases))
    said = _unique(reading_words(t) for t in (parts if readings else read))
    return text + READINGS + " ".join(said) if said else text


def build_index(guide: Guide, lang: str, url_for: Callable[..., str]) -> dict:
    """The finder index of one language edition (see the module docstring for the format)."""
    return _Index(guide, lang, url_for).build()


def index_json(index: dict) -> str:
    """The index as compact JSON (no spaces, UTF-8 characters kept as they are)."""
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"))


INDEX_FILE = "finder-index.json"
# The first file holds everything up to this size; the rest of the docs follow in parts of this size,
# so the first query of a large guide waits for one part, not for the whole index.
PART_BYTES = 256_000


def index_files(index: dict, part_bytes: int | None = None) -> list[tuple[str, str]]:
    """The index as files: finder-index.json (labels, synonyms, the first docs and the names of the
    other parts, "more"), then finder-index-1.json … ({"docs": [...]}).  An agency and its branches
    stay in one part.  A guide of a few hundred records is one file.  finder.js searches the first
    file as soon as it is in and asks for the others once those results are painted."""
    part_bytes = part_bytes or PART_BYTES
    parts: list[list[dict]] = [[]]
    size = 0
    for doc in index["docs"]:
        text = index_json(doc)
        if size + len(text.encode("utf-8")) > part_bytes and parts[-1] and "in" not in doc:
            parts.append([])
            size = 0
        parts[-1].append(doc)
        size += len(text.encode("utf-8"))
    names = [INDEX_FILE] + [INDEX_FILE.replace(".json", f"-{n}.json") for n in range(1, len(parts))]
    head = {**index, "docs": parts[0]}
    if len(parts) > 1:
        head["more"] = names[1:]
    return [(names[0], index_json(head))] + [(name, index_json({"docs": docs})) for name, docs in zip(names[1:], parts[1:], strict=True)]
