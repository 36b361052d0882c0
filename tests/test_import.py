"""`guide import`: a city's own spreadsheet into records — every row a record or a located message.

The sheets are made here, with obviously fictional names and numbers."""

import errno
import os
import re
import subprocess

import pytest
from openpyxl import Workbook

from guide.importer import make_id
from guide.spreadsheet import HOLIDAYS_UNSTATED, parse_hours, split_extension
from guide.load import load_guide

from conftest import TODAY, copy_guide

VERIFIED = ("--verified", "2026-11-01")  # the sheets made here give no date of their own
CITY = ["--city", "架空市", "--prefecture", "架空県", "--phone", "0869-00-1000", "--web", "https://city.example.jp/", "--code", "999997"]


@pytest.fixture
def root(tmp_path, run_guide):
    guide = tmp_path / "kakuu"
    assert run_guide("new", guide, *CITY).code == 0
    return guide


def write_csv(path, rows, encoding="utf-8"):
    path.write_bytes("\r\n".join(",".join(row) for row in rows).encode(encoding))
    return path


HEADER = ["No.", "分野", "相談項目", "機関名", "電話", "内線", "受付時間", "担当者（主）", "担当者（副）"]
ROWS = [
    HEADER,
    ["1", "介護", "介護保険の申請", "架空介護課", "0869-00-2001", "2001", "月～金 8:30～17:15（祝日・年末年始休み）", "架空一郎", "架空花子"],
    ["2", "介護", "認知症の相談", "架空介護課", "0869-00-2001", "", "月～金 8:30～17:15（祝日・年末年始休み）", "", ""],
    ["3", "子育て", "子育ての相談", "架空こども相談室", "0869-00-2002", "", "随時（要予約）", "", ""],
]


def test_rows_of_one_agency_become_one_agency_with_several_services(root, tmp_path, run_guide):
    result = run_guide("import", "agencies", write_csv(tmp_path / "一覧.csv", ROWS), "--root", root, "--verified", "2026-11-01")
    assert result.code == 0, result.err
    guide = load_guide(root).guide
    kaigo = next(a for a in guide.agencies if a.name.get("ja") == "架空介護課")
    assert [s.description.get("ja") for s in kaigo.services] == ["介護保険の申請", "認知症の相談"]
    assert [s.list_number for s in kaigo.services] == [1, 2]
    assert kaigo.hours.weekly[0].times == ["08:30-17:15"] and kaigo.hours.closed_year_end is True
    assert kaigo.phones[0].number == "0869-00-2001" and not kaigo.services[1].phones
    assert all(s.hours is None for s in kaigo.services)  # the agency's hours, not a copy per service
    assert "&id" not in (root / "data" / "agencies.yaml").read_text(encoding="utf-8")
    assert kaigo.source[0].document == "ichiran" and kaigo.source[0].section == "2行目"
    assert str(kaigo.last_verified) == "2026-11-01"


def test_ids_come_from_the_romanised_name_and_never_change_on_reimport(root, tmp_path, run_guide):
    assert make_id("架空介護課", set(), "x") == "kakuu-kaigo-ka"
    sheet = write_csv(tmp_path / "一覧.csv", ROWS)
    run_guide("import", "agencies", sheet, "--root", root, "--verified", "2026-11-01")
    first = [(a.id, [s.id for s in a.services]) for a in load_guide(root).guide.agencies]
    again = run_guide("import", "agencies", sheet, "--root", root, "--verified", "2026-11-01")
    assert again.code == 0 and "変更はありません" in again.out
    assert [(a.id, [s.id for s in a.services]) for a in load_guide(root).guide.agencies] == first


def test_an_updated_sheet_prints_the_change_in_the_words_of_guide_diff(root, tmp_path, run_guide):
    run_guide("import", "agencies", write_csv(tmp_path / "一覧.csv", ROWS), "--root", root, "--verified", "2026-11-01")
    changed = [row[:] for row in ROWS]
    changed[3][4] = "0869-00-2999"
    result = run_guide("import", "agencies", write_csv(tmp_path / "一覧.csv", changed), "--root", root, "--verified", "2026-11-01")
    assert "- 架空こども相談室：電話番号 0869-00-2002 → 0869-00-2999" in result.out


def test_staff_only_columns_go_only_to_the_private_overlay(root, tmp_path, run_guide):
    run_guide("import", "agencies", write_csv(tmp_path / "一覧.csv", ROWS), "--root", root, *VERIFIED)
    private = load_guide(root, with_private=True).private
    assert [(c.extension, c.staff) for c in private.contacts] == [("2001", ["架空一郎", "架空花子"])]
    for tracked in (root / "data").glob("*.yaml"):
        if tracked.name != "private.yaml":
            assert "架空一郎" not in tracked.read_text(encoding="utf-8"), tracked


def test_hours_that_are_not_in_a_usual_form_stay_a_note_and_are_listed(root, tmp_path, run_guide):
    result = run_guide("import", "agencies", write_csv(tmp_path / "一覧.csv", ROWS), "--root", root, *VERIFIED)
    kodomo = next(a for a in load_guide(root).guide.agencies if a.name.get("ja") == "架空こども相談室")
    assert kodomo.hours.status == "not_published" and kodomo.hours.note.get("ja") == "随時（要予約）"
    assert "一覧.csv:4:7: 随時（要予約）" in result.err


@pytest.mark.parametrize(
    ("text", "weekly", "holidays", "year_end"),
    [
        ("平日 8:30~17:15（年末年始休み）", [(["mon", "tue", "wed", "thu", "fri"], ["08:30-17:15"])], True, True),
        ("月～金 9時～16時 土日祝・年末年始休み", [(["mon", "tue", "wed", "thu", "fri"], ["09:00-16:00"])], True, True),
        ("月・水 １０：００～１２：００／１３：００～１５：００（祝日も受付、年末年始休み）", [(["mon", "wed"], ["10:00-12:00", "13:00-15:00"])], False, True),
        ("火～木 10時30分～15時、土 9時～12時（祝日・年末年始休み）", [(["tue", "wed", "thu"], ["10:30-15:00"]), (["sat"], ["09:00-12:00"])], True, True),
    ],
)
def test_usual_written_hours_become_structured(text, weekly, holidays, year_end):
    hours, _ = parse_hours(text, assume_closed=False)
    assert [(r.days, r.times) for r in hours.weekly] == weekly
    assert (hours.closed_on_public_holidays, hours.closed_year_end) == (holidays, year_end)


def test_unstated_holiday_rules_are_not_guessed_unless_the_city_says_so():
    hours, reason = parse_hours("月～金 8:30～17:15", assume_closed=False)
    assert reason == HOLIDAYS_UNSTATED
    # Hours are structured only if the model lets them leave both unsaid; they are never guessed.
    assert hours is None or (hours.closed_on_public_holidays, hours.closed_year_end) == (None, None)
    weekdays, reason = parse_hours("平日 8:30～17:15", assume_closed=False)
    assert reason == HOLIDAYS_UNSTATED and (weekdays is None or (weekdays.closed_on_public_holidays, weekdays.closed_year_end) == (True, None))
    assert parse_hours("月～金 8:30～17:15", assume_closed=True) == (parse_hours("月～金 8:30～17:15（祝日・年末年始休み）", assume_closed=False)[0], "")


def test_a_messy_sheet_gives_located_messages_not_tracebacks(root, tmp_path, run_guide):
    # This city marks its hubs ★ (declared in categories.yaml): the mark in the sheet is recognised and left out.
    with (root / "data" / "categories.yaml").open("a", encoding="utf-8") as categories:
        categories.write("hubs:\n  mark: ★\n  label: {ja: 迷ったときの相談先}\n  source: [{document: city-website, section: 架空の注}]\n")
    book = Workbook()
    ws = book.active
    ws.title = "R8一覧"
    ws.append(["架空市 相談機関一覧（令和8年度・架空）"])
    ws.merge_cells("A1:F1")
    ws.append(["No.", "相談内容", "機関名", "連絡先", None, "受付時間"])  # 連絡先 merged over 電話 and 内線
    ws.merge_cells("D2:E2")
    ws.append([None, None, None, "電話", "内線", None])
    for column in "ABCF":  # headers merged down over the two header rows
        ws.merge_cells(f"{column}2:{column}3")
    ws.append(["介護について"])  # a section heading: the category of the rows below
    ws.append(["★１", "介護保険の申請", "架空介護課", "０８６９－００－３００１", "３００１", "月～金 ８：３０～１７：１５（祝日・年末年始休み）"])
    ws.append([])
    ws.append([])
    ws.append(["２", "認知症の相談", "架空認知症センター", "（詳細別紙）", "", "月～金 9時～16時（詳細別紙）（祝日・年末年始休み）"])
    ws.append(["３", "家族の相談", None, "0869-00-3003", "", "平日 9:00～16:00"])
    ws.append(["4", "介護の相談", "架空電話違い室", "12-34", "", ""])
    ws.append(["5", "住まいの相談", "架空合同窓口", "0869-00-3005", "", "平日 9:00～16:00（年末年始休み）"])
    ws.append(["6", "家計の相談", None, None, "", None])
    for column in "CDF":  # one agency's cells merged down over its two services
        ws.merge_cells(f"{column}11:{column}12")
    sheet = tmp_path / "messy.xlsx"
    book.save(sheet)
    result = run_guide("import", "agencies", sheet, "--root", root, "--verified", "2026-11-01", "--lang", "en")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "header on row 2–3" in result.err
    assert "電話 → phone" in result.err and "内線 → extension" in result.err
    assert "messy.xlsx[R8一覧]:8:4: 「（詳細別紙）」" in result.err
    assert "messy.xlsx[R8一覧]:9:3: no agency name" in result.err
    assert "messy.xlsx[R8一覧]:10:4: " in result.err and "12-34" in result.err  # the phone, worded as guide check words it
    assert "the record is imported without it" in result.err
    guide = load_guide(root, with_private=True)
    names = {a.name.get("ja"): a for a in guide.guide.agencies}
    assert set(names) == {"架空介護課", "架空認知症センター", "架空電話違い室", "架空合同窓口"}  # only the row without a name is not a record
    wrong_number = names["架空電話違い室"]
    assert wrong_number.phones == [] and "「12-34」" in wrong_number.to_confirm  # imported without it, to be confirmed
    assert [s.list_number for s in names["架空合同窓口"].services] == [5, 6]
    kaigo = names["架空介護課"]
    assert kaigo.phones[0].number == "0869-00-3001" and kaigo.services[0].list_number == 1
    assert kaigo.services[0].hub and kaigo.services[0].list_number == 1  # ★１: the hub, No. 1
    # The heading 「介護について」 is the category of the rows below it: the city's own, not guide new's example 「介護」.
    kaigo_category = next(c for c in guide.guide.taxonomy.categories if c.id == kaigo.services[0].categories[0])
    assert (kaigo_category.id, kaigo_category.name.get("ja"), kaigo_category.sheet_label.get("ja")) == ("kaigo", "介護", "介護について")
    assert not kaigo_category.example and kaigo_category.hub == kaigo.id
    assert names["架空認知症センター"].phones == [] and names["架空認知症センター"].hours.weekly[0].times == ["09:00-16:00"]
    assert names["架空認知症センター"].services[0].hours is None  # 9時～16時 is the agency's, not the service's own
    assert guide.private.contacts[0].extension == "3001"


def test_a_mapping_file_names_columns_the_sheet_calls_otherwise(root, tmp_path, run_guide):
    rows = [["分野", "窓口の名前", "相談項目", "でんわ"], ["介護", "架空介護課", "介護保険の申請", "0869-00-4001"]]
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("窓口の名前: name\nでんわ: phone\n", encoding="utf-8")
    result = run_guide("import", "agencies", write_csv(tmp_path / "t.csv", rows), "--root", root, *VERIFIED, "--columns", mapping)
    assert result.code == 0, result.err
    assert "窓口の名前 → name" in result.err
    assert load_guide(root).guide.agencies[0].phones[0].number == "0869-00-4001"
    mapping.write_text("窓口の名前: nmae\n", encoding="utf-8")
    typo = run_guide("import", "agencies", tmp_path / "t.csv", "--root", root, *VERIFIED, "--columns", mapping, "--lang", "en")
    assert typo.code == 2 and "unknown fields nmae (use: id, service_id" in typo.err


def test_programs_import_with_schedules(root, tmp_path, run_guide):
    rows = [
        ["名称", "種類", "会場", "日程", "主催", "定員"],
        ["架空いきいき体操", "体操・運動", "架空公民館", "毎週水 10:00～11:30", "架空体操クラブ", "２０名"],
        ["架空カフェ", "サロン・集いの場", "架空集会所", "毎月第2・第4火 13:30～15:00、雨天中止", "", "たくさん"],
        ["架空の謎の会", "謎の種類", "", "", "", ""],
    ]
    result = run_guide("import", "programs", write_csv(tmp_path / "教室.csv", rows), "--root", root, "--verified", "2026-11-01", "--lang", "en")
    assert result.code == 1
    assert "教室.csv:4:2: kind 「謎の種類」" in result.err
    assert "教室.csv:3:6: たくさん is not a whole number: left out" in result.err
    programs = {p.name.get("ja"): p for p in load_guide(root).guide.programs}
    taiso = programs["架空いきいき体操"]
    assert taiso.kind == "exercise" and taiso.schedule.recurrence[0].days == ["wed"]
    assert taiso.organiser_name.get("ja") == "架空体操クラブ" and taiso.capacity == 20
    cafe = programs["架空カフェ"].schedule
    assert cafe.recurrence[0].nth == [2, 4] and cafe.note.get("ja") == "雨天中止"
    assert run_guide("check", "--root", root, "--today", TODAY).code == 0


def test_files_it_cannot_read_are_a_message(root, tmp_path, run_guide):
    old_excel = tmp_path / "一覧.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0")
    result = run_guide("import", "agencies", old_excel, "--root", root, *VERIFIED, "--lang", "en")
    assert result.code == 1 and "一覧.xls: cannot read .xls files (save the table as .xlsx or .csv)" in result.err
    broken = tmp_path / "一覧.csv"
    broken.write_bytes("機関名\n".encode() + b"\x81\xff\n")
    result = run_guide("import", "agencies", broken, "--root", root, *VERIFIED, "--lang", "en")
    assert result.code == 1 and "一覧.csv:2: neither UTF-8 nor Shift_JIS" in result.err


def test_a_dry_run_writes_nothing(root, tmp_path, run_guide):
    before = {p.name: p.read_bytes() for p in (root / "data").iterdir()}
    result = run_guide("import", "agencies", write_csv(tmp_path / "一覧.csv", ROWS), "--root", root, *VERIFIED, "--dry-run")
    assert result.code == 0 and "相談機関の追加（2件）" in result.out
    assert {p.name: p.read_bytes() for p in (root / "data").iterdir()} == before


def test_it_warns_when_git_would_commit_the_private_overlay(root, tmp_path, run_guide):
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    sheet = write_csv(tmp_path / "一覧.csv", ROWS)
    assert "git does not ignore" not in run_guide("import", "agencies", sheet, "--root", root, *VERIFIED, "--lang", "en").err  # guide new's .gitignore
    (root / ".gitignore").write_text("/site/\n", encoding="utf-8")
    (root / "data" / "private.yaml").unlink()
    result = run_guide("import", "agencies", sheet, "--root", root, *VERIFIED, "--lang", "en")
    assert "warning: git does not ignore data/private.yaml" in result.err


@pytest.mark.parametrize("written", ["0869-00-5001（内線7291）", "０８６９－００－５００１ 内線 ７２９１", "0869-00-5001 ext. 7291", "0869-00-5001 内 7291"])
def test_an_extension_written_in_the_phone_cell_goes_only_to_the_private_overlay(root, tmp_path, run_guide, written):
    rows = [["分野", "相談項目", "機関名", "電話"], ["介護", "介護保険の申請", "架空内線課", written]]
    result = run_guide("import", "agencies", write_csv(tmp_path / "t.csv", rows), "--root", root, *VERIFIED, "--lang", "en")
    assert result.code == 0, result.err
    assert "t.csv:2:4: an extension (内線) in the phone cell is staff-only" in result.err
    guide = load_guide(root, with_private=True)
    agency = guide.guide.agencies[0]
    assert [(p.number, p.label) for p in agency.phones] == [("0869-00-5001", None)]
    assert [c.extension for c in guide.private.contacts] == ["7291"]
    for tracked in (root / "data").glob("*.yaml"):
        if tracked.name != "private.yaml":
            assert "7291" not in tracked.read_text(encoding="utf-8"), tracked


@pytest.mark.parametrize("written", ["0869-00-5001（代表）", "0869-00-5001（市内専用）", "市内 0869-00-5001"])
def test_a_phone_label_that_is_no_extension_stays_the_published_label(written):
    assert split_extension(written) == (written, [])


def test_a_header_that_mentions_an_extension_never_fills_a_public_field(root, tmp_path, run_guide):
    rows = [["分野", "相談項目", "機関名", "電話", "連絡先（内線）"], ["介護", "介護保険の申請", "架空内線課", "0869-00-5001", "7292"]]
    result = run_guide("import", "agencies", write_csv(tmp_path / "t.csv", rows), "--root", root, *VERIFIED, "--lang", "en")
    assert result.code == 0, result.err
    assert "連絡先（内線） → extension" in result.err
    guide = load_guide(root, with_private=True)
    assert [p.number for p in guide.guide.agencies[0].phones] == ["0869-00-5001"]
    assert [c.extension for c in guide.private.contacts] == ["7292"]


def test_a_program_sheet_does_not_read_an_extension_header_as_the_contact(root, tmp_path, run_guide):
    rows = [["名称", "種類", "連絡先（内線）"], ["架空いきいき体操", "体操・運動", "7293"]]
    result = run_guide("import", "programs", write_csv(tmp_path / "p.csv", rows), "--root", root, *VERIFIED, "--lang", "en")
    assert "p.csv:1:3: column 「連絡先（内線）」 is not read" in result.err
    assert "7293" not in (root / "data" / "programs.yaml").read_text(encoding="utf-8")


def test_control_sequences_in_cells_are_shown_escaped_never_sent_to_the_terminal(root, tmp_path, run_guide):
    rows = [
        ["分野", "相談項目", "機関名", "電話", "受付時間", "備考\x1b[31m"],
        ["介護", "介護保険の申請", "架空\u202e課", "0869-00-5001", "随時\x1b]0;pwned\x07\x1b[2J\r", "x"],
    ]
    result = run_guide("import", "agencies", write_csv(tmp_path / "t.csv", rows), "--root", root, *VERIFIED, "--lang", "en")
    printed = result.out + result.err
    assert not any(ch in printed for ch in "\x1b\x07\r\u202e")
    assert "column 「備考[U+001B][31m」 is not read" in printed
    assert "随時[U+001B]]0;pwned[U+0007][U+001B][2J" in printed
    assert "架空[U+202E]課" in printed
    assert printed.count("control characters were taken out of") == 2  # the name and the hours; neither is published with them
    assert "架空課" in (root / "data" / "agencies.yaml").read_text(encoding="utf-8")


# --- the files it writes: every comment kept; a failed write changes nothing -------------------------

COMMENT = re.compile(r"(?:^|\s)(# .*)$", re.M)


def commented_fixture(tmp_path):
    """The minimal fixture guide with comments everywhere people put them: 15 in agencies.yaml."""
    root = copy_guide(tmp_path / "guide")
    agencies = root / "data" / "agencies.yaml"
    text = agencies.read_text(encoding="utf-8")
    text = re.sub(r"^(  - id: )", r"  # --- 架空の区分 ---\n\1", text, flags=re.M)
    text = re.sub(r"^(    last_verified: .*)$", r"\1  # 電話で確かめた日", text, flags=re.M)
    text = re.sub(r"^(    phones:)$", r"\1\n      # 代表番号から", text, flags=re.M)
    text = re.sub(r"^(    source:)$", r"    # 出典は一覧の番号\n\1", text, flags=re.M)
    text = text.replace("kana: かくうそうだんせんたー", "kana: かくうそうだんせんたー  # 読みは窓口に確認", 1) + "# おわり\n"
    agencies.write_text(text, encoding="utf-8")
    (root / "data" / "private.yaml").write_text("# 職員用\ncontacts:\n  # 内線は毎年4月に確認\n  - {agency: kakuu-kakei, extension: \"1111\"}  # 家計\n", encoding="utf-8")
    return root


def edited_export(root, run_guide, tmp_path):
    """The export of the guide with one phone changed and one agency added, whose phone cell has an extension."""
    sheet = tmp_path / "一覧.csv"
    assert run_guide("export", "agencies", "--format", "csv", "--output", sheet, "--root", root).code == 0
    text = sheet.read_text(encoding="utf-8-sig").replace("086-900-0001", "086-900-9999", 1)
    sheet.write_text(text + ",,9,健康,架空の新しい相談,,架空新窓口,かくうしん,,,,086-900-5555（内線7291）,,,,,,,,2026-11-01\r\n", encoding="utf-8-sig")
    return sheet


def test_an_import_keeps_every_comment_of_the_files_it_writes(tmp_path, run_guide):
    root = commented_fixture(tmp_path)
    files = [root / "data" / name for name in ("agencies.yaml", "sources.yaml", "private.yaml")]
    before = {f.name: COMMENT.findall(f.read_text(encoding="utf-8")) for f in files}
    assert len(before["agencies.yaml"]) == 15
    result = run_guide("import", "agencies", edited_export(root, run_guide, tmp_path), "--root", root)
    assert result.code == 0, result.err
    assert "電話番号 086-900-0001 → 086-900-9999" in result.out and "架空新窓口" in result.out
    assert {f.name: COMMENT.findall(f.read_text(encoding="utf-8")) for f in files} == before
    guide = load_guide(root, with_private=True)
    assert "ichiran" in {d.id for d in guide.guide.sources.sources}
    assert {(c.agency, c.extension) for c in guide.private.contacts} == {("kakuu-kakei", "1111"), ("kakuu-shin-madoguchi", "7291")}


def test_a_write_that_fails_half_way_leaves_every_file_as_it_was(tmp_path, run_guide, monkeypatch):
    root = commented_fixture(tmp_path)
    sheet = edited_export(root, run_guide, tmp_path)
    before = {p.name: p.read_bytes() for p in (root / "data").iterdir()}

    def full_disk(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)  # the new text was written out, but does not reach the disk
    result = run_guide("import", "agencies", sheet, "--root", root, *VERIFIED, "--lang", "en")
    assert result.code == 1 and "Traceback" not in result.err
    assert "cannot be written: No space left on device (the file keeps what it had" in result.err
    assert {p.name: p.read_bytes() for p in (root / "data").iterdir()} == before  # and no temporary file is left


def test_a_mapping_once_given_is_remembered_for_next_years_sheet(root, tmp_path, run_guide):
    rows = [["分野", "窓口の名前", "相談の中身", "でんわ", "備考欄"], ["介護", "架空介護課", "介護保険の申請", "0869-00-4001", "x"]]
    sheet = write_csv(tmp_path / "t.csv", rows)
    first = run_guide("import", "agencies", sheet, "--root", root, *VERIFIED, "--lang", "en")
    assert first.code == 1  # no name column: nothing can be read
    assert "{相談窓口: name, 相談項目: categories, 相談内容: description}" in first.err  # the lines that would fix it
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("窓口の名前: name\n相談の中身: description\nでんわ: phone\n", encoding="utf-8")
    given = run_guide("import", "agencies", sheet, "--root", root, *VERIFIED, "--columns", mapping, "--lang", "en")
    assert given.code == 0, given.err
    assert "As a --columns mapping (keep it in a file to give these columns again): {分野: categories, 窓口の名前: name, 相談の中身: description, でんわ: phone}" in given.err
    assert "t.csv:1:5: column 「備考欄」 is not read: to read it, give --columns with a line such as {備考欄: " in given.err
    assert "kept in data/import-columns.yaml" in given.err
    rows[1][3] = "0869-00-4002"  # next year's sheet, imported with the same command as the first
    again = run_guide("import", "agencies", write_csv(tmp_path / "t.csv", rows), "--root", root, *VERIFIED)
    assert again.code == 0, again.err
    assert "電話番号 0869-00-4001 → 0869-00-4002" in again.out


def test_the_importers_messages_are_in_japanese_too(root, tmp_path, run_guide):
    rows = [["相談項目", "相談内容", "機関名", "電話番号 (0869)", "受付時間"], ["介護について", "介護保険の申請", "架空介護課", "20-4001", "<別紙>"]]
    result = run_guide("import", "agencies", write_csv(tmp_path / "t.csv", rows), "--root", root, *VERIFIED)
    assert result.code == 0, result.err
    assert "t.csv:1:4: 見出し「電話番号 (0869)」の市外局番 0869 を、この列の市外局番のない番号すべてに付けました" in result.err
    assert "t.csv:2:5: 「<別紙>」" in result.err
    assert "1 行を読み込み → 相談機関 1 件、相談内容 1 件。確認待ち（to_confirm）1 件" in result.err
    assert "表から加えた分野（ガイドの分野は guide new の例だったので、表の相談項目で置き換えました）: 介護" in result.err
    agency = load_guide(root).guide.agencies[0]
    assert agency.to_confirm == "「受付時間」（2行目 E列）は「<別紙>」: 別の資料にある事実です。ここに書いてください"  # written in the guide's language


def test_a_guide_with_its_own_categories_matches_the_sheets_and_adds_the_others(tmp_path, run_guide):
    root = copy_guide(tmp_path / "guide")  # the minimal fixture: its own categories, none an example
    rows = [["相談項目", "相談内容", "機関名", "電話"],
            ["健康について", "健康の相談", "架空健康室", "086-900-7001"],
            ["住まいについて", "住まいの相談", "架空住まい室", "086-900-7002"]]
    result = run_guide("import", "agencies", write_csv(tmp_path / "t.csv", rows), "--root", root, *VERIFIED, "--lang", "en")
    assert result.code == 0, result.err
    assert "Categories of the sheet found in the guide: 「健康について」 → health" in result.err
    assert "New categories from the sheet (not among the guide's categories): 住まい" in result.err
    guide = load_guide(root).guide
    assert [c.id for c in guide.taxonomy.categories] == ["soudan", "health", "debt", "sumai"]  # the guide's kept, in their order
    assert next(a for a in guide.agencies if a.name.get("ja") == "架空健康室").services[0].categories == ["health"]
