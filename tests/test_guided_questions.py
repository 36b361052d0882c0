"""The guided questions (data/flow.yaml) as the generator makes them, on the fixture guides: what
`guide check` refuses, at its line and column, in Japanese and English; the pages: one per path of
answers, so back is the page it came from; 「わからない」 and the urgent line; a guide without a flow
has no flow pages and no link to them; `guide report` names the agencies no path reaches."""

from __future__ import annotations

import re
import shutil
from datetime import date

from conftest import FIXTURES, REPO, TODAY, edit_data, page_renderer
from flowing import counters_on, flow_pages, linked

from guide.i18n import translations
from guide.load import load_guide
from guide.pages import plan_pages

BACK = re.compile(r'<a class="flow-nav__back" href="([^"]+)">')
START_AGAIN = re.compile(r'<a class="flow-nav__start" href="([^"]+)">')

MISTAKES = """\
start: who
source:
  - {document: test-list-2026, section: 一覧}
questions:
  - id: who
    text: {ja: だれ}
    answers:
      - text: {ja: 自分}
        next: worry
      - text: {ja: 近所}
        next: nowhere
      - text: {ja: 職員}
        agencies: [kakuu-kakei~nope, no-such-agency]
  - id: worry
    text: {ja: なに}
    answers:
      - text: {ja: もどる}
        next: who
      - text: {ja: 健康}
        hub: health
      - text: {ja: さらに}
        next: deep
  - id: deep
    text: {ja: さらに}
    answers:
      - text: {ja: もっと}
        next: deeper
  - id: deeper
    text: {ja: もっと}
    answers:
      - text: {ja: 相談先}
        category: helth
  - id: lonely
    text: {ja: ひとり}
    answers:
      - text: {ja: 相談先}
        category: health
"""


# The first lines of a flow: its start question, whose answers follow (line 7 on).
FIRST_QUESTION = """\
start: who
source: [{document: test-list-2026, section: 一覧}]
questions:
  - id: who
    text: {ja: だれ}
    answers:
"""


def write_flow(root, text: str):
    (root / "data" / "flow.yaml").write_text(text, encoding="utf-8")
    return root


def test_check_refuses_what_the_flow_cannot_lead_to_each_at_its_place_in_both_languages(run_guide, minimal_copy):
    write_flow(minimal_copy, MISTAKES)
    ja = run_guide("check", "--root", minimal_copy)
    en = run_guide("check", "--root", minimal_copy, "--lang", "en")
    assert ja.code == en.code == 1
    assert en.problem_lines == [
        "data/flow.yaml:11:15: no question with id 'nowhere' (use an id defined in data/flow.yaml questions)",
        "data/flow.yaml:13:20: no service of that agency with id 'nope' (use an id defined in data/agencies.yaml)",
        "data/flow.yaml:13:38: no agency with id 'no-such-agency' (use an id defined in data/agencies.yaml)",
        "data/flow.yaml:18:15: next: who leads back to a question already asked on this path (lead it to a later question or an outcome)",
        "data/flow.yaml:20:14: category 'health' has no hub, so hub: cannot lead to it (use category: health for its counters)",
        "data/flow.yaml:31:9: this outcome is 4 answers from the start; at most 3 are allowed (ask fewer questions before it)",
        "data/flow.yaml:32:19: no category with id 'helth' (did you mean 'health'?)",
        "data/flow.yaml:33:9: question 'lonely' is not reached from the start question (lead an answer to it with next: lonely, or remove it)",
    ]
    assert [line.split(": ")[0] for line in ja.problem_lines] == [line.split(": ")[0] for line in en.problem_lines]
    assert "質問「lonely」には最初の質問からたどり着けません" in ja.err
    assert "この相談先は最初から 4 回答目です。3 回答までにしてください" in ja.err
    assert "next: who は、同じ道筋ですでに聞いた質問に戻ります" in ja.err


def test_check_refuses_a_question_without_answers_and_an_answer_that_leads_two_ways(run_guide, minimal_copy):
    write_flow(minimal_copy, FIRST_QUESTION + """\
      - text: {ja: 自分}
        next: empty
        category: health
      - text: {ja: 家族}
        agencies: [Not An Id]
  - id: empty
    text: {ja: から}
    answers: []
""")
    en = run_guide("check", "--root", minimal_copy, "--lang", "en")
    ja = run_guide("check", "--root", minimal_copy)
    assert en.problem_lines == [
        "data/flow.yaml:7:9: an answer must lead to exactly one of next, agencies, hub or category (it gives: next, category) (keep one)",
        "data/flow.yaml:11:20: Not An Id is not in the right format (write an agency id, or agency~service)",
        "data/flow.yaml:14:14: needs at least 1 item(s) (add them)",
    ]
    assert "data/flow.yaml:7:9: 回答の行き先は next・agencies・hub・category のどれか1つです（書かれているもの: next, category）" in ja.err


def test_the_fixture_flows_pass_the_check(run_guide):
    for name in ("minimal", "small"):
        assert run_guide("check", "--root", FIXTURES / name).code == 0, name


def test_back_is_the_page_each_path_came_from_and_every_page_but_the_first_can_start_again():
    pages = flow_pages(FIXTURES / "minimal", "ja")
    # The question "worry" is asked after two answers of the first: each of its pages goes back its own way.
    assert linked("flow/1/", BACK.search(pages["flow/1/"])[1]) == "flow/"
    assert linked("flow/2/2/", BACK.search(pages["flow/2/2/"])[1]) == "flow/2/"
    assert linked("flow/2/2/1/", BACK.search(pages["flow/2/2/1/"])[1]) == "flow/2/2/"
    assert linked("flow/2/unsure/", BACK.search(pages["flow/2/unsure/"])[1]) == "flow/2/"
    assert linked("flow/", BACK.search(pages["flow/"])[1]) == "./"  # the first question goes back to the home page (the root)
    assert START_AGAIN.search(pages["flow/"]) is None
    assert all(linked(path, START_AGAIN.search(html)[1]) == "flow/" for path, html in pages.items() if path != "flow/")


def test_i_dont_know_leads_to_the_hubs_of_the_concerns_still_possible_and_their_pages():
    pages = flow_pages(FIXTURES / "minimal", "ja")
    assert counters_on(pages["flow/unsure/"]) == ["kakuu-soudan-center"]  # the hub of 生活の困りごと, possible below the first question
    money = pages["flow/1/2/unsure/"]  # below 「お金が足りない」 only 支出・借金, which has no hub: its page, and the guide's hubs
    assert 'href="../../../../categories/debt/"' in money
    assert counters_on(money) == ["kakuu-soudan-center"]
    small = flow_pages(FIXTURES / "small", "ja")["flow/unsure/"]  # a guide without hubs: the concerns' pages
    assert counters_on(small) == [] and all(f"categories/{c}/" in small for c in ("kurashi", "kenkou", "shigoto"))


def test_an_outcome_lists_the_counters_it_names_with_the_service_named():
    page = flow_pages(FIXTURES / "minimal", "ja")["flow/1/2/2/"]  # 給付を受けたい: kakuu-kakei~kyufu
    assert counters_on(page) == ["kakuu-kakei"]
    assert "給付" in page and "家計と借金の相談" not in page  # that service, not the agency's other one
    assert 'href="tel:' in page  # its phone


def test_the_urgent_contacts_come_first_when_the_city_declares_them_else_the_hub_to_call(tmp_path):
    root = tmp_path / "guide"
    shutil.copytree(FIXTURES / "minimal", root)
    without = flow_pages(root, "ja")["flow/1/"]
    assert "急ぐときは、いますぐ電話してください" in without and 'href="../../flow/1/unsure/"' in without
    edit_data(root, {"site.yaml": [("stale_after_days: 365", """stale_after_days: 365
urgent_contacts:
  - name: {ja: 架空緊急ダイヤル}
    phone: {number: "086-900-9999"}
    hours: {ja: 24時間}
    source: {document: test-list-2026, section: 緊急の連絡先（架空）}""")]})
    for path, html in flow_pages(root, "ja").items():
        urgent = html.index('class="flow-urgent"')
        assert 'href="tel:+81-86-900-9999"' in html[urgent:html.index("</aside>")], path
        assert urgent < html.index("<h1>"), path


def rendered(root, *paths: str) -> dict[str, str]:
    today = date.fromisoformat(TODAY)
    guide = load_guide(root, today=today).guide
    renderer = page_renderer(guide, "ja", translations(REPO, "ja"), today)
    return {page.path: renderer.render(page) for page in plan_pages(guide) if page.path in paths}


def test_a_guide_without_a_flow_has_no_flow_pages_and_no_link_to_them():
    ranking = FIXTURES / "ranking"  # a fixture guide without data/flow.yaml
    assert not (ranking / "data" / "flow.yaml").exists()
    guide = load_guide(ranking, today=date.fromisoformat(TODAY)).guide
    assert [page.path for page in plan_pages(guide) if page.path.startswith("flow/")] == []
    pages = rendered(ranking, "", "finder/")
    assert len(pages) == 2 and not any("flow/" in html for html in pages.values())


def test_a_guide_with_a_flow_links_it_from_the_home_page_and_the_finders_no_results():
    pages = rendered(FIXTURES / "small", "", "finder/")
    assert 'href="flow/"' in pages[""]
    assert 'href="../flow/"' in pages["finder/"]


def test_report_names_the_agencies_no_path_reaches(run_guide, minimal_copy):
    write_flow(minimal_copy, """\
start: money
source: [{document: test-list-2026, section: 一覧}]
questions:
  - id: money
    text: {ja: お金のこと}
    answers:
      - text: {ja: 家計}
        agencies: [kakuu-kakei]
""")
    en = run_guide("report", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    section = en.out.split("■ Agencies no guided question reaches")[1].split("■")[0]
    assert section.startswith(" (1; 2 of 3 reached, 66.7%)")  # 家計 names one; 「わからない」 shows the hub (none below it has one)
    assert "Example Counter (example-counter): lead an answer of data/flow.yaml to it" in section
    assert "kakuu-kakei" not in section and "kakuu-soudan-center" not in section


def test_a_flow_with_a_mistake_of_shape_still_has_its_other_answers_checked_in_the_same_run(run_guide, minimal_copy):
    write_flow(minimal_copy, FIRST_QUESTION + """\
      - text: {ja: 自分}
        next: broken
      - text: {ja: 家族}
        agencies: [no-such-agency]
  - id: broken
    text: {ja: こわれた}
    answers:
      - text: {ja: 二つの行き先}
        hub: soudan
        category: health
""")
    en = run_guide("check", "--root", minimal_copy, "--lang", "en")
    assert en.problem_lines == [
        "data/flow.yaml:10:20: no agency with id 'no-such-agency' (use an id defined in data/agencies.yaml)",
        "data/flow.yaml:14:9: an answer must lead to exactly one of next, agencies, hub or category (it gives: hub, category) (keep one)",
    ]  # and `next: broken` is not called unknown: that question is there, with a mistake of its own


def test_each_page_is_titled_by_its_question_or_by_where_the_last_answer_leads():
    from mkdocs.utils.meta import get_data  # how MkDocs reads a page's front matter

    pages = flow_pages(FIXTURES / "minimal", "ja")
    titles = {path: get_data(pages[path])[1].get("title") for path in ("flow/", "flow/1/2/1/", "flow/1/unsure/")}
    assert titles == {
        "flow/": "どなたのご相談ですか",
        "flow/1/2/1/": "相談できるところ：家計のやりくり",
        "flow/1/unsure/": "わからないときの相談先：どんなことでお困りですか",
    }


def test_a_counter_that_takes_no_residents_is_named_only_after_the_answer_of_professionals(run_guide, minimal_copy):
    edit_data(minimal_copy, {"agencies.yaml": [("      - id: kyufu\n", "      - id: kyufu\n        from_residents: false\n")]})
    en = run_guide("check", "--root", minimal_copy, "--lang", "en")
    assert en.problem_lines == [  # 給付を受けたい follows 自分のこと and 家族のこと: residents arrive there
        "data/flow.yaml:34:20: 'kakuu-kakei~kyufu' takes no consultations from residents directly (from_residents: false), "
        "and residents can reach this answer (name it only after an answer marked professionals: true)",
    ]
    write_flow(minimal_copy, FIRST_QUESTION + """\
      - text: {ja: 自分}
        agencies: [kakuu-kakei~kakei]
      - text: {ja: 職員}
        professionals: true
        agencies: [kakuu-kakei~kyufu]
""")
    assert run_guide("check", "--root", minimal_copy).code == 0


def test_an_outcome_lists_a_concerns_counters_as_its_page_begins_and_sends_to_that_page_for_the_rest(monkeypatch):
    import guide.pages

    monkeypatch.setattr(guide.pages, "LISTING_PAGE_SIZE", 1)  # as if くらしの困りごと had more counters than a listing page holds
    page = flow_pages(FIXTURES / "small", "ja")["flow/1/"]  # 暮らしのこと: category kurashi, two counters
    assert len(counters_on(page)) == 1
    assert "2 か所のうち最初の 1 か所です。すべての窓口は分野のページにあります。" in page
    assert 'href="../../categories/kurashi/"' in page
    monkeypatch.undo()
    whole = flow_pages(FIXTURES / "small", "ja")["flow/1/"]
    assert len(counters_on(whole)) == 2 and "最初の" not in whole
