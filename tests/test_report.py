"""`guide report`: stale records by owner, counters missing facts, translation coverage, dead links.

The fixture is tests/fixtures/minimal, copied and edited per test.  The expected
lines, day counts and percentages are worked out by hand from the fixture.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import yaml

from guide import report
from guide.load import load_guide
from guide.model import Text
from guide.report import DeadLink, build_report, dead_links, render_report

from conftest import REPO

TODAY = date(2026, 11, 23)


def load(root: Path):
    loaded = load_guide(root, today=TODAY)
    assert loaded.guide is not None, loaded.errors
    return loaded.guide


def edit_yaml(root: Path, file: str, change) -> None:
    """Load a data file, let `change` edit the data, write it back."""
    path = root / "data" / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def record(data: dict, key: str, record_id: str) -> dict:
    return next(r for r in data[key] if r["id"] == record_id)


def section(text: str, starts: str) -> list[str]:
    """The lines of one ■ section (plain text), up to the next one."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(starts))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("■ ")), len(lines))
    return lines[start:end]


def strip_blank_tail(lines: list[str]) -> list[str]:
    while lines and lines[-1] == "":
        lines = lines[:-1]
    return lines


# --- freshness ---------------------------------------------------------------------------------


def _make_stale(root: Path) -> None:
    def agencies(data):
        record(data, "agencies", "kakuu-soudan-center")["last_verified"] = date(2025, 9, 1)  # 448 days
        record(data, "agencies", "kakuu-kakei")["last_verified"] = date(2025, 1, 10)  # 682 days, no owner

    def programs(data):
        record(data, "programs", "kakuu-taisou")["last_verified"] = date(2025, 3, 1)  # 632 days, organiser has an owner
        record(data, "programs", "kakuu-salon")["last_verified"] = date(2025, 10, 1)  # 418 days, organiser not in the guide
        record(data, "programs", "kakuu-kouza")["last_verified"] = date(2025, 11, 23)  # exactly 365 days: not stale yet

    edit_yaml(root, "agencies.yaml", agencies)
    edit_yaml(root, "programs.yaml", programs)


def test_stale_records_under_their_owner_oldest_first(minimal_copy):
    _make_stale(minimal_copy)
    text = render_report(build_report(minimal_copy, load(minimal_copy), today=TODAY), "ja")
    assert strip_blank_tail(section(text, "■ 最終確認から")) == [
        "■ 最終確認から 365 日を過ぎた記録（4件）",
        "",
        "テスト市福祉局 福祉企画課（2件）",
        "  - 2025-03-01（632日前） プログラム 架空いきいき体操（kakuu-taisou）",
        "  - 2025-09-01（448日前） 相談機関 架空相談センター（kakuu-soudan-center）",
        "",
        "担当課の記載なし（2件）",
        "  - 2025-01-10（682日前） 相談機関 架空家計相談室（kakuu-kakei）",
        "  - 2025-10-01（418日前） プログラム 架空ふれあいサロン（kakuu-salon）",
    ]


def test_stale_records_in_english(minimal_copy):
    _make_stale(minimal_copy)
    text = render_report(build_report(minimal_copy, load(minimal_copy), today=TODAY), "en")
    assert strip_blank_tail(section(text, "■ Records not verified")) == [
        "■ Records not verified for over 365 days (4)",
        "",
        "テスト市福祉局 福祉企画課 (2)",  # the owner has no English name: the Japanese one
        "  - 2025-03-01 (632 days ago) program Example exercise group (kakuu-taisou)",
        "  - 2025-09-01 (448 days ago) agency Example Consultation Center (kakuu-soudan-center)",
        "",
        "No responsible section given (2)",
        "  - 2025-01-10 (682 days ago) agency Example Household Budget Office (kakuu-kakei)",
        "  - 2025-10-01 (418 days ago) program 架空ふれあいサロン (kakuu-salon)",
    ]


def test_a_guide_whose_default_language_is_not_japanese_groups_and_names_in_its_own_language():
    # Two sections the Japanese names apart but English names alike: a guide whose every text has
    # English (its default) groups them as one, and words them in English when the tool speaks English.
    welfare = [Text({"en": "Welfare Section", "ja": name}) for name in ("福祉課（架空A）", "福祉課（架空B）")]
    stale = [
        report.StaleRecord("agency", f"example-{n}", Text({"en": f"Example office {n}"}), owner, date(2025, 1, n), 700 - n)
        for n, owner in enumerate(welfare, 1)
    ]
    checked = report.Report(today=TODAY, stale_after_days=365, stale=stale, missing=[], coverage=[], default_lang="en")
    assert [(owner, len(records)) for owner, records in checked.stale_by_owner()] == [(welfare[0], 2)]
    assert strip_blank_tail(section(render_report(checked, "en"), "■ Records not verified")) == [
        "■ Records not verified for over 365 days (2)",
        "",
        "Welfare Section (2)",
        "  - 2025-01-01 (699 days ago) agency Example office 1 (example-1)",
        "  - 2025-01-02 (698 days ago) agency Example office 2 (example-2)",
    ]


def test_nothing_stale_in_the_fixture(minimal_copy):
    built = build_report(minimal_copy, load(minimal_copy), today=TODAY)
    assert built.stale == []
    assert "■ 最終確認から 365 日を過ぎた記録（0件）\nありません。" in render_report(built, "ja")


# --- missing facts ------------------------------------------------------------------------------


def test_counters_missing_phone_hours_or_address_in_the_fixture(minimal_copy):
    # example-counter: no phone, hours not published, no address; one branch has a phone and an address.
    # kakuu-kakei: phone and hours, but no address.
    text = render_report(build_report(minimal_copy, load(minimal_copy), today=TODAY), "ja")
    assert strip_blank_tail(section(text, "■ 電話番号・受付時間・所在地")) == [
        "■ 電話番号・受付時間・所在地の記載がない窓口（相談機関 2件、拠点 2件）",
        "  - 架空健康窓口（example-counter）：電話番号（拠点にはあり）、受付時間、所在地（拠点にはあり）",
        "  - 架空健康窓口 東第一分室（example-counter/higashi-1）：受付時間",
        "  - 架空健康窓口（西第一）（example-counter/nishi-1）：電話番号、受付時間、所在地",
        "  - 架空家計相談室（kakuu-kakei）：所在地",
    ]


def test_agency_without_voice_phone_or_hours_is_listed(minimal_copy):
    def agencies(data):
        center = record(data, "agencies", "kakuu-soudan-center")
        center["phones"] = [p for p in center["phones"] if p.get("kind") == "fax"]  # a fax is no phone to call
        del center["hours"]
        kakei = record(data, "agencies", "kakuu-kakei")
        del kakei["phones"]  # its service still has a number: not missing

    edit_yaml(minimal_copy, "agencies.yaml", agencies)
    built = build_report(minimal_copy, load(minimal_copy), today=TODAY)
    assert [(m.ref, m.missing) for m in built.missing] == [
        ("kakuu-soudan-center", ["phone", "hours"]),
        ("example-counter", ["phone", "hours", "address"]),
        ("example-counter/higashi-1", ["hours"]),
        ("example-counter/nishi-1", ["phone", "hours", "address"]),
        ("kakuu-kakei", ["address"]),
    ]
    lines = render_report(built, "en").splitlines()
    assert "  - Example Consultation Center (kakuu-soudan-center): phone, hours" in lines
    assert "  - Example Counter (example-counter): phone (given for its branches), hours, address (given for its branches)" in lines
    assert "  - Example Counter (西第一) (example-counter/nishi-1): phone, hours, address" in lines


# --- translation coverage --------------------------------------------------------------------------


def test_translation_coverage_of_the_fixture(minimal_copy):
    # Counted by hand: 3 category names, 3 agency names, 4 service descriptions (2 in English),
    # 3 program names (1 in English) and 56 other texts, 29 of them in English (27 unofficial): of those,
    # the flow's 4 questions and notes and 8 answers, all in unofficial English.
    (english,) = build_report(minimal_copy, load(minimal_copy), today=TODAY).coverage
    assert english.lang == "en"
    assert [(g.group, g.translated, g.total, str(g.percent), g.unofficial) for g in english.groups] == [
        ("categories", 3, 3, "100.0", 3),
        ("agency_names", 3, 3, "100.0", 3),
        ("service_descriptions", 2, 4, "50.0", 2),
        ("program_names", 1, 3, "33.3", 1),
        ("other", 29, 56, "51.8", 27),
    ]


def test_translation_coverage_after_removing_english_texts(minimal_copy):
    def categories(data):
        record(data, "categories", "health")["name"] = {"ja": "健康"}

    def agencies(data):
        record(data, "agencies", "example-counter")["name"] = {"ja": "架空健康窓口"}
        record(data, "agencies", "kakuu-soudan-center")["services"][0]["description"] = {"ja": "生活の困りごと全般の相談"}

    def site(data):
        data["title"] = {"ja": "テスト市 相談窓口ガイド"}

    edit_yaml(minimal_copy, "categories.yaml", categories)
    edit_yaml(minimal_copy, "agencies.yaml", agencies)
    edit_yaml(minimal_copy, "site.yaml", site)
    built = build_report(minimal_copy, load(minimal_copy), today=TODAY)
    lines = render_report(built, "ja").splitlines()
    start = lines.index("English（en）")
    assert lines[start : start + 17] == [
        "English（en）",
        "  - 分野の名前: 2/3（66.7%）、うち非公式 2",
        "    - 未翻訳（1件）",
        "      - categories[health].name",
        "  - 相談機関の名前: 2/3（66.7%）、うち非公式 2",
        "    - 未翻訳（1件）",
        "      - agencies[example-counter].name",
        "  - 相談内容の説明: 1/4（25.0%）、うち非公式 1",
        "    - 未翻訳（3件）",
        "      - agencies[kakuu-soudan-center].services[general].description",
        "      - agencies[kakuu-kakei].services[kakei].description",
        "      - agencies[kakuu-kakei].services[kyufu].description",
        "  - プログラムの名前: 1/3（33.3%）、うち非公式 1",
        "    - 未翻訳（2件）",
        "      - programs[kakuu-kouza].name",
        "      - programs[kakuu-salon].name",
        "  - その他の文章: 28/56（50.0%）、うち非公式 26",
    ]
    other = built.coverage[0].groups[-1]
    assert len(other.missing) == 28
    assert "site.title" in other.missing
    assert "agencies[kakuu-soudan-center].hours.exceptions[2026-12-05].note" in other.missing
    assert "programs[kakuu-kouza].schedule.sessions[2027-01-13].note" in other.missing
    assert lines[start + 17] == "    - 未翻訳（28件）"


def test_percent_is_100_only_when_complete():
    group = report.TextCoverage("other", total=2000, translated=1999)
    assert str(group.percent) == "99.9"
    assert str(report.TextCoverage("other", total=2000, translated=1).percent) == "0.1"


# --- dead links ---------------------------------------------------------------------------------------


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _site(root: Path) -> Path:
    site = root / "site"
    write(
        site / "index.html",
        '<html><head><link rel="stylesheet" href="assets/style.css"><script src="assets/app.js"></script></head><body>'
        '<a href="about/">about</a> <a href="/about/">root-relative</a> <a href="about/index.html#team">team</a>'
        '<a href="https://example.jp/missing/">outside</a> <a href="mailto:soudan@example.jp">mail</a>'
        '<a href="tel:+81-86-900-0001">call</a> <a href="#top">top</a> <img src="data:image/png;base64,AAAA">'
        '<a href="//cdn.example.jp/x.js">cdn</a> <a href="?q=1">search</a></body></html>',
    )
    write(
        site / "about" / "index.html",
        '<a href="../">home</a> <a href="../index.html?from=about">home</a> <a href="../about">self</a>'
        '<a href="../agencies/missing/">gone</a> <img src="../assets/logo%20big.png">',
    )
    write(site / "en" / "404.html", '<a href="/../">home</a> <link href="/assets/style.css">')
    write(site / "assets" / "style.css", "")
    write(site / "assets" / "app.js", "")
    write(site / "assets" / "logo big.png", "")
    return site


def test_dead_internal_link_in_a_built_site(minimal_copy):
    site = _site(minimal_copy)
    built = build_report(minimal_copy, load(minimal_copy), today=TODAY)  # site/ found under the root
    assert built.site_dir == site
    assert built.pages_checked == 3
    assert built.dead_links == [DeadLink("about/index.html", "../agencies/missing/")]
    text = render_report(built, "ja")
    assert strip_blank_tail(section(text, "■ サイト内のリンク切れ")) == [
        "■ サイト内のリンク切れ（1件）",
        f"{site} の 3 ページを確認しました。",
        "  - about/index.html → ../agencies/missing/",
    ]


def test_link_to_a_missing_file_and_a_folder_without_index(tmp_path, minimal_copy):
    site = tmp_path / "elsewhere"
    write(site / "index.html", '<a href="empty/">x</a> <a href="page.html/">y</a> <a href="page.html">z</a>')
    write(site / "page.html", "")
    (site / "empty").mkdir()
    built = build_report(minimal_copy, load(minimal_copy), today=TODAY, site_dir=site)
    assert built.dead_links == [DeadLink("index.html", "empty/"), DeadLink("index.html", "page.html/")]


def test_links_are_read_as_a_browser_reads_tags_not_from_comments_scripts_or_styles(tmp_path, minimal_copy):
    site = tmp_path / "site"
    write(
        site / "index.html",
        "<!DOCTYPE html><html><head><!-- <a href=\"commented/\"> -->"
        "<style>a[href=\"styled/\"] { color: red }</style>"
        "<script src=\"app.js\">var html = '<a href=\"scripted/\">';</script></head><body>"
        "<a title='x > y' HREF='caps&amp;entity.html'>a</a> <a href=unquoted.html>b</a> <a href>no value</a>"
        "<a data-href=\"not-a-link/\" href=\" spaced.html \">c</a> <img src=\"gone.png\"/></body></html>",
    )
    for name in ("app.js", "caps&entity.html", "unquoted.html", "spaced.html"):
        write(site / name, "")
    built = build_report(minimal_copy, load(minimal_copy), today=TODAY, site_dir=site)
    assert built.dead_links == [DeadLink("index.html", "gone.png")]


def test_a_page_made_again_with_the_same_content_is_not_parsed_again(tmp_path, monkeypatch):
    site, cache = tmp_path / "site", tmp_path / "links-cache.json"
    write(site / "index.html", '<a href="page/">page</a>')
    write(site / "page" / "index.html", '<a href="../">home</a>')
    assert dead_links(site, cache) == (2, [])
    parsed = []
    page_links = report._page_links
    monkeypatch.setattr(report, "_page_links", lambda html: parsed.append(html) or page_links(html))
    # a clean build writes every page again: same content, new time
    for page in site.rglob("*.html"):
        os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 10**9))
    assert dead_links(site, cache) == (2, []) and parsed == []
    write(site / "page" / "index.html", '<a href="../gone/">gone</a>')
    assert dead_links(site, cache) == (2, [DeadLink("page/index.html", "../gone/")])
    assert parsed == ['<a href="../gone/">gone</a>']


def test_pages_whose_links_are_known_are_checked_without_reading_them(tmp_path, monkeypatch):
    # The build knows its generated pages' links (its link graph); only the others are read.
    site = tmp_path / "site"
    write(site / "index.html", '<a href="about/">about</a>')
    write(site / "agencies" / "index.html", "<p>made by the generator: never read</p>")
    write(site / "about" / "index.html", '<a href="../gone/">gone</a>')
    parsed = []
    page_links = report._page_links
    monkeypatch.setattr(report, "_page_links", lambda html: parsed.append(html) or page_links(html))
    known = {"agencies/index.html": ["../", "../about/", "../missing/"]}
    assert dead_links(site, known=known) == (3, [DeadLink("about/index.html", "../gone/"), DeadLink("agencies/index.html", "../missing/")])
    assert parsed == ['<a href="../gone/">gone</a>', '<a href="about/">about</a>']


def test_no_site_is_said_not_checked(minimal_copy):
    built = build_report(minimal_copy, load(minimal_copy), today=TODAY)
    assert built.site_dir is None
    assert render_report(built, "ja").splitlines()[-2:] == [
        "■ サイト内のリンク切れ（–件）",
        "作成済みのサイトがないため確認していません（guide build の後に実行するか、--site でフォルダを指定してください）。",
    ]


# --- formats and the command ------------------------------------------------------------------------


def test_markdown(minimal_copy):
    def agencies(data):
        record(data, "agencies", "kakuu-kakei")["name"] = {"ja": "架空|家計相談室"}

    edit_yaml(minimal_copy, "agencies.yaml", agencies)
    text = render_report(build_report(minimal_copy, load(minimal_copy), today=TODAY), "ja", "markdown")
    lines = text.splitlines()
    assert lines[0] == "# 相談窓口ガイドの点検レポート（2026-11-23）"
    assert "## 電話番号・受付時間・所在地の記載がない窓口（相談機関 2件、拠点 2件）" in lines
    assert "- 架空\\|家計相談室（kakuu-kakei）：所在地" in lines
    assert "### English（en）" in lines
    assert "  - 未翻訳（2件）" in lines and "    - `programs[kakuu-kouza].name`" in lines
    # every list is separated from the heading or paragraph after it
    for i, line in enumerate(lines[:-1]):
        if line.lstrip().startswith("- ") and lines[i + 1] and not lines[i + 1].lstrip().startswith("- "):
            pytest.fail(f"no blank line after a list: {lines[i + 1]!r}")


@pytest.fixture
def guide_report(run_guide):
    """`guide report …` as on the command line, on the fixed day."""

    def run(*argv: str):
        return run_guide("report", "--today", TODAY.isoformat(), *argv)

    return run


def test_command_writes_the_report_to_a_file(minimal_copy, guide_report, tmp_path):
    out = tmp_path / "build" / "report.md"
    run = guide_report("--root", minimal_copy, "--format", "markdown", "--output", out)
    assert run.code == 0
    assert run.out == ""
    assert out.read_text(encoding="utf-8").startswith("# 相談窓口ガイドの点検レポート（2026-11-23）\n")


def test_command_on_data_with_errors(minimal_copy, guide_report):
    path = minimal_copy / "data" / "agencies.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"086-900-0001"', '"900-0001"'), encoding="utf-8")
    run = guide_report("--root", minimal_copy)
    assert run.code == 1
    assert run.err.splitlines()[0].startswith("data/agencies.yaml:33:17: ")


def test_command_with_a_missing_site_folder(minimal_copy, guide_report, tmp_path):
    run = guide_report("--root", minimal_copy, "--site", tmp_path / "nowhere")
    assert run.code == 2
    assert "フォルダがありません" in run.err


# --- dead ends -------------------------------------------------------------------------------------------


def test_every_counter_without_a_number_is_listed_by_responsible_section_with_where_its_page_sends_residents(minimal_copy):
    """example-counter and its branch nishi-1 have no number (higashi-1 has one).  Once in the hub's
    concern, the report says its page sends residents to the hub; on the annex, that the number is there."""
    text = render_report(build_report(minimal_copy, load(minimal_copy), today=TODAY))
    assert strip_blank_tail(section(text, "■ 電話番号のない窓口")) == [
        "■ 電話番号のない窓口（担当課ごと）（2件）",
        "",
        "担当課の記載なし（2件）",
        "  - 架空健康窓口（example-counter）：資料に番号がなく、同じ分野に案内できる窓口もありません",
        "  - 架空健康窓口（西第一）（example-counter/nishi-1）：資料に番号がなく、同じ分野に案内できる窓口もありません",
    ]

    def in_the_hubs_concern(data):
        agency = record(data, "agencies", "example-counter")
        agency["services"][0]["categories"] = ["health", "soudan"]
        agency["owner"] = {"ja": "架空保健課"}
        agency["branches"][1]["annex"] = {"document": "test-list-2026", "section": "別表 分室一覧"}

    edit_yaml(minimal_copy, "agencies.yaml", in_the_hubs_concern)
    text = render_report(build_report(minimal_copy, load(minimal_copy), today=TODAY))
    assert strip_blank_tail(section(text, "■ 電話番号のない窓口"))[2:] == [
        "架空保健課（2件）",
        "  - 架空健康窓口（example-counter）：資料に番号がありません。ページでは 架空相談センター を案内しています",
        "  - 架空健康窓口（西第一）（example-counter/nishi-1）：番号は相談機関一覧の別紙にあります。このガイドに載せてください",
    ]


# --- the real data -------------------------------------------------------------------------------------


def test_report_on_the_real_data_covers_every_agency_without_phone(tmp_path, guide_report):
    guide = load_guide(REPO, today=TODAY).guide
    assert guide is not None
    built = build_report(REPO, guide, today=TODAY, site_dir=tmp_path)  # not site/: another build may be writing it
    without_phone = {
        a.id
        for a in guide.agencies
        if not any(p.kind == "voice" for p in a.phones) and not any(p.kind == "voice" for s in a.services for p in s.phones)
    }
    listed = {m.agency_id for m in built.missing if m.branch_id is None and "phone" in m.missing}
    assert listed == without_phone
    assert {d.agency_id for d in built.dead_ends} == without_phone
    for lang, ref in (("ja", "（{}）："), ("en", " ({}): ")):
        _title, _confirm, dead_ends_section, _stale, missing_section, *_rest = render_report(built, lang).split("■ ")
        for agency_id in without_phone:
            assert ref.format(agency_id) in missing_section
            assert ref.format(agency_id) in dead_ends_section
    run = guide_report("--root", REPO, "--site", tmp_path, "--lang", "en")
    assert run.code == 0
    assert run.out.startswith("Guide check report (2026-11-23)\n")


def test_wired_into_guide_command(minimal_copy, run_guide):
    """`guide report` on the command line is the same command."""
    run = run_guide("report", "--root", minimal_copy, "--today", TODAY.isoformat())
    assert run.code == 0
    assert run.out.startswith("相談窓口ガイドの点検レポート（2026-11-23）\n")


def test_i18n_option_prints_only_the_translation_coverage(minimal_copy, run_guide):
    run = run_guide("report", "--i18n", "--root", minimal_copy, "--today", TODAY.isoformat(), "--lang", "en")
    assert run.code == 0
    assert "Translation coverage" in run.out
    assert "last verified" not in run.out.lower() and "dead links" not in run.out.lower()


# --- to confirm with the city ------------------------------------------------------------------


def test_nothing_to_confirm_in_the_fixture(minimal_copy):
    text = render_report(build_report(minimal_copy, load(minimal_copy), today=TODAY))
    assert section(text, "■ 市に確認すること")[:2] == ["■ 市に確認すること（0件）", "ありません。"]


def test_doubts_written_on_records_are_listed_to_confirm_with_the_city(minimal_copy):
    def agencies(data):
        record(data, "agencies", "kakuu-kakei")["to_confirm"] = "受付時間は資料により異なる"

    def site(data):
        data["city"]["year_end_closure"]["to_confirm"] = "年末年始の休みの根拠"

    edit_yaml(minimal_copy, "agencies.yaml", agencies)
    edit_yaml(minimal_copy, "site.yaml", site)
    guide = load(minimal_copy)
    name = next(a for a in guide.agencies if a.id == "kakuu-kakei").name.get("ja")
    text = render_report(build_report(minimal_copy, guide, today=TODAY))
    assert strip_blank_tail(section(text, "■ 市に確認すること")) == [
        "■ 市に確認すること（2件）",
        f"  - {name}（data/agencies.yaml kakuu-kakei）：受付時間は資料により異なる",  # a number residents call: first
        "  - data/site.yaml city.year_end_closure：年末年始の休みの根拠",
    ]
    english = render_report(build_report(minimal_copy, guide, today=TODAY), "en", "markdown")
    assert "## To confirm with the city (2)" in english
