"""The finder: the index guide.finder builds, searched by finder.js in Node, and the form partial."""

import json
import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import page_renderer, run_node
from searching import FINDER_JS, search, search_many
from babel.support import NullTranslations

from guide.finder import INDEX_FILE, build_index, index_files, index_json
from guide.hours import Calendar, calendar_table, status_at
from guide.load import load_guide
from guide.model import Hours
from guide.pages import plan_pages
from guide.present import Presenter
from guide.templating import template_environment

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
RANKING = Path(__file__).parent / "fixtures" / "ranking"


def url_for(kind: str, *ids: str) -> str:
    paths = {"agency": "agencies/{}/", "branch": "agencies/{}/{}/", "program": "programs/{}/"}
    return paths[kind].format(*ids)


# --- the guides ---------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_guide():
    loaded = load_guide(FIXTURE, today=date(2026, 11, 24))
    assert loaded.guide is not None, [str(p) for p in loaded.errors]
    return loaded.guide


@pytest.fixture(scope="module")
def fixture_index(fixture_guide):
    return build_index(fixture_guide, "ja", url_for)


# --- the index ----------------------------------------------------------------


def test_index_has_one_doc_per_agency_branch_and_program(fixture_guide, fixture_index):
    ids = [d["id"] for d in fixture_index["docs"]]
    expected = []
    for agency in fixture_guide.agencies:
        expected += [agency.id] + [f"{agency.id}/{b.id}" for b in agency.branches]
    expected += [p.id for p in fixture_guide.programs]
    assert ids == expected
    types = {d["id"]: d["t"] for d in fixture_index["docs"]}
    assert types["kakuu-soudan-center"] == "a"
    assert types["example-counter/higashi-1"] == "b"
    assert types["kakuu-taisou"] == "p"


def test_urls_come_from_url_for(fixture_index):
    docs = {d["id"]: d for d in fixture_index["docs"]}
    assert docs["kakuu-soudan-center"]["u"] == "agencies/kakuu-soudan-center/"
    assert docs["example-counter/higashi-1"]["u"] == "agencies/example-counter/higashi-1/"
    assert docs["kakuu-taisou"]["u"] == "programs/kakuu-taisou/"


def test_doc_fields(fixture_guide, fixture_index):
    docs = {d["id"]: d for d in fixture_index["docs"]}
    hub = docs["kakuu-soudan-center"]
    assert hub["n"] == "架空相談センター"
    # The kana as the data gives it; after a tab, the name's reading word by word (SudachiPy).
    assert hub["s"][0] == "架空相談せんたー" and hub["s"][1] == "かくうそうだんせんたー\tかくう そうだん せんたー"
    assert "よろず相談" in hub["s"][2]  # a service keyword
    assert "生活の困りごと全般の相談" in hub["s"][3]  # a service description
    assert hub["h"] == ["soudan"] and "h" not in docs["kakuu-kakei"]  # the categories it is the ★ of
    assert hub["p"] == ["086-900-0001", "tel:+81-86-900-0001"]  # the first voice number, not the fax
    agency = fixture_guide.agencies[0]
    assert hub["o"]["weekly"] == agency.hours.model_dump(mode="json")["weekly"]
    assert not any("note" in json.dumps(e) for e in hub["o"].get("exceptions", []))  # notes left out
    branch = docs["example-counter/higashi-1"]
    assert branch["in"] == "example-counter"
    assert branch["a"] == ["higashi-1", "higashi"]  # the branch's district and its ward
    assert (branch.get("r") or branch["s"][1]).startswith("かくうけんこうまどぐち ")  # sorts after its agency
    assert branch["l"] == "架空健康窓口 東第一分室"  # its own name, shown in its agency's result
    assert docs["example-counter/nishi-1"]["l"] == "西第一"  # else its area
    program = docs["kakuu-taisou"]
    assert program["k"] == "exercise" and program["c"] == ["health"]


def test_english_index_titles_fall_back_to_japanese(fixture_guide):
    index = build_index(fixture_guide, "en", url_for)
    docs = {d["id"]: d for d in index["docs"]}
    assert docs["kakuu-soudan-center"]["n"] == "Example Consultation Center"
    assert "架空相談せんたー" in docs["kakuu-soudan-center"]["s"][0]  # Japanese names stay searchable
    assert docs["kakuu-kouza"]["n"] == "架空家計講座"  # no English name: Japanese
    assert index["labels"]["c"]["debt"] == "Spending, arrears and debt"
    assert "借金" in index["x"]["c"]["debt"]  # Japanese synonyms in the English index too


def test_synonyms_are_stored_once_per_category(fixture_index):
    assert fixture_index["x"]["c"]["debt"] == "支出借金\tししゅつ しゃっきん"  # with its reading, word by word
    assert "よろず相談" in fixture_index["x"]["c"]["soudan"]
    assert fixture_index["x"]["a"]["higashi"] == "てすと東区 てすとひがしく"


def test_index_json_is_compact(fixture_index):
    text = index_json(fixture_index)
    assert ": " not in text[:2000] and ", " not in text[:200]
    assert "\\u" not in text  # Japanese kept as UTF-8, not escaped


def test_a_small_index_is_one_file(fixture_index):
    [(name, text)] = index_files(fixture_index)
    assert name == INDEX_FILE and json.loads(text) == fixture_index


PARTS_HARNESS = """
const finder = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { whole, head, parts, queries } = JSON.parse(input);
  parts.forEach((part) => finder.extend(head, part.docs));
  const ids = (index) => queries.map((q) => finder.search(index, q, {}).map((d) => d.id + ":" + d.branches));
  process.stdout.write(JSON.stringify({ whole: ids(whole), parts: ids(head) }));
});
"""


def test_a_large_index_comes_in_parts_that_search_as_one(fixture_index):
    files = index_files(fixture_index, part_bytes=600)
    names = [name for name, _ in files]
    assert names[0] == INDEX_FILE and len(files) > 2
    head = json.loads(files[0][1])
    assert head["more"] == names[1:] and head["x"] == fixture_index["x"]
    parts = [json.loads(text) for _, text in files[1:]]
    docs = head["docs"] + [d for part in parts for d in part["docs"]]
    assert docs == fixture_index["docs"]
    for part in [head, *parts]:  # an agency's branches are in its part
        ids = {d["id"] for d in part["docs"]}
        assert all(d["in"] in ids for d in part["docs"] if "in" in d)
    got = run_node(PARTS_HARNESS, FINDER_JS, {"whole": fixture_index, "head": head, "parts": parts, "queries": ["架空", "健康", "借金", ""]})
    assert got["parts"] == got["whole"]


def test_readings_of_names_keywords_and_descriptions_are_indexed(fixture_index):
    docs = {d["id"]: d for d in fixture_index["docs"]}
    kakei = docs["kakuu-kakei"]
    texts, readings = kakei["s"][3].split("\t")
    assert "家計と借金の相談" in texts
    assert "かけい と しゃっきん の そうだん" in readings  # 家計と借金の相談, read by SudachiPy word by word
    assert "かくう かけい こうざ" in docs["kakuu-kouza"]["s"][1].split("\t")[1]  # no kana in the data: read from the name
    assert "しゃっきん" in fixture_index["x"]["c"]["debt"].split("\t")[1]  # synonyms too


def test_a_doc_without_a_number_names_who_to_call_instead(fixture_index):
    docs = {d["id"]: d for d in fixture_index["docs"]}
    assert "p" not in docs["example-counter"]
    assert docs["example-counter"].get("ct") is None  # health has no ★: the finder says no number is given
    assert "ct" not in docs["kakuu-soudan-center"]  # has its own number


def test_a_japanese_query_for_something_on_the_site_is_never_empty(fixture_index):
    """Every agency and program is found by its Japanese name, a shortened name or a name with an extra particle."""
    queries, wanted = [], []
    for doc in fixture_index["docs"]:
        if doc["t"] == "b":
            continue
        name = re.sub(r"[（(].*?[)）]", "", doc["n"])
        for query in (name, name[:-1], name[1:], name[:2] + "の" + name[2:]):
            queries.append((query, {}))
            wanted.append(doc["id"])
    results = search_many(fixture_index, queries)
    missing = [(q, w, r["ids"][:5]) for (q, _), w, r in zip(queries, wanted, results, strict=True) if w not in r["ids"][:5]]
    assert not missing


# --- facets (fixture: stable) -----------------------------------------------------------


def test_facets_filter(fixture_index):
    cases = [
        ("", {"category": "debt"}),
        ("", {"area": "higashi-1"}),
        ("", {"area": "higashi"}),
        ("", {"kind": "exercise"}),
        ("", {"audience": "elderly"}),
        ("架空", {"category": "health", "area": "nishi"}),
        ("借金", {}),
        ("", {}),
    ]
    found = search_many(fixture_index, cases)
    got = [r["ids"] for r in found]
    assert got[0] == ["kakuu-kakei", "kakuu-kouza"]
    # An agency's offices are listed in its one result; an area shows only its own office.
    assert got[1] == ["example-counter"] and found[1]["branches"][0] == ["example-counter/higashi-1"]
    assert got[2] == ["kakuu-soudan-center", "example-counter", "kakuu-taisou"]
    assert found[2]["branches"][1] == ["example-counter/higashi-1"]
    assert got[3] == ["kakuu-taisou"]
    assert got[4] == ["example-counter", "kakuu-taisou"]
    assert found[4]["branches"][0] == ["example-counter/higashi-1", "example-counter/nishi-1"]
    assert got[5] == ["example-counter"] and found[5]["branches"][0] == ["example-counter/nishi-1"]
    assert got[6][0] == "kakuu-kakei"  # 借金 via the category name 支出・借金 and the description
    assert got[7][0] == "kakuu-soudan-center"  # no query: everything, ★ first


def test_no_query_lists_the_hub_then_agencies_then_programs_in_kana_order(fixture_index):
    got = search(fixture_index, "")["ids"]
    assert got[0] == "kakuu-soudan-center"  # ★
    docs = {d["id"]: d for d in fixture_index["docs"]}
    readings = {i: d.get("r") or d["s"][1] for i, d in docs.items()}
    agencies = [i for i in got[1:] if docs[i]["t"] != "p"]
    programs = [i for i in got[1:] if docs[i]["t"] == "p"]
    assert got[1:] == agencies + programs
    assert [readings[i] for i in agencies] == sorted(readings[i] for i in agencies)
    assert [readings[i] for i in programs] == sorted(readings[i] for i in programs)


def test_branches_inherit_phone_and_hours(fixture_index):
    got = search(fixture_index, "西第一")
    assert got["ids"][0] == "example-counter/nishi-1"
    assert got["first"]["o"] == {"status": "not_published"}  # from its agency


@pytest.mark.parametrize(
    "moment",
    ["2026-11-24T10:00:00+09:00", "2026-11-28T10:00:00+09:00", "2026-11-28T12:30:00+09:00", "2026-11-23T10:00:00+09:00", "2026-12-05T10:00:00+09:00", "2026-12-30T10:00:00+09:00"],
)
def test_open_now_facet_agrees_with_the_python_hours_engine(fixture_guide, fixture_index, moment):
    calendar = Calendar.for_site(fixture_guide.site)
    table = calendar_table(calendar, date(2026, 1, 1), years=3)
    at = datetime.fromisoformat(moment)
    hours_by_id = {}
    for agency in fixture_guide.agencies:
        hours_by_id[agency.id] = agency.hours
        for branch in agency.branches:
            hours_by_id[f"{agency.id}/{branch.id}"] = branch.hours or agency.hours
    expected = sorted(i for i, h in hours_by_id.items() if status_at(h, at, calendar).state == "open")
    got = search(fixture_index, "", open=True, now=moment, calendar=table)
    assert sorted(got["ids"]) == expected


def test_open_now_fixture_is_not_trivial(fixture_guide):
    calendar = Calendar.for_site(fixture_guide.site)
    hours = Hours.model_validate(fixture_guide.agencies[0].hours.model_dump())
    assert status_at(hours, datetime.fromisoformat("2026-11-28T10:00:00+09:00"), calendar).state == "open"  # Saturday
    assert status_at(hours, datetime.fromisoformat("2026-12-05T10:00:00+09:00"), calendar).state == "closed"  # exception


# --- the form partial ----------------------------------------------------------------


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def render_partial(guide, **extra) -> str:
    env = template_environment(NullTranslations())
    env.globals["url_for"] = lambda kind, *ids: "" if kind == "home" else url_for(kind, *ids)
    env.globals["finder_choices"] = Presenter(guide, "ja", NullTranslations(), date(2026, 11, 24)).finder_choices  # as the pages' Renderer gives it
    context = {"index_url": "../assets/guide/finder-ja.json", "guide": guide, "plain": lambda text: text.get("ja"), **extra}
    return env.get_template("partials/finder.html").render(**context)


def test_partial_renders_the_form_finder_js_reads(fixture_guide):
    html = render_partial(fixture_guide, rel=lambda url: "../" + url)
    parser = _Collect()
    parser.feed(html)
    form = next(attrs for tag, attrs in parser.tags if tag == "form")
    assert form["class"] == "finder" and form["role"] == "search" and form["method"] == "get"
    assert form["data-index"] == "../assets/guide/finder-ja.json"
    assert form["data-root"] == "../"
    assert form["data-msg-count"] == "{count} results"
    for key in ("count-one", "none", "fuzzy", "loading", "error", "type-a", "type-b", "type-p", "hub"):
        assert form[f"data-msg-{key}"], key
    names = {attrs.get("name") for tag, attrs in parser.tags if tag in ("input", "select")}
    assert names == {"q", "category", "area", "audience", "kind", "open"}
    checkbox = next(attrs for tag, attrs in parser.tags if attrs.get("name") == "open")
    assert checkbox["type"] == "checkbox" and checkbox["value"] == "1"
    options = [attrs["value"] for tag, attrs in parser.tags if tag == "option"]
    assert {"", "debt", "higashi-1", "elderly", "exercise"} <= set(options)
    status = next(attrs for tag, attrs in parser.tags if attrs.get("class") == "finder-status")
    assert status["role"] == "status" and status["aria-live"] == "polite"
    assert any(tag == "ol" and attrs.get("class") == "finder-results" for tag, attrs in parser.tags)
    assert any(tag == "button" and attrs.get("type") == "submit" for tag, attrs in parser.tags)
    # every control has a label
    ids = {attrs["id"] for tag, attrs in parser.tags if tag in ("input", "select")}
    labelled = {attrs["for"] for tag, attrs in parser.tags if tag == "label"}
    assert ids <= labelled


def test_partial_renders_without_rel(fixture_guide):
    assert 'data-root=""' in render_partial(fixture_guide)


def test_area_choices_are_a_tree(fixture_guide):
    tree = [
        ("higashi", "テスト東区"),
        ("higashi-1", "– 東第一"),
        ("nishi", "テスト西区"),
        ("nishi-1", "– 西第一"),
    ]
    assert Presenter(fixture_guide, "ja", NullTranslations(), date(2026, 11, 24)).finder_choices()["areas"] == tree
    # the form's area select is that tree, after "All areas"
    html = render_partial(fixture_guide)
    select = html[html.index('<select id="finder-area"'):]
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', select[: select.index("</select>")])
    assert options == [("", "All areas"), *tree]


# --- no dead ends where a counter has no number (ranking fixture) ---------------------------------------


@pytest.fixture(scope="module")
def ranking_guide():
    loaded = load_guide(RANKING, today=date(2026, 11, 24))
    assert loaded.guide is not None, [str(p) for p in loaded.errors]
    return loaded.guide


def rendered_pages(guide) -> dict[str, str]:
    renderer = page_renderer(guide, "ja", NullTranslations(), date(2026, 11, 24))
    return {page.path: renderer.render(page) for page in plan_pages(guide)}


def test_without_a_number_the_index_points_to_the_hub_that_has_one(ranking_guide):
    docs = {d["id"]: d for d in build_index(ranking_guide, "ja", url_for)["docs"]}
    assert "p" not in docs["kakuu-anshin"] and docs["kakuu-anshin"]["ct"] == "kakuu-kaigo-center"
    assert "p" not in docs["kakuu-library"] and "ct" not in docs["kakuu-library"]  # no ★ in its category
    branch = docs["kakuu-kaigo-center/nishi-1"]
    assert "p" not in branch and "ct" not in branch  # finder.js gives it its agency's number


def test_pages_without_a_number_never_say_please_call(ranking_guide):
    pages = rendered_pages(ranking_guide)
    anshin = pages["agencies/kakuu-anshin/"]
    assert "please call" not in anshin.lower()
    # The way on: the concern's ★ first, with its number, where the finder's "ct" points too.
    assert re.search(r'<ul class="way-on"><li><a href="[./]*agencies/kakuu-kaigo-center/">架空介護センター</a>[^<]*<a class="phone" href="tel:\+81-86-900-0001">', anshin)
    assert 'data-msg-unknown="Hours not listed"' in anshin  # the open-now badge will not say it either
    library = pages["agencies/kakuu-library/"]
    assert "the city’s documents give no number" in library and "please call" not in library.lower()
    branch = pages["agencies/kakuu-kaigo-center/nishi-1/"]
    assert 'href="tel:+81-86-900-0001"' in branch  # its agency's number
    job = pages["agencies/kakuu-job/"]
    assert "Hours not listed — please call" in job  # a number to call: then it may say so


def test_the_finder_form_has_one_label_per_audience(fixture_guide):
    parser = _Collect()
    html = render_partial(fixture_guide)
    parser.feed(html)
    assert "Any audience" in html and ">Anyone<" not in html


# --- residents' words: queries split into words, phrases, crisis first (issue 20) -----------------

WORDS_HARNESS = """
const N = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => process.stdout.write(JSON.stringify(JSON.parse(input).map((q) => N.words(q)))));
"""
NORMALIZE_JS = FINDER_JS.parent / "normalize.js"
# What a resident types, and the words a search compares (particles, endings and stop words left out).
SPLIT = {
    "近所のゴミ屋敷": ["近所", "ごみ屋敷"],
    "夫が怖い": ["夫", "怖い"],
    "子どもが学校に行かない": ["子ども", "学校", "行かない"],
    "お金がない": ["お金"],
    "ひきこもりの相談": ["ひきこもり", "相談"],
    "もも太郎体操": ["もも太郎体操"],  # no particle between its words: one word
    "ﾍﾙﾊﾟｰを頼みたい": ["へるぱー", "頼みたい"],
    "job for seniors": ["job", "seniors"],
    "ない": ["ない"],  # only stop words: kept, so the query is not empty
}


def test_queries_split_into_words_the_same_in_python_and_javascript():
    from guide.normalize import words

    queries = list(SPLIT)
    assert [words(q) for q in queries] == list(SPLIT.values())
    assert run_node(WORDS_HARNESS, NORMALIZE_JS, queries) == list(SPLIT.values())


TABLES_HARNESS = """
const N = require(process.argv[1]);
process.stdout.write(JSON.stringify({ particles: N.PARTICLES, joining: N.JOINING, stop: N.STOP_WORDS }));
"""


def test_the_word_tables_are_the_same_in_python_and_javascript():
    from guide.normalize import JOINING, PARTICLES, STOP_WORDS

    tables = run_node(TABLES_HARNESS, NORMALIZE_JS, {})
    assert tables["particles"] == list(PARTICLES)
    assert set(tables["joining"]) == JOINING
    assert set(tables["stop"]) == STOP_WORDS


def test_a_word_no_record_has_does_not_fail_the_query(fixture_index):
    alone, with_unknown = search_many(fixture_index, [("借金", {}), ("借金 ぴよぴよ", {})])
    assert with_unknown["ids"] == alone["ids"] and not with_unknown["fuzzy"]


def test_when_no_record_has_every_word_those_with_some_come_marked_partial(fixture_index):
    both, debt, exercise = search_many(fixture_index, [("借金 体操", {}), ("借金", {}), ("体操", {})])
    assert both["partial"] and not both["fuzzy"]
    assert set(both["ids"]) == set(debt["ids"]) | set(exercise["ids"])
    assert not debt["partial"]


def test_kana_matches_whole_words_of_a_reading_never_a_fragment(fixture_index):
    # 架空家計相談室's service reads かけい と しゃっきん の そうだん (家計と借金の相談).
    whole, fragment = search_many(fixture_index, [("しゃっきんのそうだん", {}), ("きんのそう", {})])
    assert whole["ids"][0] == "kakuu-kakei"
    assert "kakuu-kakei" not in fragment["ids"]


ENGLISH_INDEX = {
    "v": 2, "lang": "en", "labels": {}, "x": {}, "ac": ["aids", "hiv"],
    "docs": [
        {"t": "a", "id": "aids-unit", "u": "a/", "n": "Example AIDS Unit", "s": ["example aids unit", "", "", "hiv and aids testing"]},
        {"t": "a", "id": "aids-desk", "u": "b/", "n": "Example Aids Desk", "s": ["example aids desk", "", "", "hearing aids and wheelchairs"]},
        {"t": "a", "id": "mind", "u": "c/", "n": "Example Mind Center", "s": ["example mind center", "", "depression", "child abuse"]},
    ],
}


@pytest.mark.parametrize(
    "query, found",
    [
        ("hearing aid", ["aids-desk"]),  # aid: its plural, never the acronym AIDS
        ("aids", ["aids-unit", "aids-desk"]),  # typed as the data writes it: both
        ("depressed", ["mind"]),  # depressed = depression
        ("abused", ["mind"]),  # abused = abuse
    ],
)
def test_english_words_match_with_their_common_forms_but_not_an_acronym(query, found):
    assert sorted(search(ENGLISH_INDEX, query)["ids"]) == sorted(found)


def test_words_written_in_capitals_are_the_indexes_acronyms(fixture_guide):
    assert "dv" not in build_index(fixture_guide, "en", url_for).get("ac", [])  # the minimal fixture writes none
    assert {"dvd"} <= set(build_index(load_guide(RANKING, today=date(2026, 11, 24)).guide, "en", url_for)["ac"])  # 本とDVDの貸し出し


def test_the_index_holds_the_phrases_and_the_urgent_contacts(ranking_guide):
    index = build_index(ranking_guide, "ja", url_for)
    crisis = index["ph"][0]
    assert crisis["c"] == ["kaigo"] and crisis["cr"] == 1
    assert "助けて\t助けて" in crisis["w"]  # as written, then its words
    assert index["uc"] == [["架空いのちの電話（テスト）", "086-900-9999", "tel:+81-86-900-9999", "24時間"]]
    assert "cr" not in index["ph"][1]  # an everyday phrase


def test_a_crisis_phrase_puts_the_concerns_counters_first(ranking_guide):
    index = build_index(ranking_guide, "ja", url_for)
    got = search(index, "もう助けてほしい")
    assert got["crisis"] == ["kaigo"]
    assert got["ids"][0] == "kakuu-kaigo-center"  # the ★ of 介護
    kaigo = ["kaigo" in c for c in got["categories"]]
    assert kaigo[: kaigo.count(True)] == [True] * kaigo.count(True)  # nothing else before them
    assert search(index, "介護")["crisis"] == []  # an everyday word is no crisis


def test_a_counter_that_takes_no_residents_ranks_below_those_that_do(tmp_path):
    from conftest import copy_guide, edit_data

    root = copy_guide(tmp_path, guide=RANKING)
    # Pretend the ★'s one service took no consultations from residents (as a document may say).
    edit_data(root, {"agencies.yaml": [("        audiences: [elderly]\n    hours:", "        audiences: [elderly]\n        from_residents: false\n    hours:")]})
    loaded = load_guide(root, today=date(2026, 11, 24))
    index = build_index(loaded.guide, "ja", url_for)
    assert {d["id"]: d.get("nr") for d in index["docs"]}["kakuu-kaigo-center"] == 1
    ids = search(index, "介護")["ids"]
    assert ids.index("kakuu-hoken-ka") < ids.index("kakuu-kaigo-center")


def test_phrase_mistakes_are_located_errors(tmp_path):
    from conftest import copy_guide

    root = copy_guide(tmp_path, guide=RANKING)
    (root / "data" / "phrases.yaml").write_text(
        "phrases:\n"
        "  - concerns: [kaigoo]\n"
        "    words: {ja: [助けて]}\n"
        "  - concerns: [kaigo]\n"
        "    counters: [kakuu-job]\n"
        "    words: {ja: [仕事がない]}\n"
        "  - concerns: [kaigo]\n"
        "    wrods: {ja: [物忘れ]}\n",
        encoding="utf-8",
    )
    loaded = load_guide(root, today=date(2026, 11, 24))
    assert loaded.guide is None
    found = {(p.file, p.line, p.code) for p in loaded.errors}
    assert ("data/phrases.yaml", 2, "unknown_ref") in found  # kaigoo: did you mean kaigo?
    assert ("data/phrases.yaml", 5, "phrase_counters_unsourced") in found
    assert ("data/phrases.yaml", 8, "extra_forbidden") in found


def test_an_urgent_contact_must_cite_a_document_of_the_guide(tmp_path):
    from conftest import copy_guide, edit_data

    root = edit_data(copy_guide(tmp_path, guide=RANKING), {"site.yaml": [("source: {document: test-list-2026, section: 緊急", "source: {document: no-such-list, section: 緊急")]})
    loaded = load_guide(root, today=date(2026, 11, 24))
    assert [(p.file, p.code) for p in loaded.errors] == [("data/site.yaml", "unknown_ref")]
