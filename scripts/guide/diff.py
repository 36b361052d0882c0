"""`guide diff BASE [HEAD]`: what changed in the agencies, programs and guided questions, in plain words.

BASE and HEAD are git revisions of the guide's repository; without HEAD the files
as they are now (the working tree) are compared.  Each side is loaded and checked
like `guide check` does, then compared record by record:

    架空相談センター：電話番号 012-345-6789 → 012-345-6790、所在地 … → …

A record whose id changed but which is plainly the same record (same name, or the
same phone and address, or at least 80 % of its fields equal) is reported as an id
change, not as one removal and one addition.  Lists inside a record (services,
branches, sessions, sources) are compared item by item.  The guided questions (flow.yaml) are
compared question by question (by id) and each question's answers by their words: where an answer
leads is said in words (the next question, the counters, a concern's hub or its counters).

Exit codes: 0 compared (with or without changes), 1 a side has data errors,
2 the command was used wrongly (e.g. a revision that does not exist).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from .i18n import TOOL_LANGUAGE, words
from .load import city_today, load_guide
from .messages import format_problem
from .model import Flow, Guide, Hours, Phone, Text
from .present import Presenter, clock_range
from .yamlfile import MAX_FILE_BYTES

RENAME_SIMILARITY = 0.8

# --- words ------------------------------------------------------------------------

# Field labels: key -> English message id (msgctxt "field"; the note of a source: "source field").
LABELS: dict[str, str] = {
    "id": "id",
    "name": "name",
    "kana": "reading",
    "parent": "parent organisation",
    "owner": "responsible section",
    "summary": "summary",
    "service": "service",
    "branch": "branch",
    "areas_served": "areas served",
    "languages": "languages",
    "address": "address",
    "phones": "phone",
    "fax": "fax",
    "email": "email",
    "url": "website",
    "hours": "hours",
    "hours_note": "note on hours",
    "access": "access",
    "accessibility": "accessibility",
    "source": "source",
    "source_note": "note",
    "last_verified": "last verified",
    "description": "description",
    "categories": "categories",
    "audiences": "audiences",
    "hub": "hub (where to ask when unsure)",
    "list_number": "number in the list",
    "keywords": "search words",
    "area": "area",
    "kind": "kind",
    "organiser": "organiser",
    "organiser_name": "organiser",
    "contact": "contact",
    "areas": "areas",
    "venue": "venue",
    "recurrence": "repeats",
    "session": "session",
    "dates_announced_later": "dates announced later",
    "schedule_note": "note on the schedule",
    "audience": "who may join",
    "cost": "cost",
    "capacity": "capacity",
    "how_to_apply": "how to apply",
    "deadline": "deadline",
    "period_end": "end of the planned period",
    "to_confirm": "to confirm with the city",
    "times": "time",
    "note": "note",
    "question": "question",
    "answer": "answer",
    "leads_to": "leads to",
    "professionals": "for professionals only",
    "start": "first question",
}

# Phrases: key -> English message id.
PHRASES: dict[str, str] = {
    "changed": "{label} {old} → {new}",
    "added": "{label} added: {value}",
    "removed": "{label} removed: {value}",
    "in_item": "{label} {key}: {sub}",
    "id_changed": "id changed: {old} → {new}",
    "item_id_changed": "{label} id changed: {old} → {new}",
    "in_lang": "{label} ({lang})",
    "unofficial": "{label}: unofficial translations",
    "record": "{name}: {items}",
    "entry": "{name} ({id})",
    "described": "{key} ({value})",
    "sep": "; ",
    "not_listed": "not listed",
    "none": "none",
    "yes": "yes",
    "no": "no",
    "agencies_added": "Agencies added ({n})",
    "agencies_removed": "Agencies removed ({n})",
    "agencies_changed": "Agencies changed ({n})",
    "programs_added": "Programs added ({n})",
    "programs_removed": "Programs removed ({n})",
    "programs_changed": "Programs changed ({n})",
    "questions_added": "Guided questions added ({n})",
    "questions_removed": "Guided questions removed ({n})",
    "questions_changed": "Guided questions changed ({n})",
    "the_flow": "the guided questions (flow.yaml)",
    "leads_question": "the question 「{text}」",
    "leads_counters": "the counters {names}",
    "leads_hub": "the hub of {concern}",
    "leads_category": "the counters of {concern}",
    "no_changes": "No changes to agencies or programs.",
    "title": "Changes in the data: {base} → {head}",
    "working_tree": "working tree",
}

# Messages of the command itself (usage and git problems): key -> English message id.
MESSAGES: dict[str, str] = {
    "no_git": "the git command was not found (install git)",
    "not_repo": "{root} is not in a git repository (run this inside the repository or give --root)",
    "bad_revision": "revision '{rev}' was not found (check with git log --oneline and give a commit, branch or tag)",
    "no_data": "{rev} has no data/ folder (give a revision that has one)",
    "git_failed": "could not read data/ at {rev}: {detail}",
    "side_invalid": "the data at {side} has errors, so it cannot be compared (fix these {n}):",
}


def _message(code: str, lang: str, **params) -> str:
    return words(lang)(MESSAGES[code], **params)


# --- what changed --------------------------------------------------------------------


@dataclass
class Entry:
    """An added or removed record."""

    id: str
    name: str


@dataclass
class Changed:
    """A record present on both sides (perhaps under another id) with what changed, worded."""

    id: str
    name: str
    items: list[str]
    old_id: str | None = None


@dataclass
class KindChanges:
    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class Changes:
    agencies: KindChanges = field(default_factory=KindChanges)
    programs: KindChanges = field(default_factory=KindChanges)
    questions: KindChanges = field(default_factory=KindChanges)  # the guided questions, and the flow as a whole

    @property
    def empty(self) -> bool:
        return not (self.agencies or self.programs or self.questions)


# A field of a record: (label key, how to get the value, how to render it).
Getter = str | Callable[[object], object]
FieldSpec = tuple[str, Getter, str]


def _voice(record) -> list[Phone]:
    return [p for p in record.phones if p.kind == "voice"]


def _fax(record) -> list[Phone]:
    return [p for p in record.phones if p.kind == "fax"]


def _hours_rules(record) -> Hours | None:
    return record.hours.model_copy(update={"note": None}) if record.hours else None


def _hours_note(record) -> Text | None:
    return record.hours.note if record.hours else None


CONTACT_FIELDS: list[FieldSpec] = [
    ("phones", _voice, "phones"),
    ("fax", _fax, "phones"),
    ("address", "address", "address"),
    ("hours", _hours_rules, "hours"),
    ("hours_note", _hours_note, "text"),
    ("email", "email", "plain"),
    ("url", "url", "plain"),
    ("access", "access", "text"),
    ("accessibility", "accessibility", "text"),
]

SERVICE_FIELDS: list[FieldSpec] = [
    ("description", "description", "text"),
    ("categories", "categories", "categories"),
    ("audiences", "audiences", "audiences"),
    ("hub", "hub", "bool"),
    ("list_number", "list_number", "plain"),
    ("phones", _voice, "phones"),
    ("fax", _fax, "phones"),
    ("hours", _hours_rules, "hours"),
    ("hours_note", _hours_note, "text"),
    ("keywords", "keywords", "keywords"),
]

BRANCH_FIELDS: list[FieldSpec] = [
    ("name", "name", "text"),
    ("area", "area", "area"),
    *CONTACT_FIELDS,
    ("source", "source", "@sources"),
]

SESSION_FIELDS: list[FieldSpec] = [
    ("times", "times", "clock"),
    ("venue", "venue", "text"),
    ("note", "note", "text"),
]

AGENCY_FIELDS: list[FieldSpec] = [
    ("name", "name", "text"),
    ("kana", "kana", "plain"),
    ("parent", "parent", "text"),
    ("owner", "owner", "text"),
    ("summary", "summary", "text"),
    *CONTACT_FIELDS,
    ("languages", "languages", "list"),
    ("areas_served", "areas_served", "areas"),
    ("service", "services", "@services"),
    ("branch", "branches", "@branches"),
    ("source", "source", "@sources"),
    ("last_verified", "last_verified", "date"),
    ("to_confirm", "to_confirm", "plain"),
]

PROGRAM_FIELDS: list[FieldSpec] = [
    ("name", "name", "text"),
    ("kana", "kana", "plain"),
    ("kind", "kind", "kind"),
    ("organiser", "organiser", "agency"),
    ("organiser_name", "organiser_name", "text"),
    ("description", "description", "text"),
    ("categories", "categories", "categories"),
    ("audiences", "audiences", "audiences"),
    ("areas", "areas", "areas"),
    ("venue", "venue", "text"),
    ("recurrence", lambda p: p.schedule.recurrence, "recurrence"),
    ("session", lambda p: p.schedule.sessions, "@sessions"),
    ("dates_announced_later", lambda p: p.schedule.dates_announced_later, "bool"),
    ("schedule_note", lambda p: p.schedule.note, "text"),
    ("audience", "audience", "text"),
    ("cost", "cost", "text"),
    ("capacity", "capacity", "plain"),
    ("how_to_apply", "how_to_apply", "text"),
    ("deadline", "deadline", "date"),
    ("period_end", lambda p: p.period.end if p.period else None, "date"),
    ("contact", "contact", "agency"),
    ("url", "url", "plain"),
    ("source", "source", "@sources"),
    ("last_verified", "last_verified", "date"),
    ("to_confirm", "to_confirm", "plain"),
]


def _leads_to(answer) -> tuple[str, object]:
    """Where an answer leads, as (kind, target): compared as data, worded by the differ."""
    if answer.next:
        return ("question", answer.next)
    if answer.agencies:
        return ("counters", tuple(answer.agencies))
    return ("hub", answer.hub) if answer.hub else ("category", answer.category)


ANSWER_FIELDS: list[FieldSpec] = [
    ("leads_to", _leads_to, "leads"),
    ("professionals", "professionals", "bool"),
]

QUESTION_FIELDS: list[FieldSpec] = [
    ("question", "text", "text"),
    ("note", "note", "text"),
    ("answer", "answers", "@answers"),
]

FLOW_FIELDS: list[FieldSpec] = [
    ("start", "start", "question"),
    ("source", "source", "@sources"),
    ("to_confirm", "to_confirm", "plain"),
]


def _get(record, getter: Getter):
    return getattr(record, getter) if isinstance(getter, str) else getter(record)


def _dump(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def similarity(old: BaseModel, new: BaseModel) -> float:
    """Share of the fields (other than id) that are equal, counting only fields set on either side."""
    a = old.model_dump(mode="json", exclude={"id"})
    b = new.model_dump(mode="json", exclude={"id"})
    keys = [k for k in a.keys() | b.keys() if a.get(k) or b.get(k)]
    if not keys:
        return 1.0
    return sum(a.get(k) == b.get(k) for k in keys) / len(keys)


def same_record(old: BaseModel, new: BaseModel) -> float:
    """How surely `new` is `old` under another id: 1.0 for the same name, description or phone + address."""
    for attr in ("name", "description"):
        a, b = getattr(old, attr, None), getattr(new, attr, None)
        if isinstance(a, Text) and isinstance(b, Text) and any(a.get(lang) == b.get(lang) for lang in a.languages):
            return 1.0  # the same words in a language both have, whichever languages the guide has
    if hasattr(old, "phones") and hasattr(old, "address"):
        phones_a = sorted(p.number for p in _voice(old))
        phones_b = sorted(p.number for p in _voice(new))
        if phones_a and phones_a == phones_b and old.address is not None and old.address == new.address:
            return 1.0
    return similarity(old, new)


def match_renames(removed: Sequence, added: Sequence) -> list[tuple[object, object]]:
    """Pairs (old, new) of removed and added items that are the same thing under a new id."""
    scored = []
    for i, old in enumerate(removed):
        for j, new in enumerate(added):
            score = same_record(old, new)
            if score >= RENAME_SIMILARITY:
                scored.append((-score, i, j))
    pairs, used_old, used_new = [], set(), set()
    for _score, i, j in sorted(scored):
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((removed[i], added[j]))
    return pairs


class _Differ:
    """Compares records and words the differences in one language."""

    def __init__(self, old: Guide, new: Guide, lang: str):
        self.lang, self.words = lang, words(lang)
        # The new side's presenter, knowing the areas of both sides.
        self.present = Presenter(new, lang, self.words.catalog, date.today())
        self.present.areas = {a.id: a for g in (old, new) for a in g.areas.areas}
        self.labels = {key: self.words.of("source field" if key == "source_note" else "field", msgid) for key, msgid in LABELS.items()}
        self.areas = {a.id: a.name for g in (old, new) for a in g.areas.areas}
        self.categories = {c.id: c.name for g in (old, new) for c in g.taxonomy.categories}
        self.audiences = {a.id: a.name for g in (old, new) for a in g.taxonomy.audiences}
        self.kinds = {k.id: k.name for g in (old, new) for k in g.taxonomy.program_kinds}
        self.agencies = {a.id: a.name for g in (old, new) for a in g.agencies}
        self.services = {(a.id, v.id): v.description for g in (new, old) for a in reversed(g.agencies) for v in a.services}
        self.questions = {q.id: q.text for g in (new, old) if g.flow for q in reversed(g.flow.questions)}

    def p(self, phrase: str, /, **params) -> str:
        return self.words(PHRASES[phrase], **params)

    # --- values in words

    def text(self, value: Text | None) -> str:
        return self.present.line(value) or self.p("not_listed")

    def names(self, table: dict[str, Text], ids: list[str]) -> str:
        return ", ".join(self.text(table[i]) if i in table else i for i in ids) if ids else self.p("none")

    def phone(self, phone: Phone) -> str:
        return self.present.with_note(phone.number, phone.label)

    def render(self, kind: str, value: object) -> str:
        if value is None or (isinstance(value, (list, dict)) and not value and kind not in ("categories", "audiences", "areas")):
            return self.p("not_listed")
        if kind == "text":
            return self.text(value)
        if kind == "date":
            return value.isoformat()
        if kind == "bool":
            return self.p("yes" if value else "no")
        if kind == "clock":
            return clock_range(value)
        if kind == "phones":
            return ", ".join(self.phone(p) for p in value)
        if kind == "address":
            return self.present.address_text(value, with_city=False)
        if kind == "hours":
            return self.present.hours_line(value)
        if kind == "recurrence":
            return " / ".join(self.present.recurrence_text(r, short=True) for r in value)
        if kind == "categories":
            return self.names(self.categories, value)
        if kind == "audiences":
            return self.names(self.audiences, value)
        if kind == "areas":
            return self.names(self.areas, value)
        if kind == "area":
            return self.names(self.areas, [value])
        if kind == "kind":
            return self.names(self.kinds, [value])
        if kind == "agency":
            return self.names(self.agencies, [value])
        if kind == "question":
            return self.names(self.questions, [value])
        if kind == "leads":
            return self.leads(*value)
        if kind == "list":
            return ", ".join(str(v) for v in value)
        if kind == "keywords":
            return " / ".join(f"{lang}: {', '.join(words)}" for lang, words in value.items())
        return str(value)

    def leads(self, kind: str, target: object) -> str:
        if kind == "question":
            return self.p("leads_question", text=self.render("question", target))
        if kind == "counters":
            return self.p("leads_counters", names=", ".join(self.counter(ref) for ref in target))
        return self.p(f"leads_{kind}", concern=self.names(self.categories, [target]))

    def counter(self, ref: str) -> str:
        """A counter an answer names: the agency's name, and the service's description when one is named."""
        agency, _, service = ref.partition("~")
        name = self.names(self.agencies, [agency])
        if not service:
            return name
        return self.p("described", key=name, value=self.text(self.services[agency, service]) if (agency, service) in self.services else service)

    # --- comparing

    def field(self, label: str, kind: str, old: object, new: object) -> list[str]:
        """The worded change of one field, or nothing when it is the same."""
        if old == new:
            return []
        if kind.startswith("@"):
            return getattr(self, "list_" + kind[1:])(label, old, new)
        old_words, new_words = self.render(kind, old), self.render(kind, new)
        if old_words != new_words:
            return [self.p("changed", label=label, old=old_words, new=new_words)]
        if isinstance(old, Text) and isinstance(new, Text):
            return self.text_languages(label, old, new)
        if kind == "leads":  # the same words under other ids (a counter's service renamed): the ids
            old_words, new_words = (", ".join(target) if isinstance(target, tuple) else target for _, target in (old, new))
            return [self.p("changed", label=label, old=old_words, new=new_words)]
        # Different, but not in words this language shows: show the data itself.
        if isinstance(old, str | None) and isinstance(new, str | None):
            return [self.p("changed", label=label, old=old or self.p("not_listed"), new=new or self.p("not_listed"))]
        old_raw = json.dumps(_dump(old), ensure_ascii=False)
        new_raw = json.dumps(_dump(new), ensure_ascii=False)
        return [self.p("changed", label=label, old=old_raw, new=new_raw)]

    def text_languages(self, label: str, old: Text, new: Text) -> list[str]:
        """A text whose shown language is unchanged: the other languages that changed."""
        items = []
        for lang in dict.fromkeys([*old.languages, *new.languages]):
            a, b = old.get(lang), new.get(lang)
            if a != b:
                items.append(
                    self.p(
                        "changed",
                        label=self.p("in_lang", label=label, lang=lang),
                        old=a if a is not None else self.p("not_listed"),
                        new=b if b is not None else self.p("not_listed"),
                    )
                )
        old_unofficial, new_unofficial = old.root.get("unofficial", []), new.root.get("unofficial", [])
        if old_unofficial != new_unofficial:
            items.append(
                self.p(
                    "changed",
                    label=self.p("unofficial", label=label),
                    old=", ".join(old_unofficial) or self.p("none"),
                    new=", ".join(new_unofficial) or self.p("none"),
                )
            )
        return items

    def fields(self, specs: list[FieldSpec], old, new) -> list[str]:
        items = []
        for key, getter, kind in specs:
            items += self.field(self.labels[key], kind, _get(old, getter), _get(new, getter))
        return items

    def items(
        self,
        label: str,
        old: list,
        new: list,
        key: Callable[[object], str],
        describe: Callable[[object], str],
        specs: list[FieldSpec],
        renames: bool,
    ) -> list[str]:
        """A list inside a record, compared item by item by its key (id, date, document)."""
        old_by, new_by = _keyed(old, key), _keyed(new, key)
        gone = [item for k, item in old_by.items() if k not in new_by]
        came = [item for k, item in new_by.items() if k not in old_by]
        pairs = match_renames(gone, came) if renames else []
        renamed_old = {id(a) for a, _ in pairs}
        renamed_new = {id(b): a for a, b in pairs}
        result = []
        for k, item in old_by.items():
            if k not in new_by and id(item) not in renamed_old:
                result.append(self.p("removed", label=label, value=describe(item)))
        for k, item in new_by.items():
            if k in old_by:
                before = old_by[k]
            elif id(item) in renamed_new:
                before = renamed_new[id(item)]
                result.append(self.p("item_id_changed", label=label, old=key(before), new=k))
            else:
                result.append(self.p("added", label=label, value=describe(item)))
                continue
            for sub in self.fields(specs, before, item):
                result.append(self.p("in_item", label=label, key=k, sub=sub))
        return result

    def list_services(self, label: str, old: list, new: list) -> list[str]:
        return self.items(
            label, old, new, lambda s: s.id, lambda s: self.p("described", key=s.id, value=self.text(s.description)), SERVICE_FIELDS, True
        )

    def list_branches(self, label: str, old: list, new: list) -> list[str]:
        def describe(branch) -> str:
            name = self.text(branch.name) if branch.name else self.names(self.areas, [branch.area])
            return self.p("described", key=branch.id, value=name)

        return self.items(label, old, new, lambda b: b.id, describe, BRANCH_FIELDS, True)

    def list_sessions(self, label: str, old: list, new: list) -> list[str]:
        return self.items(label, old, new, lambda s: s.date.isoformat(), lambda s: s.date.isoformat(), SESSION_FIELDS, False)

    def list_answers(self, label: str, old: list, new: list) -> list[str]:
        def describe(answer) -> str:
            return self.p("described", key=self.text(answer.text), value=self.render("leads", _leads_to(answer)))

        return self.items(label, old, new, lambda a: self.text(a.text), describe, ANSWER_FIELDS, False)

    def list_sources(self, label: str, old: list, new: list) -> list[str]:
        def key(ref) -> str:
            return f"{ref.document} {ref.section}"

        return self.items(label, old, new, key, key, [("source_note", "note", "plain")], False)

    # --- records

    def records(self, old: list, new: list, specs: list[FieldSpec], name: Getter = "name") -> KindChanges:
        """Records compared by id, a record whose id changed recognised by its likeness; `name`: what a record is called by."""
        result = KindChanges()
        old_by, new_by = {r.id: r for r in old}, {r.id: r for r in new}
        gone = [r for r in old if r.id not in new_by]
        came = [r for r in new if r.id not in old_by]
        pairs = match_renames(gone, came)
        renamed_old = {a.id for a, _ in pairs}
        renamed_new = {b.id: a for a, b in pairs}
        for record in new:
            if record.id in old_by:
                before, items = old_by[record.id], []
            elif record.id in renamed_new:
                before = renamed_new[record.id]
                items = [self.p("id_changed", old=before.id, new=record.id)]
            else:
                result.added.append(Entry(record.id, self.text(_get(record, name))))
                continue
            items += self.fields(specs, before, record)
            if items:
                result.changed.append(Changed(record.id, self.text(_get(record, name)), items, None if before.id == record.id else before.id))
        for record in gone:
            if record.id not in renamed_old:
                result.removed.append(Entry(record.id, self.text(_get(record, name))))
        return result


    def flow(self, old: Flow | None, new: Flow | None) -> KindChanges:
        """The guided questions: each question by id; the flow as a whole (its first question, sources) as one more entry."""
        result = self.records(old.questions if old else [], new.questions if new else [], QUESTION_FIELDS, name="text")
        whole = self.p("the_flow")
        if old and new:
            items = self.fields(FLOW_FIELDS, old, new)
            if items:
                result.changed.insert(0, Changed("flow", whole, items))
        elif old or new:
            (result.added if new else result.removed).insert(0, Entry("flow", whole))
        return result


def _keyed(items: list, key: Callable[[object], str]) -> dict[str, object]:
    """Items by key; a repeated key gets "#2", "#3" so that nothing is lost."""
    result: dict[str, object] = {}
    for item in items:
        k = key(item)
        n = 1
        while (k if n == 1 else f"{k} #{n}") in result:
            n += 1
        result[k if n == 1 else f"{k} #{n}"] = item
    return result


def diff_guides(old: Guide, new: Guide, lang: str = TOOL_LANGUAGE) -> Changes:
    """What changed from `old` to `new` in the agencies, programs and guided questions, worded in `lang`."""
    differ = _Differ(old, new, lang)
    return Changes(
        agencies=differ.records(old.agencies, new.agencies, AGENCY_FIELDS),
        programs=differ.records(old.programs, new.programs, PROGRAM_FIELDS),
        questions=differ.flow(old.flow, new.flow),
    )


# --- output ------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = set("\\`*_[]<>|~")


def escape_markdown(text: str) -> str:
    """Text safe inside a Markdown paragraph or list item (pipes escaped for tables too)."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)


def render(changes: Changes, lang: str = TOOL_LANGUAGE, fmt: str = "text", *, title: str | None = None) -> str:
    """The changes as plain text (default) or Markdown (for a GitHub job summary)."""
    w = words(lang)
    markdown = fmt == "markdown"
    esc = escape_markdown if markdown else (lambda s: s)
    lines: list[str] = []
    if title:
        lines += [f"## {esc(title)}" if markdown else title, ""]
    if changes.empty:
        lines.append(w(PHRASES["no_changes"]))
        return "\n".join(lines) + "\n"
    for kind, found in (("agencies", changes.agencies), ("programs", changes.programs), ("questions", changes.questions)):
        sections = [
            ("added", [w(PHRASES["entry"], name=e.name, id=e.id) for e in found.added]),
            ("removed", [w(PHRASES["entry"], name=e.name, id=e.id) for e in found.removed]),
            ("changed", [w(PHRASES["record"], name=c.name, items=w(PHRASES["sep"]).join(c.items)) for c in found.changed]),
        ]
        for what, bullets in sections:
            if not bullets:
                continue
            heading = w(PHRASES[f"{kind}_{what}"], n=len(bullets))
            if markdown:
                lines += [f"### {esc(heading)}", ""]
            else:
                lines.append(heading)
            lines += [f"- {esc(b)}" for b in bullets]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- reading a revision ------------------------------------------------------------------


class UsageError(Exception):
    """The command was used wrongly: exit 2."""


class SideError(Exception):
    """A side cannot be read (no data/ there): exit 1."""


def _git(root: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *argv], capture_output=True, check=False)


def resolve_revision(root: Path, rev: str, lang: str) -> str:
    """The commit a revision names, or UsageError with a message for people."""
    try:
        inside = _git(root, "rev-parse", "--is-inside-work-tree")
    except FileNotFoundError:
        raise UsageError(_message("no_git", lang)) from None
    if inside.returncode != 0:
        raise UsageError(_message("not_repo", lang, root=root))
    if rev.startswith("-"):
        raise UsageError(_message("bad_revision", lang, rev=rev))
    done = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if done.returncode != 0:
        raise UsageError(_message("bad_revision", lang, rev=rev))
    return done.stdout.decode().strip()


def checkout_data(root: Path, commit: str, target: Path, label: str, lang: str) -> Path:
    """Write data/ as it was at `commit` into target/data and return target (a guide root).

    Each file is written from git straight to disk, never held in memory.  A file over the
    data-file limit is not read at all: an empty file of its size stands in for it, which
    load_guide names as too large (yamlfile.MAX_FILE_BYTES) without reading a byte."""
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.decode().strip()
    top = Path(_git(root, "rev-parse", "--show-toplevel").stdout.decode().strip())
    tree = f"{commit}:{prefix}data"
    if _git(top, "cat-file", "-e", tree).returncode != 0:
        raise SideError(_message("no_data", lang, rev=label))
    listing = _git(top, "ls-tree", "-r", "-l", "-z", tree)  # mode, type, object, size and path of each file
    if listing.returncode != 0:
        raise SideError(_message("git_failed", lang, rev=label, detail=listing.stderr.decode(errors="replace").strip()))
    data = target / "data"
    data.mkdir(parents=True)
    for entry in filter(None, listing.stdout.split(b"\0")):
        meta, name = entry.split(b"\t", 1)
        mode, kind, obj, size = meta.split()
        place = data / os.fsdecode(name)
        if kind != b"blob" or not place.resolve().is_relative_to(data.resolve()):
            continue  # a submodule is no data file; git keeps no path out of its tree
        place.parent.mkdir(parents=True, exist_ok=True)
        if int(size) > MAX_FILE_BYTES:
            with open(place, "wb") as stand_in:
                stand_in.truncate(int(size))
        elif mode == b"120000":  # made again, never followed: load_guide reports the ones that lead out of data/
            place.symlink_to(os.fsdecode(_git(top, "cat-file", "blob", obj.decode()).stdout))
        else:
            with open(place, "wb") as out:
                done = subprocess.run(["git", "-C", str(top), "cat-file", "blob", obj.decode()], stdout=out, stderr=subprocess.PIPE, check=False)
            if done.returncode != 0:
                raise SideError(_message("git_failed", lang, rev=label, detail=done.stderr.decode(errors="replace").strip()))
    return target


def _today(args: argparse.Namespace) -> date:
    return getattr(args, "today", None) or city_today(Path(args.root))


def cmd_diff(args: argparse.Namespace) -> int:
    lang = getattr(args, "lang", TOOL_LANGUAGE)
    root = Path(args.root).resolve()
    try:
        base = resolve_revision(root, args.base, lang)
        head = resolve_revision(root, args.head, lang) if args.head else None
    except UsageError as err:
        print(f"guide diff: {err}", file=sys.stderr)
        return 2
    base_label = _label(args.base, base)
    head_label = _label(args.head, head) if head else words(lang)(PHRASES["working_tree"])
    with tempfile.TemporaryDirectory(prefix="guide-diff-") as tmp:
        try:
            old_root = checkout_data(root, base, Path(tmp) / "base", base_label, lang)
            new_root = checkout_data(root, head, Path(tmp) / "head", head_label, lang) if head else root
        except SideError as err:
            print(f"guide diff: {err}", file=sys.stderr)
            return 1
        today = _today(args)
        sides = [(base_label, load_guide(old_root, today=today)), (head_label, load_guide(new_root, today=today))]
    failed = False
    for label, loaded in sides:
        if loaded.guide is None:
            failed = True
            print(_message("side_invalid", lang, side=label, n=len(loaded.errors)), file=sys.stderr)
            for problem in loaded.errors:
                print("  " + format_problem(problem, lang), file=sys.stderr)
    if failed:
        return 1
    changes = diff_guides(sides[0][1].guide, sides[1][1].guide, lang)
    title = words(lang)(PHRASES["title"], base=base_label, head=head_label)
    sys.stdout.write(render(changes, lang, args.format, title=title))
    return 0


def _label(rev: str, commit: str) -> str:
    """How a revision is named in the output: as typed, with its short hash when that differs."""
    short = commit[:7]
    return rev if commit.startswith(rev) else f"{rev} ({short})"


def register(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `guide diff BASE [HEAD]` to the subcommands."""
    parser = sub.add_parser(
        "diff",
        parents=[common],
        help="what changed in the agencies and programs between two git revisions",
        description="Compare data/ at BASE with HEAD (default: the files as they are now) and word every change.",
    )
    parser.add_argument("base", help="git revision to compare from (commit, branch or tag)")
    parser.add_argument("head", nargs="?", help="git revision to compare to (default: the working tree)")
    parser.add_argument("--format", choices=["text", "markdown"], default="text", help="plain text (default) or Markdown")
    parser.set_defaults(func=cmd_diff)
    return parser
