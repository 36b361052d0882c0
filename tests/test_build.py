"""`guide build`: every page from the data, both editions, nothing third-party, nothing staff-only, never half a site."""

import re
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from guide.cli import main

from conftest import STAFF_EXTENSION, STAFF_NAME, TODAY, copy_guide, edit_data

pytestmark = pytest.mark.slow  # every test here builds a site, a preview or handouts


def site_files(root: Path):
    return [p for p in (root / "site").rglob("*") if p.is_file()]


def test_every_record_has_a_page_in_both_editions(built):
    from guide.load import load_guide
    from guide.pages import plan_pages

    guide = load_guide(built).guide
    for prefix in ("", "en/"):
        for page in plan_pages(guide):
            assert (built / "site" / prefix / page.path / "index.html").is_file(), prefix + page.path


def test_record_pages_stay_out_of_the_navigation(built):
    html = (built / "site" / "index.html").read_text(encoding="utf-8")
    nav = html[html.index("md-sidebar--primary") : html.index('class="md-content"')]
    assert "agencies/kakuu-soudan-center/" not in nav
    assert "agencies/" in nav


def test_html_lang_and_language_switcher_keep_the_page(built):
    ja = (built / "site" / "agencies" / "kakuu-soudan-center" / "index.html").read_text(encoding="utf-8")
    en = (built / "site" / "en" / "agencies" / "kakuu-soudan-center" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ja"' in ja and '<html lang="en"' in en
    assert 'class="lang-switch__link" href="../../en/agencies/kakuu-soudan-center/"' in ja
    assert 'class="lang-switch__link" href="../../../agencies/kakuu-soudan-center/"' in en


def test_agency_page_has_tel_link_hours_table_map_link_and_source(built):
    html = (built / "site" / "agencies" / "kakuu-soudan-center" / "index.html").read_text(encoding="utf-8")
    assert 'href="tel:+81-86-900-0001"' in html
    assert '<table class="hours-table">' in html and "8:30–17:15" in html
    assert "年末年始（12/29～1/3）" in html
    assert "https://www.openstreetmap.org/search?query=" in html
    assert "最終確認日" in html and "相談機関一覧 No.1" in html
    assert "対応言語: 日本語、英語" in html  # the counter's languages by name, not "ja, en"


def test_unknown_facts_say_not_listed(built):
    # A branch the documents give no address or phone for.
    html = (built / "site" / "agencies" / "example-counter" / "nishi-1" / "index.html").read_text(encoding="utf-8")
    assert "記載なし" in html


def test_no_page_requests_anything_from_another_site(built):
    # Links a resident may follow (OpenStreetMap) are fine; nothing may be loaded from elsewhere.
    # (A canonical or alternate link names the page's own public address: nothing is loaded.)
    loads = re.compile(r'<(?:script|img|iframe|source|video|audio)\b[^>]*\bsrc="(https?:)?//|<link\b(?![^>]*rel="(?:canonical|alternate)")[^>]*\bhref="(https?:)?//', re.I)
    for path in site_files(built):
        if path.suffix in {".html", ".css", ".js"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not loads.search(text), path
            assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, path
            assert "googletagmanager" not in text, path


def published_text(path: Path) -> str:
    """What a reader of the file sees: a PDF's extracted text (its streams are compressed), else the file."""
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return path.read_bytes().decode("utf-8", errors="replace")


def test_no_staff_only_value_reaches_the_site(built):
    from guide.load import load_guide

    guide = load_guide(built).guide
    pdfs = [p for p in site_files(built) if p.suffix == ".pdf"]
    # The handouts are part of the site: the list, each concern and smallest area twice (normal and large), each program.
    per_edition = 1 + 2 * len(guide.taxonomy.categories) + 2 * len(guide.areas.leaves()) + len(guide.programs)
    assert len(pdfs) == per_edition * len(guide.site.languages)
    assert "架空相談センター" in published_text(built / "site" / "handouts" / "agency-list.pdf")
    for path in site_files(built):
        text = published_text(path)
        assert STAFF_EXTENSION not in text, path
        assert STAFF_NAME not in text, path


def test_every_internal_link_resolves_including_the_printed_handouts(built):
    from guide import report
    from guide.load import load_guide
    from guide.pages import plan_pages

    guide = load_guide(built).guide
    checked = report.build_report(built, guide, today=date.fromisoformat(TODAY), site_dir=built / "site")
    assert checked.pages_checked >= len(list(plan_pages(guide))) * len(guide.site.languages)
    assert checked.dead_links == []
    html = (built / "site" / "categories" / "debt" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../handouts/category-debt-large.pdf"' in html


def test_the_link_graph_the_report_checks_holds_every_link_of_the_generated_pages(built):
    # The build's dead-link report takes a generated page's links from the generator, not from its HTML.
    from guide import build, report
    from guide.editions import Edition
    from guide.load import load_guide

    guide = load_guide(built).guide
    editions = Edition.all_for(guide)
    links: dict[str, list[str]] = {}
    for edition in editions:
        build.generate(built, guide, edition, editions, date.fromisoformat(TODAY), links=links)
    assert "agencies/kakuu-soudan-center/index.html" in links and "en/agencies/kakuu-soudan-center/index.html" in links
    assert "slip/entries/kakuu-kakei.html" in links and "en/slip/entries/kakuu-kakei.html" in links
    for name, page_links in links.items():
        html = (built / "site" / name).read_text(encoding="utf-8")
        if "slip/entries/" in name:  # a file of its own, not a page: nothing in it links within the site
            assert page_links == [] and not [link for link in report._page_links(html) if report._is_internal(link)], name
            continue
        content = html[html.index('<article class="md-content__inner'):html.index("</article>")]
        in_content = [link.split("#")[0] or link for link in report._page_links(content) if report._is_internal(link)]
        assert set(in_content) <= set(page_links), name
        # beyond href and src, the graph has the addresses the finder's form and script are given
        for link in set(page_links) - set(in_content):
            assert f'="{link}"' in content, (name, link)


def test_the_build_reports_a_dead_link_of_a_hand_written_page(tmp_path):
    root = copy_guide(tmp_path / "guide")
    about = root / "content" / "ja" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n[架空のページ](../no-such-page/)\n", encoding="utf-8")
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    assert "- about/index.html → ../no-such-page/" in (root / "build" / "report.md").read_text(encoding="utf-8").replace("\\", "")


def test_the_themes_compiled_templates_are_kept_for_the_next_build(built):
    # MkDocs compiles its theme afresh in every run unless its Jinja environment is given the build's cache.
    import jinja2
    from mkdocs.config import load_config

    theme = load_config(config_file=str(built / "build" / "mkdocs.ja.yml")).theme.get_env()
    _source, filename, _uptodate = theme.loader.get_source(theme, "main.html")
    cache = jinja2.FileSystemBytecodeCache(str(built / "build" / "templates-cache"))
    assert (built / "build" / "templates-cache" / f"__jinja2_{cache.get_cache_key('main.html', filename)}.cache").is_file()


def test_a_handout_printed_in_parts_is_linked_part_by_part_where_the_page_meets_the_split(tmp_path, monkeypatch):
    from guide import queries, report
    from guide.load import load_guide

    monkeypatch.setattr(queries, "LIST_ROWS", 1)  # as if the guide had hundreds of agencies
    monkeypatch.setattr(queries, "AREA_ENTRIES", 1)  # higashi-1 has two places: as if it had hundreds
    root = copy_guide(tmp_path / "guide")
    assert main(["build", "--root", str(root), "--today", TODAY]) == 0
    site = root / "site"

    def hrefs(page: str) -> list[str]:
        return re.findall(r'href="([^"]*handouts/[^"]*)"', (site / page).read_text(encoding="utf-8"))

    # the area's page: its contents sheet, and each part
    area = hrefs("areas/higashi-1/index.html")
    assert {f"../../handouts/area-higashi-1{part}.pdf" for part in ("", "--soudan", "--health", "--programs")} <= set(area), area
    # the list of agencies: its contents sheet and each concern's part; a concern's page: its own part
    assert {"../handouts/agency-list.pdf", "../handouts/agency-list--soudan.pdf", "../handouts/agency-list--debt.pdf"} <= set(hrefs("agencies/index.html"))
    assert "../../handouts/agency-list--debt.pdf" in hrefs("categories/debt/index.html")
    assert "../../handouts/agency-list--soudan.pdf" not in hrefs("categories/debt/index.html")
    assert "分冊" in (site / "areas" / "higashi-1" / "index.html").read_text(encoding="utf-8")
    assert "Printed in parts" in (site / "en" / "areas" / "higashi-1" / "index.html").read_text(encoding="utf-8")
    # every part linked was printed
    checked = report.build_report(root, load_guide(root).guide, today=date.fromisoformat(TODAY), site_dir=site)
    assert checked.dead_links == []


def test_the_previous_site_is_removed_after_the_build_without_the_build_waiting_for_it(tmp_path):
    root = copy_guide(tmp_path / "guide")
    for _ in range(2):
        assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts", "--clean"]) == 0
    discarded = root / "build" / "discarded"
    deadline = time.monotonic() + 30
    while any(discarded.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(discarded.iterdir())
    assert (root / "site" / "index.html").is_file()


def test_a_failed_build_leaves_the_previous_site_untouched(built, tmp_path):
    root = copy_guide(tmp_path / "guide")
    shutil.copytree(built / "site", root / "site")
    before = {p.relative_to(root): p.read_bytes() for p in site_files(root)}
    agencies = root / "data" / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8").replace('"086-900-0001"', '"900-0001"'), encoding="utf-8")
    assert main(["build", "--root", str(root), "--today", TODAY]) == 1
    assert {p.relative_to(root): p.read_bytes() for p in site_files(root)} == before


def test_a_broken_theme_override_fails_without_touching_the_site(built, tmp_path, capsys):
    root = copy_guide(tmp_path / "guide")
    shutil.copytree(built / "site", root / "site")
    before = (root / "site" / "index.html").read_bytes()
    (root / "overrides" / "main.html").write_text("{% extends 'base.html' %}{% block extrahead %}{{ super( }}{% endblock %}")
    assert main(["build", "--root", str(root), "--today", TODAY]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert (root / "site" / "index.html").read_bytes() == before


def test_a_missing_theme_folder_is_a_message_not_a_traceback(built, tmp_path, capsys):
    root = copy_guide(tmp_path / "guide")
    shutil.copytree(built / "site", root / "site")
    before = (root / "site" / "index.html").read_bytes()
    shutil.rmtree(root / "overrides")  # MkDocs refuses the configuration itself: there is no page to blame
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "UnboundLocalError" not in err and "custom_dir" in err
    assert (root / "site" / "index.html").read_bytes() == before


def test_the_build_warns_when_the_holiday_table_runs_out(tmp_path, capsys):
    root = copy_guide(tmp_path / "guide")
    # The holidays package knows Japanese holidays up to 2099; the badge needs two years ahead.
    assert main(["build", "--root", str(root), "--today", "2098-06-01", "--skip-handouts"]) == 0
    assert "data/site.yaml:1:1: 警告: 祝日の表は 2099 年までです（holidays パッケージを更新してください）" in capsys.readouterr().err


def test_the_required_language_is_the_default_edition_wherever_site_yaml_lists_it(tmp_path):
    root = edit_data(copy_guide(tmp_path / "guide"), {"site.yaml": [(
        "  - {code: ja, name: 日本語, required: true}\n  - {code: en, name: English}\n",
        "  - {code: en, name: English}\n  - {code: ja, name: 日本語, required: true}\n",
    )]})
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    assert '<html lang="ja"' in (root / "site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in (root / "site" / "en" / "index.html").read_text(encoding="utf-8")
    # a page written only in the default language is shown in it in the other edition
    assert "編集の手引き" in (root / "site" / "en" / "editing" / "index.html").read_text(encoding="utf-8")
    assert (root / "build" / "report.md").read_text(encoding="utf-8").startswith("# 相談窓口ガイドの点検レポート")  # in the default language


def test_the_deployment_can_give_the_public_address(tmp_path, monkeypatch):
    root = copy_guide(tmp_path / "guide")
    monkeypatch.setenv("GUIDE_SITE_URL", "https://guide.example.jp/")
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    html = (root / "site" / "en" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://guide.example.jp/en/">' in html


def test_numbers_given_per_service_are_in_the_contact_block_with_what_they_are_for(tmp_path):
    # An agency that publishes one number per kind of consultation and none of its own.
    root = copy_guide(tmp_path / "guide")
    agencies = root / "data" / "agencies.yaml"
    text = agencies.read_text(encoding="utf-8")
    own = '    phones:\n      - number: "086-900-0021"\n'
    assert own in text
    text = text.replace(own, "").replace(
        "        description: {ja: 給付金の手続きの案内}\n",
        '        description: {ja: 給付金の手続きの案内}\n        phones:\n          - number: "086-900-0022"\n',
    )
    agencies.write_text(text, encoding="utf-8")
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    html = (root / "site" / "agencies" / "kakuu-kakei" / "index.html").read_text(encoding="utf-8")
    contact = html[html.index('id="contact"') : html.index('id="services"')]
    assert re.search(r"家計と借金の相談[^<]*</span><br><a class=\"phone\" href=\"tel:\+81-120-000-001\">", contact)
    assert re.search(r"給付金の手続きの案内[^<]*</span><br><a class=\"phone\" href=\"tel:\+81-86-900-0022\">", contact)
    assert "記載なし" not in contact.split("所在地")[0]


# --- a build that starts from the last good one -------------------------------------------------


@pytest.fixture
def build_guide(run_guide):
    """`guide build --skip-handouts` on a guide; its messages."""

    def build(root: Path, *options: str) -> str:
        run = run_guide("build", "--root", root, "--today", TODAY, "--skip-handouts", *options)
        assert run.code == 0, run.err
        return run.err

    return build


def _html(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root / "site").as_posix(): p.read_bytes() for p in site_files(root) if p.suffix == ".html"}


def test_after_an_edit_only_the_pages_that_show_it_are_made_again_and_the_site_is_as_a_clean_build_makes_it(tmp_path, build_guide):
    root = copy_guide(tmp_path / "guide")
    first = build_guide(root)
    assert "作り直したページ" not in first  # nothing to start from
    page = root / "site" / "agencies" / "kakuu-soudan-center" / "index.html"
    untouched = root / "site" / "programs" / "index.html"  # lists programs, not phone numbers
    before = untouched.stat().st_mtime_ns

    agencies = root / "data" / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8").replace('"086-900-0001"', '"086-900-0009"'), encoding="utf-8")
    again = build_guide(root)

    made = int(re.search(r"作り直したページ: ([0-9]+) 件", again)[1])
    pages = sum(1 for _ in (root / "build" / "docs").rglob("*.md"))
    assert 0 < made < pages / 2  # the record's own page and the lists that show it, in each edition
    assert "086-900-0009" in page.read_text(encoding="utf-8")
    assert "086-900-0009" in (root / "site" / "en" / "agencies" / "kakuu-soudan-center" / "index.html").read_text(encoding="utf-8")
    assert untouched.stat().st_mtime_ns == before  # kept from the last build, not made again
    kept = _html(root)

    build_guide(root, "--clean")
    assert _html(root) == kept


def test_a_new_page_title_is_in_every_page_s_navigation(tmp_path, build_guide):
    root = copy_guide(tmp_path / "guide")
    build_guide(root)
    about = root / "content" / "ja" / "about.md"
    about.write_text(about.read_text(encoding="utf-8").replace("title: このガイドについて", "title: ガイドの説明"), encoding="utf-8")
    build_guide(root)

    # The Japanese navigation changed: every Japanese page is made again (the English about page is its own).
    for path in ("index.html", "agencies/kakuu-soudan-center/index.html", "programs/index.html"):
        assert "ガイドの説明" in (root / "site" / path).read_text(encoding="utf-8"), path


def test_a_record_taken_out_takes_its_pages_with_it(tmp_path, build_guide):
    import yaml

    root = copy_guide(tmp_path / "guide")
    agencies = root / "data" / "agencies.yaml"
    original = agencies.read_text(encoding="utf-8")
    records = yaml.safe_load(original)
    extra = dict(records["agencies"][-1], id="kakuu-rinji-madoguchi")
    extra.pop("hub", None)
    agencies.write_text(yaml.safe_dump({"agencies": [*records["agencies"], extra]}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build_guide(root)
    assert (root / "site" / "agencies" / "kakuu-rinji-madoguchi" / "index.html").is_file()

    agencies.write_text(original, encoding="utf-8")
    build_guide(root)
    assert not (root / "site" / "agencies" / "kakuu-rinji-madoguchi").exists()
    assert not (root / "site" / "en" / "agencies" / "kakuu-rinji-madoguchi").exists()


def test_a_site_that_is_not_what_the_last_build_left_is_made_whole_again(tmp_path, build_guide):
    root = copy_guide(tmp_path / "guide")
    build_guide(root)
    (root / "site" / "stray.html").write_text("<p>written by hand</p>", encoding="utf-8")
    build_guide(root)  # the Japanese edition is made whole again
    assert not (root / "site" / "stray.html").exists()
    (root / "site" / "en" / "stray.html").write_text("<p>written by hand</p>", encoding="utf-8")
    build_guide(root)  # the Japanese edition is kept, not the English one
    assert not (root / "site" / "en" / "stray.html").exists()
    assert "作り直したページ: 0 件" in build_guide(root)
    assert "作り直したページ" not in build_guide(root, "--clean")


def test_a_change_to_the_theme_is_on_every_page_at_once(tmp_path, build_guide):
    root = copy_guide(tmp_path / "guide")
    build_guide(root)
    main_html = root / "overrides" / "main.html"
    text = main_html.read_text(encoding="utf-8")
    main_html.write_text(text.replace("{% block header %}", "{% block header %}<!-- the theme changed -->", 1), encoding="utf-8")
    assert "作り直したページ" not in build_guide(root)  # overrides/ is part of every page's frame

    # Every page MkDocs framed (the slip's entry files are fragments the slip fetches, not framed by the theme).
    pages = [p for p in site_files(root) if p.suffix == ".html" and p.parent.name != "entries"]
    assert pages and all("<!-- the theme changed -->" in p.read_text(encoding="utf-8") for p in pages)
