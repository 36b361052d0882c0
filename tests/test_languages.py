"""Languages: the English edition mirrors the Japanese one, and a new language is a data change only."""

import re
from pathlib import Path

import pytest

from guide.cli import main
from guide.load import load_guide
from guide.pages import plan_pages

from conftest import TODAY, copy_guide


def page_paths(base: Path, exclude: set[str] = frozenset()) -> set[str]:
    pages = (p.relative_to(base) for p in base.rglob("index.html"))
    return {str(p) for p in pages if p.parts[0] not in exclude}


def test_english_edition_has_every_page_at_the_same_address(built):
    site = built / "site"
    assert page_paths(site, exclude={"en"}) == page_paths(site / "en")


def test_a_text_missing_in_english_falls_back_to_japanese_visibly(built):
    html = (built / "site" / "en" / "agencies" / "kakuu-soudan-center" / "index.html").read_text(encoding="utf-8")
    # The parent organisation has no English text in the data: shown in Japanese, marked so.
    assert re.search(r'<span lang="ja">テスト市福祉局</span> <small class="fallback-note">\(Japanese only\)</small>', html)


def test_english_addresses_read_small_to_large(built):
    html = (built / "site" / "en" / "agencies" / "kakuu-soudan-center" / "index.html").read_text(encoding="utf-8")
    assert "Test Hall 2F, 架空町一丁目1-1, Test East Ward, Test City, Example Prefecture 000-0001" in html


@pytest.mark.slow
def test_adding_a_language_needs_only_data_a_catalog_and_optional_translations(tmp_path):
    root = copy_guide(tmp_path / "guide")
    site_yaml = root / "data" / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text(encoding="utf-8").replace(
            "  - {code: en, name: English}\n", "  - {code: en, name: English}\n  - {code: ko, name: 한국어}\n"
        ),
        encoding="utf-8",
    )
    # A deliberately partial catalog: untranslated UI strings show their English ids.
    (root / "locale" / "ko.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: ko\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Opening hours"\nmsgstr "접수 시간"\n\nmsgid "Japanese only"\nmsgstr "일본어만"\n',
        encoding="utf-8",
    )
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0

    guide = load_guide(root).guide
    for page in plan_pages(guide):
        html = (root / "site" / "ko" / page.path / "index.html").read_text(encoding="utf-8")
        assert '<html lang="ko"' in html, page.path
        title = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
        assert title and title.group(1).strip(), f"blank title on {page.path}"
    agency = (root / "site" / "ko" / "agencies" / "kakuu-soudan-center" / "index.html").read_text(encoding="utf-8")
    assert "접수 시간" in agency  # from the new catalog
    assert '<h1><span lang="ja">架空相談センター</span> <small class="fallback-note">(일본어만)</small></h1>' in agency
    assert "Last verified" in agency  # no translation yet: the English id, never blank
    # The other editions link to the new one from every page.
    assert 'hreflang="ko"' in (root / "site" / "index.html").read_text(encoding="utf-8")
