"""Checks across records: unique ids, references, languages, freshness, hubs, staff-only values in public texts."""

from __future__ import annotations

import difflib
import functools
import re
import typing
from collections.abc import Iterator
from datetime import date

from pydantic import BaseModel

from .flow import MOST_ANSWERS, answers_to, cycle_answers, residents_outcomes
from .model import Guide, PrivateOverlay, SourceRef, Text
from .problems import Problem
from .yamlfile import YamlFile

AGENCIES, PROGRAMS = "data/agencies.yaml", "data/programs.yaml"
CATEGORIES, AREAS, SOURCES, SITE = "data/categories.yaml", "data/areas.yaml", "data/sources.yaml", "data/site.yaml"
PHRASES, FLOW = "data/phrases.yaml", "data/flow.yaml"
FLOW_QUESTIONS = f"{FLOW} questions"  # where a question's id is defined
# What looks like an extension number: 内線 and digits (内線5443, 内線（5443、5444）), ext. 123.
EXTENSION = re.compile(r"内線\s*[（(:：]?\s*[0-9０-９]+|\bext\.?\s*[0-9]+", re.IGNORECASE)


class _Checker:
    def __init__(self, guide: Guide, files: dict[str, YamlFile], today: date):
        self.guide, self.files, self.today = guide, files, today
        self.problems: list[Problem] = []

    def add(self, file: str, path: tuple, code: str, *, key: bool = False, severity: str = "error", **params) -> None:
        self.problems.append(self.files[file].problem(path, code, key=key, severity=severity, **params))

    # --- ids

    def unique(self, file: str, items: list, path: tuple) -> set[str]:
        seen: dict[str, tuple] = {}
        for index, item in enumerate(items):
            if item.id in seen:
                line, _ = self.files[file].position((*seen[item.id], "id"))
                self.add(file, (*path, index, "id"), "duplicate_id", id=item.id, first=f"{file}:{line}")
            else:
                seen[item.id] = (*path, index)
        return set(seen)

    def raw_ids(self, file: str, key: str) -> set[str]:
        """Ids of records that failed validation: already reported, so not "unknown" elsewhere."""
        data = self.files[file].data if file in self.files else None
        records = data.get(key) if isinstance(data, dict) else None
        return {r["id"] for r in records or [] if isinstance(r, dict) and isinstance(r.get("id"), str)}

    def ref(self, file: str, path: tuple, value: str | None, known: set[str], kind: tuple, where: str) -> None:
        if value is None or value in known:
            return
        close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
        hint = ("ref_hint_suggest", {"suggestion": close[0]}) if close else ("ref_hint_where", {"where": where})
        self.add(file, path, "unknown_ref", kind=kind, id=value, hint=hint)

    def refs(self, file: str, path: tuple, values: list[str], known: set[str], kind: tuple, where: str) -> None:
        for index, value in enumerate(values):
            self.ref(file, (*path, index), value, known, kind, where)

    # --- the whole guide

    def run(self, private: PrivateOverlay | None) -> list[Problem]:
        g = self.guide
        categories = self.unique(CATEGORIES, g.taxonomy.categories, ("categories",))
        audiences = self.unique(CATEGORIES, g.taxonomy.audiences, ("audiences",))
        kinds = self.unique(CATEGORIES, g.taxonomy.program_kinds, ("program_kinds",))
        area_kinds = self.unique(AREAS, g.areas.kinds, ("kinds",))
        areas = self.unique(AREAS, g.areas.areas, ("areas",))
        sources = self.unique(SOURCES, g.sources.sources, ("sources",))
        agencies = self.unique(AGENCIES, g.agencies, ("agencies",)) | self.raw_ids(AGENCIES, "agencies")
        self.unique(PROGRAMS, g.programs, ("programs",))

        for key in ("categories", "audiences", "program_kinds"):  # guide new's starting set, until the city's own replaces it
            for i, entry in enumerate(getattr(g.taxonomy, key)):
                if entry.example:
                    self.add(CATEGORIES, (key, i, "example"), "scaffold_example", severity="warning", id=entry.id)
        for i, area in enumerate(g.areas.areas):
            self.ref(AREAS, ("areas", i, "kind"), area.kind, area_kinds, ("kind_area_kind", {}), AREAS)
            self.ref(AREAS, ("areas", i, "parent"), area.parent, areas, ("kind_area", {}), AREAS)
        if g.taxonomy.hubs:
            for k, ref in enumerate(g.taxonomy.hubs.source):
                self.ref(CATEGORIES, ("hubs", "source", k, "document"), ref.document, sources, ("kind_source", {}), SOURCES)
        for i, category in enumerate(g.taxonomy.categories):
            self.ref(CATEGORIES, ("categories", i, "hub"), category.hub, agencies, ("kind_agency", {}), AGENCIES)
            if category.hub and not g.taxonomy.hubs:
                self.add(CATEGORIES, ("categories", i, "hub"), "hubs_undeclared")
            if category.hub_source:
                self.ref(CATEGORIES, ("categories", i, "hub_source", "document"), category.hub_source.document, sources, ("kind_source", {}), SOURCES)

        hub_of: dict[str, set[str]] = {}
        for category in g.taxonomy.categories:
            hub_of.setdefault(category.hub, set()).add(category.id)
        for i, agency in enumerate(g.agencies):
            at = ("agencies", i)
            self.sourced(AGENCIES, at, agency, sources)
            self.unique(AGENCIES, agency.services, (*at, "services"))
            self.unique(AGENCIES, agency.branches, (*at, "branches"))
            self.refs(AGENCIES, (*at, "areas_served"), agency.areas_served, areas, ("kind_area", {}), AREAS)
            if agency.address:
                self.ref(AGENCIES, (*at, "address", "ward"), agency.address.ward, areas, ("kind_area", {}), AREAS)
            for j, service in enumerate(agency.services):
                self.refs(AGENCIES, (*at, "services", j, "categories"), service.categories, categories, ("kind_category", {}), CATEGORIES)
                self.refs(AGENCIES, (*at, "services", j, "audiences"), service.audiences, audiences, ("kind_audience", {}), CATEGORIES)
                if service.hub and not hub_of.get(agency.id, set()) & set(service.categories):
                    self.add(AGENCIES, (*at, "services", j, "hub"), "hub_without_category", category=", ".join(service.categories))
            for j, branch in enumerate(agency.branches):
                self.ref(AGENCIES, (*at, "branches", j, "area"), branch.area, areas, ("kind_area", {}), AREAS)
                for k, ref in enumerate(branch.source):
                    self.ref(AGENCIES, (*at, "branches", j, "source", k, "document"), ref.document, sources, ("kind_source", {}), SOURCES)
        for i, category in enumerate(g.taxonomy.categories):
            hub = next((a for a in g.agencies if a.id == category.hub), None)
            if hub and not any(s.hub and category.id in s.categories for s in hub.services):
                self.add(CATEGORIES, ("categories", i, "hub"), "hub_not_marked", category=category.id)

        for i, program in enumerate(g.programs):
            at = ("programs", i)
            self.sourced(PROGRAMS, at, program, sources)
            self.ref(PROGRAMS, (*at, "kind"), program.kind, kinds, ("kind_program_kind", {}), CATEGORIES)
            self.ref(PROGRAMS, (*at, "organiser"), program.organiser, agencies, ("kind_agency", {}), AGENCIES)
            self.ref(PROGRAMS, (*at, "contact"), program.contact, agencies, ("kind_agency", {}), AGENCIES)
            self.refs(PROGRAMS, (*at, "categories"), program.categories, categories, ("kind_category", {}), CATEGORIES)
            self.refs(PROGRAMS, (*at, "audiences"), program.audiences, audiences, ("kind_audience", {}), CATEGORIES)
            self.refs(PROGRAMS, (*at, "areas"), program.areas, areas, ("kind_area", {}), AREAS)
            if program.period:
                self.ref(PROGRAMS, (*at, "period", "source", "document"), program.period.source.document, sources, ("kind_source", {}), SOURCES)

        if g.site.city.local_government_code_source:
            code_ref = g.site.city.local_government_code_source.document
            self.ref(SITE, ("city", "local_government_code_source", "document"), code_ref, sources, ("kind_source", {}), SOURCES)
        closure = g.site.city.year_end_closure
        if closure and closure.source:
            self.ref(SITE, ("city", "year_end_closure", "source", "document"), closure.source.document, sources, ("kind_source", {}), SOURCES)
        self.phrases(categories, agencies, sources)
        self.flow(categories, agencies, sources)
        self.languages()
        self.staff_only_values()
        if private is not None:
            for i, contact in enumerate(private.contacts):
                self.ref("data/private.yaml", ("contacts", i, "agency"), contact.agency, agencies, ("kind_agency", {}), AGENCIES)
        return self.problems

    def phrases(self, categories: set[str], agencies: set[str], sources: set[str]) -> None:
        """Residents' words lead to concerns and counters that exist; counters named only as a document does."""
        for i, phrase in enumerate(self.guide.phrases.phrases):
            at = ("phrases", i)
            self.refs(PHRASES, (*at, "concerns"), phrase.concerns, categories, ("kind_category", {}), CATEGORIES)
            self.refs(PHRASES, (*at, "counters"), phrase.counters, agencies, ("kind_agency", {}), AGENCIES)
            for k, ref in enumerate(phrase.source):
                self.ref(PHRASES, (*at, "source", k, "document"), ref.document, sources, ("kind_source", {}), SOURCES)
            if phrase.counters and not phrase.source:
                self.add(PHRASES, (*at, "counters"), "phrase_counters_unsourced")
        for k, contact in enumerate(self.guide.site.urgent_contacts):
            self.ref(SITE, ("urgent_contacts", k, "source", "document"), contact.source.document, sources, ("kind_source", {}), SOURCES)

    def flow(self, categories: set[str], agencies: set[str], sources: set[str]) -> None:
        """The guided questions lead only to what exists, every question is reached, none twice on one
        path, and no outcome lies more than MOST_ANSWERS answers from the start."""
        flow = self.guide.flow
        if flow is None:
            return
        questions = self.unique(FLOW, flow.questions, ("questions",)) | self.raw_ids(FLOW, "questions")
        if flow.start is None:  # the file has mistakes of shape (reported): only its valid questions' references can be checked
            self.flow_answers(flow, questions, categories, agencies, {})
            return
        for k, ref in enumerate(flow.source):
            self.ref(FLOW, ("source", k, "document"), ref.document, sources, ("kind_source", {}), SOURCES)
        self.ref(FLOW, ("start",), flow.start, questions, ("kind_question", {}), FLOW_QUESTIONS)
        depth = answers_to(flow)
        for i, question in enumerate(flow.questions):
            if question.id not in depth:
                self.add(FLOW, ("questions", i, "id"), "flow_unreachable", id=question.id)
        self.flow_answers(flow, questions, categories, agencies, depth)
        for i, j in cycle_answers(flow):
            self.add(FLOW, ("questions", i, "answers", j, "next"), "flow_cycle", id=flow.questions[i].answers[j].next)
        by_id = {a.id: a for a in self.guide.agencies}
        for i, j in residents_outcomes(flow):  # a counter residents cannot call, where residents arrive
            answer = flow.questions[i].answers[j]
            for k, (agency_id, service_id) in enumerate(answer.counters):
                named = [s for s in by_id[agency_id].services if service_id in (None, s.id)] if agency_id in by_id else []
                if named and not any(s.from_residents for s in named):
                    self.add(FLOW, ("questions", i, "answers", j, "agencies", k), "flow_not_for_residents", id=answer.agencies[k])

    def flow_answers(self, flow, questions: set[str], categories: set[str], agencies: set[str], depth: dict[str, int]) -> None:
        """Each answer leads to what exists, and no further than MOST_ANSWERS from the start (`depth`: flow.answers_to)."""
        services = {a.id: {s.id for s in a.services} for a in self.guide.agencies}  # of the agencies that passed validation
        hubs = {c.id for c in self.guide.taxonomy.categories if c.hub}
        for i, question in enumerate(flow.questions):
            for j, answer in enumerate(question.answers):
                at = ("questions", i, "answers", j)
                self.ref(FLOW, (*at, "next"), answer.next, questions, ("kind_question", {}), FLOW_QUESTIONS)
                self.ref(FLOW, (*at, "category"), answer.category, categories, ("kind_category", {}), CATEGORIES)
                self.ref(FLOW, (*at, "hub"), answer.hub, categories, ("kind_category", {}), CATEGORIES)
                if answer.hub in categories and answer.hub not in hubs:
                    self.add(FLOW, (*at, "hub"), "flow_no_hub", category=answer.hub)
                for k, (agency_id, service_id) in enumerate(answer.counters):
                    self.ref(FLOW, (*at, "agencies", k), agency_id, agencies, ("kind_agency", {}), AGENCIES)
                    if agency_id in services:
                        self.ref(FLOW, (*at, "agencies", k), service_id, services[agency_id], ("kind_service", {}), AGENCIES)
                if not answer.next and depth.get(question.id, 0) + 1 > MOST_ANSWERS:
                    self.add(FLOW, at, "flow_too_long", answers=depth[question.id] + 1, most=MOST_ANSWERS)

    def sourced(self, file: str, at: tuple, record, sources: set[str]) -> None:
        for k, ref in enumerate(record.source):
            self.ref(file, (*at, "source", k, "document"), ref.document, sources, ("kind_source", {}), SOURCES)
        age = (self.today - record.last_verified).days
        if age < 0:
            self.add(file, (*at, "last_verified"), "future_date", date=record.last_verified.isoformat())
        elif age > self.guide.site.stale_after_days:
            self.add(file, (*at, "last_verified"), "stale", severity="warning", date=record.last_verified.isoformat(), days=age)

    def roots(self) -> list[tuple[str, tuple, BaseModel]]:
        """Every public record with its file and path: what texts are looked for in."""
        roots = [
            (SITE, (), self.guide.site),
            (CATEGORIES, (), self.guide.taxonomy),
            (AREAS, (), self.guide.areas),
            (SOURCES, (), self.guide.sources),
        ]
        roots += [(AGENCIES, ("agencies", i), a) for i, a in enumerate(self.guide.agencies)]
        roots += [(PROGRAMS, ("programs", i), p) for i, p in enumerate(self.guide.programs)]
        roots += [(FLOW, (), self.guide.flow)] if self.guide.flow else []
        return roots

    @functools.cached_property
    def walked(self) -> list[tuple[str, list[tuple[tuple, Text | SourceRef]]]]:
        """Every text and source reference of each record, with its path: the model walked once for every check that reads them."""
        return [(file, instances(obj, (Text, SourceRef), path)) for file, path, obj in self.roots()]

    def staff_only_values(self) -> None:
        """A public text or source note that seems to hold an extension number: those are staff-only."""
        for file, found in self.walked:
            for at, value in found:
                read = [(lang, value.get(lang)) for lang in value.languages] if isinstance(value, Text) else [("note", value.note)]
                for key, text in read:
                    match = EXTENSION.search(text) if text else None
                    if match:
                        self.add(file, (*at, key), "extension_in_public_text", severity="warning", found=match.group(0))

    def languages(self) -> None:
        declared = {lang.code for lang in self.guide.site.languages}
        required = [lang.code for lang in self.guide.site.languages if lang.required]
        for file, found in self.walked:
            for text_path, text in found:
                if not isinstance(text, Text):
                    continue
                for lang in text.languages:
                    if lang not in declared:
                        self.add(file, (*text_path, lang), "lang_undeclared", key=True, lang=lang)
                for lang in required:
                    if text.get(lang) is None:
                        self.add(file, text_path, "translation_missing", lang=lang)
        for file, path, obj in self.roots():
            for kw_path, keywords in iter_keywords(obj, path):
                for lang in keywords:
                    if lang not in declared:
                        self.add(file, (*kw_path, lang), "lang_undeclared", key=True, lang=lang)


def instances(obj: object, kinds: type | tuple[type, ...], path: tuple = (), found: list | None = None) -> list[tuple[tuple, typing.Any]]:
    """Every instance of `kinds` (Text, SourceRef…) inside a record, with its path in the data file, in order."""
    found = [] if found is None else found
    if isinstance(obj, kinds):
        found.append((path, obj))
    elif isinstance(obj, BaseModel):
        for name in _walked(type(obj)):
            instances(getattr(obj, name), kinds, (*path, name), found)
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            instances(item, kinds, (*path, index), found)
    return found


def iter_texts(obj: object, path: tuple = ()) -> list[tuple[tuple, Text]]:
    """Every multilingual text inside a record, with its path in the data file."""
    return instances(obj, Text, path)


def iter_keywords(obj: object, path: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    if isinstance(obj, BaseModel):
        for name in _walked(type(obj), "keywords"):
            value = getattr(obj, name)
            if name == "keywords" and isinstance(value, dict):
                yield (*path, name), value
            else:
                yield from iter_keywords(value, (*path, name))
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            yield from iter_keywords(item, (*path, index))


@functools.cache
def _walked(model: type[BaseModel], also: str = "") -> tuple[str, ...]:
    """The fields of `model` that can hold a model (a Text, a list of services…), and `also`, in order:
    the only ones worth walking into (3,000 records have some 400,000 values)."""
    return tuple(name for name, info in model.model_fields.items() if name == also or _holds_model(info.annotation))


def _holds_model(annotation: object) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in typing.get_args(annotation))


def check_guide(guide: Guide, files: dict[str, YamlFile], today: date, private: PrivateOverlay | None) -> list[Problem]:
    return _Checker(guide, files, today).run(private)
