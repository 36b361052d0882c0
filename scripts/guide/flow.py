"""The guided questions (data/flow.yaml) as every output walks them, in no language: the paths from
the start question, the concerns still possible below a question, the counters an outcome names.

A path is the answers' numbers from the start (1 for the first answer): it is the page's address
(flow/2/1/), so "back" is always the page it came from, even where two answers lead to one question.
Every question also offers 「わからない」: one more step, to the hubs of the concerns still possible
below that question (every hub of the guide when none of them has one) and to those concerns' pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .model import Agency, Flow, FlowAnswer, FlowQuestion, Guide, Service

MOST_ANSWERS = 3  # answers from the start to any outcome (わからない is one more step, on top)


@dataclass(frozen=True)
class Step:
    """One page of the flow: the question asked there, or the outcome reached, or the わからない page."""

    path: tuple[int, ...]  # the answers' numbers from the start
    trail: tuple[FlowAnswer, ...]  # the answers given on the way, in order
    question: FlowQuestion | None  # asked on this page (None on an outcome page)
    below: FlowQuestion | None = None  # on the わからない page: the question it was asked at

    @property
    def unsure(self) -> bool:
        return self.below is not None

    @property
    def outcome(self) -> FlowAnswer | None:
        """The answer whose outcome this page shows (None on a question or わからない page)."""
        return self.trail[-1] if self.question is None and not self.unsure else None

    @property
    def back(self) -> tuple[int, ...] | None:
        """The path of the page before this one (None at the start)."""
        if self.unsure:
            return self.path
        return self.path[:-1] if self.path else None


def steps(flow: Flow) -> Iterator[Step]:
    """Every page of the flow, from the start: a question, each of its answers' pages, its わからない page.
    A flow with a cycle is refused by `guide check` (checks), so this ends."""
    questions = {q.id: q for q in flow.questions}

    def walk(question: FlowQuestion, path: tuple[int, ...], trail: tuple[FlowAnswer, ...]) -> Iterator[Step]:
        yield Step(path, trail, question)
        yield Step(path, trail, None, below=question)
        for number, answer in enumerate(question.answers, 1):
            if answer.next:
                yield from walk(questions[answer.next], (*path, number), (*trail, answer))
            else:
                yield Step((*path, number), (*trail, answer), None)

    yield from walk(questions[flow.start], (), ())


def outcome_concerns(agencies: dict[str, Agency], answer: FlowAnswer) -> list[str]:
    """The category ids an outcome is about: its hub's or category's, or its counters' services' (`agencies`: by id)."""
    if answer.hub or answer.category:
        return [answer.hub or answer.category]
    return list(dict.fromkeys(c for agency, services in named_counters(agencies, answer) for s in services for c in s.categories))


def concerns_below(guide: Guide, agencies: dict[str, Agency], question: FlowQuestion) -> list[str]:
    """The concerns of every outcome below `question` in the guide's flow, in the taxonomy's order (`agencies`: by id,
    made once by the caller: this is asked on every page)."""
    flow = guide.flow
    questions = {q.id: q for q in flow.questions}
    found: set[str] = set()
    seen: set[str] = set()
    todo = [question]
    while todo:
        current = todo.pop()
        if current.id in seen:
            continue
        seen.add(current.id)
        for answer in current.answers:
            if answer.next:
                todo.append(questions[answer.next])
            else:
                found.update(outcome_concerns(agencies, answer))
    return [c.id for c in guide.taxonomy.categories if c.id in found]


def named_counters(agencies: dict[str, Agency], answer: FlowAnswer) -> list[tuple[Agency, list[Service]]]:
    """The counters an answer names (`agencies`), each with the service named, or all its services."""
    named = []
    for agency_id, service_id in answer.counters:
        agency = agencies[agency_id]
        named.append((agency, [s for s in agency.services if s.id == service_id] if service_id else list(agency.services)))
    return named


def reached_agencies(guide: Guide) -> set[str]:
    """Ids of the agencies some path of the flow leads to: named, a hub, in a category, or on a わからない page
    (as the pages show them: every hub where a わからない page has none of its own, or a concern no counter)."""
    flow = guide.flow
    if flow is None:
        return set()
    hubs = {c.id: c.hub for c in guide.taxonomy.categories}
    every_hub = {hub for hub in hubs.values() if hub}
    in_category = {c.id: {a.id for a in guide.agencies if any(c.id in s.categories for s in a.services)} for c in guide.taxonomy.categories}
    agencies = {a.id: a for a in guide.agencies}
    reached: set[str] = set()
    for question in flow.questions:
        reached |= {hubs[c] for c in concerns_below(guide, agencies, question) if hubs[c]} or every_hub
        for answer in question.answers:
            reached |= {agency_id for agency_id, _ in answer.counters}
            reached |= {hubs[answer.hub]} if answer.hub and hubs[answer.hub] else set()
            reached |= (in_category.get(answer.category) or every_hub) if answer.category else set()
    return reached


def answers_to(flow: Flow) -> dict[str, int]:
    """For each question reachable from the start, the most answers any path takes to arrive at it."""
    questions = {q.id: q for q in flow.questions}
    depth: dict[str, int] = {}

    def visit(question_id: str, answers: int, on_path: tuple[str, ...]) -> None:
        if question_id not in questions or question_id in on_path or depth.get(question_id, -1) >= answers:
            return  # unknown, or a cycle (both reported by the checks), or already reached as deep
        depth[question_id] = answers
        for answer in questions[question_id].answers:
            if answer.next:
                visit(answer.next, answers + 1, (*on_path, question_id))

    visit(flow.start, 0, ())
    return depth


def cycle_answers(flow: Flow) -> list[tuple[int, int]]:
    """(question index, answer index) of each answer whose `next` leads back to a question on its own path."""
    questions = {q.id: (i, q) for i, q in enumerate(flow.questions)}
    closing: set[tuple[int, int]] = set()
    done: set[str] = set()

    def visit(question_id: str, on_path: tuple[str, ...]) -> None:
        index, question = questions[question_id]
        for j, answer in enumerate(question.answers):
            if answer.next not in questions:
                continue
            if answer.next in on_path or answer.next == question_id:
                closing.add((index, j))
            elif answer.next not in done:
                visit(answer.next, (*on_path, question_id))
        done.add(question_id)

    for question in flow.questions:
        if question.id not in done:
            visit(question.id, ())
    return sorted(closing)


def residents_outcomes(flow: Flow) -> list[tuple[int, int]]:
    """(question index, answer index) of each outcome some path reaches without an answer marked
    `professionals`: where a resident may arrive.  A path that comes back to a question is not followed."""
    questions = {q.id: (i, q) for i, q in enumerate(flow.questions)}
    found: set[tuple[int, int]] = set()

    def visit(question_id: str, on_path: tuple[str, ...]) -> None:
        if question_id not in questions or question_id in on_path:
            return
        index, question = questions[question_id]
        for j, answer in enumerate(question.answers):
            if answer.professionals:
                continue
            if answer.next:
                visit(answer.next, (*on_path, question_id))
            else:
                found.add((index, j))

    visit(flow.start, ())
    return sorted(found)
