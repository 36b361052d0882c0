"""`guide new`: a new city's guide that checks and builds at once — and the walkthrough of CONTRIBUTING's
「新しい市のガイドを始める」 performed end to end: new → import a spreadsheet → check → build → a browser."""

import functools
import http.server
import subprocess
import sys
import threading

import pytest
from openpyxl import Workbook
from conftest import PHONE, TODAY, _QuietHandler

CITY = ["--city", "架空市", "--prefecture", "架空県", "--phone", "0869-00-1000", "--web", "https://city.example.jp/", "--code", "999997"]


@pytest.fixture
def new_guide(tmp_path, run_guide):
    root = tmp_path / "kakuu"
    result = run_guide("new", root, *CITY, "--languages", "ja,en", "--city-en", "Kakuu City")
    assert result.code == 0, result.err
    return root


def test_a_new_guide_passes_check_and_warns_of_each_example_until_it_is_replaced(new_guide, run_guide):
    result = run_guide("check", "--root", new_guide, "--today", TODAY, "--lang", "en")
    assert result.code == 0, result.err
    examples = [line for line in result.problem_lines if "is an example that guide new wrote" in line]
    assert len(examples) == 8 + 3 + 4  # the starting categories, audiences and program kinds
    assert examples[0].startswith("data/categories.yaml:") and "'medical'" in examples[0]
    assert result.summary_line == "OK (15 warnings)"
    categories = new_guide / "data" / "categories.yaml"
    categories.write_text(categories.read_text(encoding="utf-8").replace("example: true, ", "").replace("    example: true\n", ""), encoding="utf-8")
    assert run_guide("check", "--root", new_guide, "--today", TODAY).err.strip() == "OK（警告 0 件）"


def test_a_new_guide_needs_no_main_number(tmp_path, run_guide):
    """Some documents give no 代表電話: the guide starts without one, and without an area code."""
    root = tmp_path / "x"
    result = run_guide("new", root, *CITY[:4], *CITY[6:])
    assert result.code == 0, result.err
    assert "phone_area_code:" not in (root / "data" / "site.yaml").read_text(encoding="utf-8").replace("# phone_area_code", "")
    assert "代表電話" not in (root / "content" / "ja" / "about.md").read_text(encoding="utf-8")
    assert run_guide("check", "--root", root, "--today", TODAY).code == 0


def test_a_new_guide_keeps_only_its_own_words_and_speaks_the_generators(new_guide, run_guide):
    """locale/ is the guide's own: the generator's catalogs are not copied, and its words still reach the guide."""
    assert not (new_guide / "locale").exists()
    result = run_guide("check", "--root", new_guide, "--today", TODAY)
    assert "guide new が書いた例" in result.err  # a message of the generator's catalog, in Japanese


def test_the_new_guides_folder_runs_the_generators_guide_tests(new_guide):
    collected = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q"], cwd=new_guide, capture_output=True, text=True, check=False)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "no tests ran" not in collected.stdout
    tests = [line for line in collected.stdout.splitlines() if "::" in line]
    assert sum(t.endswith("[guide]") for t in tests) >= 5  # test_guide.py and test_search_cases.py, on this guide
    assert not any("[minimal]" in t or "[small]" in t for t in tests)  # this guide's, not the generator's fixtures


def test_every_data_file_says_what_to_fill_in(new_guide):
    for name in ("site", "areas", "categories", "sources", "agencies", "programs", "private.example", "search-cases"):
        text = (new_guide / "data" / f"{name}.yaml").read_text(encoding="utf-8")
        comments = [line for line in text.splitlines() if line.lstrip().startswith("#") and "schema" not in line]
        assert comments, name
    categories = (new_guide / "data" / "categories.yaml").read_text(encoding="utf-8")
    assert "市の事実ではありません" in categories  # the starting set is offered, not stated as the city's
    site = (new_guide / "data" / "site.yaml").read_text(encoding="utf-8")
    assert 'phone_area_code: "0869"' in site and '"999997"' in site
    assert "架空市全域" in (new_guide / "data" / "areas.yaml").read_text(encoding="utf-8")


def test_content_pages_exist_in_each_language_and_private_data_is_ignored(new_guide):
    for lang in ("ja", "en"):
        assert (new_guide / "content" / lang / "about.md").is_file()
    assert "0869-00-1000" in (new_guide / "content" / "ja" / "about.md").read_text(encoding="utf-8")
    assert "/data/private.yaml" in (new_guide / ".gitignore").read_text(encoding="utf-8")


def test_it_never_writes_over_a_guide(new_guide, run_guide):
    result = run_guide("new", new_guide, *CITY)
    assert result.code == 2
    assert "data/" in result.err and "Traceback" not in result.err


def test_missing_answers_are_named(tmp_path, run_guide):
    result = run_guide("new", tmp_path / "x", "--city", "架空市")
    assert result.code == 2
    assert "--prefecture" in result.err and "--web" in result.err
    assert "--phone" not in result.err  # some documents give no 代表電話
    assert not (tmp_path / "x").exists()


def test_a_wrong_main_number_is_a_message(tmp_path, run_guide):
    result = run_guide("new", tmp_path / "x", *CITY[:4], "--phone", "12345", *CITY[6:])
    assert result.code == 2 and "12345" in result.err


# --- the walkthrough: CONTRIBUTING.md 「新しい市のガイドを始める」 -------------------------------------

AGENCY_ROWS = [
    ["No.", "分野", "相談項目", "機関名", "所在地", "電話", "内線", "受付時間", "担当者"],
    ["1", "介護", "介護保険の申請", "架空市役所 架空介護課", "架空町1-1", "0869-00-1001", "1234", "平日 8:30~17:15", "架空一郎"],
    ["2", "介護", "認知症の相談", "架空市役所 架空介護課", "架空町1-1", "0869-00-1001", "1235", "平日 8:30~17:15", "架空二郎"],
    ["3", "子育て", "子育ての相談", "架空こども相談室", "架空町2-2", "0869-00-1002", "", "月～金 9時～16時（土日祝・年末年始休み）", ""],
]

PROGRAM_ROWS = [
    ["名称", "種類", "会場", "日程", "問い合わせ先"],
    ["架空いきいき体操", "体操・運動", "架空公民館", "毎週水 10:00～11:30", "架空こども相談室"],
]


@pytest.mark.slow
@pytest.mark.browser
def test_walkthrough_new_import_check_build_and_browse(tmp_path, run_guide, browser):
    root = tmp_path / "kakuu"
    assert run_guide("new", root, *CITY).code == 0
    sheet = tmp_path / "相談機関一覧.csv"
    sheet.write_bytes("\r\n".join(",".join(row) for row in AGENCY_ROWS).encode("cp932"))
    imported = run_guide("import", "agencies", sheet, "--root", root, "--verified", "2026-11-01")
    assert imported.code == 0, imported.err
    assert "Shift_JIS" in imported.err
    assert "年末年始に休むかどうかが書かれていません（1 件）" in imported.err  # 平日 does not say whether the year-end closure applies: said once
    assert "相談機関の追加（2件）" in imported.out
    assert "架空一郎" in (root / "data" / "private.yaml").read_text(encoding="utf-8")
    assert "架空一郎" not in (root / "data" / "agencies.yaml").read_text(encoding="utf-8")
    programs = tmp_path / "教室一覧.xlsx"
    book = Workbook()
    for row in PROGRAM_ROWS:
        book.active.append(row)
    book.save(programs)
    assert run_guide("import", "programs", programs, "--root", root, "--verified", "2026-11-01").code == 0
    assert run_guide("check", "--root", root, "--today", TODAY).code == 0
    built = run_guide("build", "--root", root, "--today", TODAY, "--skip-handouts")
    assert built.code == 0, built.err

    handler = functools.partial(_QuietHandler, directory=str(root / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    context = browser.new_context(viewport=PHONE, locale="ja-JP", timezone_id="Asia/Tokyo")
    outside = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else (outside.append(route.request.url), route.abort()))
    try:
        page = context.new_page()
        page.goto(url + "agencies/")
        page.get_by_role("link", name="架空こども相談室").click()
        assert page.get_by_role("link", name="0869-00-1002").first.get_attribute("href").startswith("tel:+81")
        page.get_by_text("9:00–16:00").first.wait_for()
        page.goto(url + "programs/")
        page.get_by_role("link", name="架空いきいき体操").click()
        page.get_by_text("架空公民館").first.wait_for()  # the program's page, once it has loaded
        html = "".join(p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.html"))
        assert "架空一郎" not in html and "架空二郎" not in html
    finally:
        context.close()
        server.shutdown()
    assert outside == []


def test_at_a_terminal_it_asks_for_what_is_missing(tmp_path, run_guide, monkeypatch):
    answers = iter(["架空市", "架空県", "0869-00-1000", "https://city.example.jp/"])
    asked = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or next(answers))
    result = run_guide("new", tmp_path / "asked", "--code", "999997", "--lang", "en")
    assert result.code == 0, result.err
    assert asked == ["City name (e.g. 〇〇市): ", "Prefecture (e.g. 〇〇県): ", "City's main phone number (代表電話; leave empty if the documents give none): ", "City's web address: "]
    assert "架空市" in (tmp_path / "asked" / "data" / "site.yaml").read_text(encoding="utf-8")


def test_what_was_given_is_checked_as_guide_check_checks_it(tmp_path, run_guide):
    result = run_guide("new", tmp_path / "x", *CITY[:8], "--code", "12345")
    assert result.code == 1
    assert "data/site.yaml:" in result.err and "12345" in result.err
