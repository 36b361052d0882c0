"""The record pages tell residents how old the facts are, and a program whose planned period is over reads as past.

Pages of the fixture guide (tests/fixtures/minimal) are rendered with the Japanese catalog on chosen days.
"""

from __future__ import annotations

from datetime import date, timedelta

import yaml

from guide.i18n import translations
from guide.load import load_guide
from guide.pages import Page, plan_pages

from conftest import REPO, TODAY, page_renderer


def render(root, path: str, today: date) -> str:
    guide = load_guide(root, today=today).guide
    assert guide is not None
    page = next(p for p in plan_pages(guide) if p.path == path)
    return page_renderer(guide, "ja", translations(REPO, "ja"), today).render(page)


def edit_record(root, kind: str, record_id: str, change) -> None:
    """Let `change` edit one record of data/<kind>.yaml (kind: agencies or programs)."""
    path = root / "data" / f"{kind}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(next(r for r in data[kind] if r["id"] == record_id))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# kakuu-soudan-center (verified 2026-10-01) has a phone; example-counter (2026-09-15) has none of its own.


def test_a_recent_record_shows_its_last_verified_date_and_no_warning(minimal_copy):
    html = render(minimal_copy, "agencies/kakuu-soudan-center/", date(2026, 11, 23))
    date_of_documents = "（資料の日付。窓口にはまだ確認していません）"  # nobody has checked with the counter
    assert f'<p class="freshness">最終確認日: <time datetime="2026-10-01">2026年10月1日</time> {date_of_documents}</p>' in html
    assert "時点のものです" not in html


def test_a_date_someone_checked_with_the_counter_is_labelled_as_checked(minimal_copy):
    edit_record(minimal_copy, "agencies", "kakuu-soudan-center", lambda agency: agency.update(checked_with_counter=True))
    html = render(minimal_copy, "agencies/kakuu-soudan-center/", date(2026, 11, 23))
    assert '<p class="freshness">最終確認日: <time datetime="2026-10-01">2026年10月1日</time></p>' in html


def test_a_record_over_a_year_old_asks_residents_to_call_first(minimal_copy):
    html = render(minimal_copy, "agencies/kakuu-soudan-center/", date(2026, 10, 1) + timedelta(days=366))
    assert "この情報は 2026年10月1日 時点のものです。お出かけ前にお電話でご確認ください。" in html


def test_without_a_phone_the_old_record_does_not_say_please_call(minimal_copy):
    html = render(minimal_copy, "agencies/example-counter/", date(2026, 9, 15) + timedelta(days=366))
    assert '<p class="freshness__old">この情報は 2026年9月15日 時点のものです。</p>' in html


def test_a_branch_with_its_own_phone_asks_residents_to_call_first(minimal_copy):
    html = render(minimal_copy, "agencies/example-counter/higashi-1/", date(2026, 9, 15) + timedelta(days=366))
    assert "この情報は 2026年9月15日 時点のものです。お出かけ前にお電話でご確認ください。" in html


def test_a_program_planned_for_a_period_that_is_over_reads_as_ended(minimal_copy):
    edit_record(
        minimal_copy,
        "programs",
        "kakuu-kouza",
        lambda p: p.update(period={"end": "2026-12-31", "source": {"document": "test-list-2026", "section": "2026年の予定"}}),
    )
    during = render(minimal_copy, "programs/kakuu-kouza/", date(2026, 12, 31))
    after = render(minimal_copy, "programs/kakuu-kouza/", date(2027, 1, 1))
    assert "までの予定でした" not in during
    assert '<span class="past-label">終了</span> 2026年12月31日 までの予定でした。その後の予定は資料に記載がありません。' in after
    listing = render(minimal_copy, "programs/", date(2027, 1, 1))
    assert "2026年12月31日 までの予定でした" in listing


def test_source_quotes_under_the_hours_are_folded(minimal_copy):
    html = render(minimal_copy, "agencies/example-counter/", date(2026, 11, 23))
    assert '<details class="hours-source"><summary>受付時間の出典</summary><p class="hours-note">受付時間は資料に書かれていません' in html


def test_the_home_page_is_named_in_the_editions_language(minimal_copy):
    front_matter = render(minimal_copy, "", date(2026, 11, 23)).split("---")[1]
    assert yaml.safe_load(front_matter)["title"] == "ホーム"


def test_a_record_page_prints_its_address_as_a_path_when_the_public_address_is_unknown(minimal_copy):
    html = render(minimal_copy, "agencies/kakuu-soudan-center/", date(2026, 11, 23))
    # A path leads nowhere on paper: the print head says the sheet gives no web address, and names the path.
    assert "ウェブのアドレスは載せていません（ガイド内のページ：/agencies/kakuu-soudan-center/）" in html
    assert "<svg" not in html


def test_with_a_public_address_a_record_page_carries_its_qr_code(minimal_copy):
    guide = load_guide(minimal_copy, today=date(2026, 11, 23)).guide
    page = Page("agencies/kakuu-soudan-center/", "agency.md.j2", {"agency": guide.agencies[0], "branch": None})
    renderer = page_renderer(guide, "en", translations(REPO, "en"), date(2026, 11, 23), site_url="https://guide.example.org/en/", prefix="en/")
    html = renderer.render(page)
    assert '<span class="print-head__address">https://guide.example.org/en/agencies/kakuu-soudan-center/</span>' in html
    assert '<div class="qr-block" aria-hidden="true"><svg' in html


def test_the_offices_of_a_card_are_listed_in_the_editions_own_words(minimal_copy):
    """A counter with offices and no number of its own names them on its card: 「・」 in Japanese, ", " in English."""
    guide = load_guide(minimal_copy, today=date(2026, 11, 23)).guide
    page = next(p for p in plan_pages(guide) if p.path == "agencies/")
    for lang, separator in (("ja", "</a>・<a"), ("en", "</a>, <a")):
        html = page_renderer(guide, lang, translations(REPO, lang), date(2026, 11, 23)).render(page)
        offices = next(line for line in html.splitlines() if "agency-card__branches" in line and "example-counter/higashi-1" in line)
        assert separator in offices, lang


def test_a_counter_without_a_number_says_why_and_names_the_counters_of_its_concern_that_have_one(minimal_copy):
    """example-counter has no number of its own.  Given a consultation service (the hub 架空相談センター
    has a number) and the list's annex, its page says the number is on the annex and names the hub."""

    def on_the_annex_and_in_the_hubs_concern(agency):
        agency["services"][0]["categories"] = ["health", "soudan"]
        agency["annex"] = {"document": "test-list-2026", "section": "相談機関一覧 No.2", "note": "電話番号「<別紙>」"}

    edit_record(minimal_copy, "agencies", "example-counter", on_the_annex_and_in_the_hubs_concern)
    html = render(minimal_copy, "agencies/example-counter/", date(2026, 11, 23))
    assert '<p><span class="phones__label">電話</span> 市の一覧では、番号は別紙に載っています（このガイドにはまだ載っていません）</p>' in html
    assert "同じ分野で電話番号のわかる窓口：" in html
    way_on = html.split('<ul class="way-on">')[1].split("</ul>")[0]
    assert "架空相談センター" in way_on and 'href="tel:' in way_on
    assert "記載なし。" not in html and "記載なし</p>" not in html.split('class="phones phones--missing"')[1].split("</div>")[0]


def test_a_counter_whose_concern_has_no_number_at_all_says_so_and_links_the_concern(minimal_copy):
    html = render(minimal_copy, "agencies/example-counter/", date(2026, 11, 23))
    assert '<p><span class="phones__label">電話</span> 市の資料に番号の記載がありません</p>' in html
    assert "同じ分野で電話番号のわかる窓口" not in html  # the only health counter: no one to name
    assert "この分野の窓口の一覧：" in html and "categories/health/" in html.split("この分野の窓口の一覧：")[1]


def test_the_agency_summary_is_on_its_page(minimal_copy):
    """A summary holds caveats residents must see (e.g. 「市民からの直接の相談は受けず」)."""
    edit_record(minimal_copy, "agencies", "example-counter", lambda agency: agency.update(summary={"ja": "架空の説明：市民からの直接の相談は受けず"}))
    html = render(minimal_copy, "agencies/example-counter/", date(2026, 11, 23))
    assert '<p class="agency__summary">架空の説明：市民からの直接の相談は受けず</p>' in html


def test_a_program_known_only_from_an_old_plan_says_so_and_is_not_on_the_home_page(minimal_copy):
    """kakuu-taisou meets every week, as documents of 2023 said: nothing later is known, so its page says
    how old that is, and the home page does not offer it as something to join now."""
    edit_record(minimal_copy, "programs", "kakuu-taisou", lambda program: program.update(last_verified="2023-06-13"))
    page = render(minimal_copy, "programs/kakuu-taisou/", date(2026, 11, 23))
    assert '<p class="program__old">2023年6月13日 時点の資料にある情報です。それより後のことはわかっていません。</p>' in page
    home = render(minimal_copy, "", date(2026, 11, 23))
    assert "programs/kakuu-taisou/" not in home.split('id="join"')[1]
    recent = render(minimal_copy, "programs/kakuu-kouza/", date(2026, 11, 23))
    assert "program__old" not in recent


def test_an_office_without_a_number_of_its_own_shows_its_agencys(minimal_copy):
    edit_record(minimal_copy, "agencies", "example-counter", lambda agency: agency.update(phones=[{"number": "086-900-0019"}]))
    html = render(minimal_copy, "areas/nishi-1/", date(2026, 11, 23))
    office = html.split("example-counter/nishi-1/")[1].split("</li>")[0]
    assert "086-900-0019" in office and "phones--missing" not in office


def test_a_counter_that_takes_no_residents_says_so_and_is_never_named_as_the_way_on(minimal_copy):
    def takes_agencies_only(agency):
        agency["services"][0]["from_residents"] = False

    edit_record(minimal_copy, "agencies", "kakuu-soudan-center", takes_agencies_only)
    edit_record(minimal_copy, "agencies", "example-counter", lambda agency: agency["services"][0].update(categories=["health", "soudan"]))
    page = render(minimal_copy, "agencies/kakuu-soudan-center/", date(2026, 11, 23))
    assert '<strong class="service__not-residents">市民からの直接の相談は受けていません</strong>' in page
    without_number = render(minimal_copy, "agencies/example-counter/", date(2026, 11, 23))
    assert "同じ分野で電話番号のわかる窓口" not in without_number  # its hub takes no calls from residents


def test_a_doubt_on_the_record_is_a_plain_caution_on_its_page(minimal_copy):
    caution = "このページには、市の資料どうしで食い違う、または資料で読み取れない情報があり、市に確認しています。"
    assert caution not in render(minimal_copy, "agencies/kakuu-soudan-center/", date(2026, 11, 23))
    edit_record(minimal_copy, "agencies", "kakuu-soudan-center", lambda agency: agency.update(to_confirm="電話番号が版で異なる（架空）"))
    html = render(minimal_copy, "agencies/kakuu-soudan-center/", date(2026, 11, 23))
    assert f'<p class="agency__doubt">{caution}</p>' in html
    assert "電話番号が版で異なる" not in html  # the question itself is for the city (guide report)


def test_where_only_the_services_have_numbers_each_is_labelled_by_what_it_is_for(minimal_copy):
    edit_record(minimal_copy, "agencies", "kakuu-kakei", lambda agency: agency.update(phones=[]))
    html = render(minimal_copy, "agencies/kakuu-kakei/", date(2026, 11, 23))
    contact = html.split('<section class="contact"')[1].split("</section>")[0]
    assert '<span class="phones__label">家計と借金の相談 (相談専用ダイヤル)</span><br><a class="phone" href="tel:+81-120-000-001">' in contact
    assert "phones--missing" not in contact and "給付金の手続きの案内" not in contact  # a service without a number is not listed here


def test_a_card_links_rightly_from_every_page_it_is_on(minimal_copy):
    """A component is made once per set of arguments in an edition, its links filled in per page: the same
    card on pages of different depths links each time to its record's page, and is in that page's links."""
    import posixpath
    import re

    from guide.urls import url_for

    today = date.fromisoformat(TODAY)
    guide = load_guide(minimal_copy, today=today).guide
    renderer = page_renderer(guide, "ja", translations(REPO, "ja"), today)
    card = re.compile(r'<li class="agency-card[^"]*" data-agency="([^"]+)">\s*<h3 class="agency-card__name"><a href="([^"]+)">')
    depths: dict[str, set[int]] = {}
    for page in plan_pages(guide):
        for agency_id, href in card.findall(renderer.render(page)):
            target = posixpath.normpath(posixpath.join("/" + page.path, href)).lstrip("/") + "/"
            assert target.startswith(url_for("agency", agency_id)), (page.path, href)
            assert href in renderer.links[page.path]
            depths.setdefault(agency_id, set()).add(page.path.count("/"))
    assert any(len(found) >= 2 for found in depths.values()), depths  # the same card at two depths at least


# --- partials: compiled into the templates that include them ----------------------------


def test_a_partial_is_compiled_into_its_page_with_the_same_context_and_its_own_scope():
    from jinja2 import DictLoader, Environment

    from guide.templating import _InlinedPartials

    env = Environment(loader=DictLoader({
        "partials/badge.html": "{% set label = 'inner' %}[{{ record }} {{ label }} {{ loop.index }}]\n",
        "page.html": '{% set label = "outer" %}{% for record in records %}{% include "partials/badge.html" %}{% endfor %} {{ label }}',
    }), extensions=[_InlinedPartials])
    compiled = env.compile(env.loader.get_source(env, "page.html")[0], "page.html", raw=True)
    assert "get_template" not in compiled and "inner" in compiled  # no include left to make a context for
    assert env.get_template("page.html").render(records=["a", "b"]) == "[a inner 1][b inner 2] outer"


def test_a_page_is_compiled_again_when_a_partial_it_includes_changes(tmp_path, monkeypatch):
    from guide.templating import CompiledTemplates

    cache = CompiledTemplates(str(tmp_path))
    before = cache.get_source_checksum("{% include \"partials/x.html\" %}")
    monkeypatch.setattr(CompiledTemplates, "_PARTIALS_TEXT", CompiledTemplates._PARTIALS_TEXT + "<p>changed</p>")
    assert cache.get_source_checksum("{% include \"partials/x.html\" %}") != before
