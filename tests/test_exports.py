"""Open data: every export validates against its schema or parser, on both fixture guides.

The minimal fixture guide is built once with a private overlay planted; the real data is
the session's `built` guide (conftest).  HSDS is checked against the official HSDS 3.0
schemas vendored in scripts/guide/standards/hsds-3.0/ (CC BY-SA 4.0, see its NOTICE), resolving their relative `$ref`s through a
`referencing` registry, with format checking on (ids are UUIDs).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import uuid
from datetime import date, datetime, time
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import holidays
import pytest
from conftest import MINIMAL, REPO, STAFF_EXTENSION, STAFF_NAME, TODAY, edit_data
from icalendar import Calendar
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from guide.cli import main
from guide.exports import standard_csv
from guide.exports.common import katakana

HSDS_SCHEMAS = REPO / "scripts" / "guide" / "standards" / "hsds-3.0"
HSDS_FILES = {"organizations.json": "organization.json", "services.json": "service.json",
              "taxonomies.json": "taxonomy.json", "taxonomy_terms.json": "taxonomy_term.json"}


def build_minimal(root: Path, edits: dict[str, list[tuple[str, str]]] | None = None) -> Path:
    """The minimal fixture (with `edits` to its data files) built with the project's theme, prose and
    catalogs, and a private overlay planted."""
    shutil.copytree(MINIMAL / "data", root / "data")
    edit_data(root, edits or {})
    for name in ("content", "locale", "overrides"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "data" / "private.yaml").write_text(
        f'contacts:\n  - {{agency: kakuu-soudan-center, extension: "{STAFF_EXTENSION}", staff: [{STAFF_NAME}]}}\n', encoding="utf-8"
    )
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    return root


# The weekly exercise group does not meet on public holidays or over the year-end closure.
OBSERVES_HOLIDAYS = {
    "programs.yaml": [('times: ["10:00-11:00"]\n', 'times: ["10:00-11:00"]\n          closed_on_public_holidays: true\n          closed_year_end: true\n')]
}


@pytest.fixture(scope="module")
def minimal_built(tmp_path_factory) -> Path:
    return build_minimal(tmp_path_factory.mktemp("minimal"), OBSERVES_HOLIDAYS)


SCRIPT = "</script><script>alert(1)</script>"


@pytest.fixture(scope="module")
def variant_built(tmp_path_factory) -> Path:
    """The minimal guide changed: its own licence, markup in a summary, and a program of each phase:
    the course's dates are all past (left with a yearly rule, which has no dates to put in a
    calendar: current), the exercise group has only a date ahead (not yet), the salon's planned
    period is over (ended)."""
    monthly = '        - frequency: monthly\n          nth: [2]\n          days: [wed]\n          times: ["14:00-15:30"]\n'
    weekly = '      recurrence:\n        - frequency: weekly\n          days: [tue, fri]\n          times: ["10:00-11:00"]\n'
    return build_minimal(
        tmp_path_factory.mktemp("variant"),
        {
            "site.yaml": [("stale_after_days: 365", "stale_after_days: 365\ndata_licence: {name: CC0 1.0}")],
            "programs.yaml": [(monthly, ""), ("2026-12-09", "2026-11-09"), ("2027-01-13", "2026-10-14"),
                              (weekly, '      sessions:\n        - {date: 2027-02-05, times: "10:00-11:00"}\n'),
                              ("      note: {ja: 日程は決まり次第お知らせします}\n",
                               "      note: {ja: 日程は決まり次第お知らせします}\n    period:\n      end: 2026-03-31\n"
                               "      source: {document: test-list-2026, section: 地域の集いの場}\n")],
            "agencies.yaml": [("生活の困りごとを何でも受け付ける架空の窓口です。", SCRIPT)],
        },
    )


@pytest.fixture(params=["minimal", "real"])
def any_site(request, minimal_built, built) -> Path:
    """The built site/ of each guide: the fictional fixture and the real data."""
    return (minimal_built if request.param == "minimal" else built) / "site"


def edition_dirs(site: Path) -> list[Path]:
    return [site, site / "en"]


# --- HSDS 3.0 -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hsds_registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT7))
        for path in HSDS_SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


def hsds_validator(registry: Registry, schema_file: str) -> Draft7Validator:
    schema = json.loads((HSDS_SCHEMAS / schema_file).read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=registry, format_checker=FormatChecker())


def test_hsds_validates_against_the_official_schemas_with_formats_checked(any_site, hsds_registry):
    for edition in edition_dirs(any_site):
        for file_name, schema_file in HSDS_FILES.items():
            records = json.loads((edition / "data" / "hsds" / file_name).read_text(encoding="utf-8"))
            assert records, file_name
            validator = hsds_validator(hsds_registry, schema_file)
            errors = [f"{file_name}[{n}] {'/'.join(map(str, e.absolute_path))}: {e.message}" for n, r in enumerate(records) for e in validator.iter_errors(r)]
            assert errors == []


def test_the_format_checker_does_catch_a_non_uuid_id(hsds_registry):
    validator = hsds_validator(hsds_registry, "organization.json")
    assert not validator.is_valid({"id": "kakuu-soudan-center", "name": "x", "description": "y"})


def test_hsds_status_follows_the_programs_phase_as_its_page_shows_it(variant_built):
    site = variant_built / "site"
    services = json.loads((site / "data" / "hsds" / "services.json").read_text(encoding="utf-8"))
    status = {s["name"]: s["status"] for s in services}
    assert status["架空家計講座"] == "active"  # current: a yearly rule, past dates, no end
    assert status["架空いきいき体操"] == "active"  # not yet: its one date is ahead
    assert status["架空ふれあいサロン"] == "inactive"  # ended: planned until 2026-03-31
    assert "program__ended" in (site / "programs" / "kakuu-salon" / "index.html").read_text(encoding="utf-8")
    for current in ("kakuu-kouza", "kakuu-taisou"):
        assert "program__ended" not in (site / "programs" / current / "index.html").read_text(encoding="utf-8")


def test_a_program_without_any_date_or_end_is_current_in_hsds(minimal_built):
    services = json.loads((minimal_built / "site" / "data" / "hsds" / "services.json").read_text(encoding="utf-8"))
    salon = next(s for s in services if s["name"] == "架空ふれあいサロン")
    assert salon["status"] == "active"  # dates to be announced, no period: current, as its page shows it


@pytest.mark.slow
def test_hsds_ids_are_the_same_in_every_build(minimal_built, tmp_path):
    again = build_minimal(tmp_path / "again", OBSERVES_HOLIDAYS)
    for file_name in HSDS_FILES:
        first = json.loads((minimal_built / "site" / "data" / "hsds" / file_name).read_text(encoding="utf-8"))
        second = json.loads((again / "site" / "data" / "hsds" / file_name).read_text(encoding="utf-8"))
        assert [r["id"] for r in first] == [r["id"] for r in second]


def test_hsds_weekly_hours_are_rrule_parts_in_the_citys_offset(minimal_built):
    organizations = json.loads((minimal_built / "site" / "data" / "hsds" / "organizations.json").read_text(encoding="utf-8"))
    center = next(o for o in organizations if o["name"] == "架空相談センター")
    schedules = center["locations"][0]["schedules"]
    assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in schedules] == [
        ("WEEKLY", "MO,TU,WE,TH,FR", "08:30+09:00", "17:15+09:00"),
        ("WEEKLY", "SA", "09:00+09:00", "12:00+09:00"),
        ("WEEKLY", "SA", "13:00+09:00", "16:00+09:00"),
    ]
    assert {s["timezone"] for s in schedules} == {9}


def test_hsds_carries_holiday_rules_and_sources_as_extension_attributes(minimal_built):
    site = minimal_built / "site" / "data" / "hsds"
    terms = {t["id"]: t["code"] for t in json.loads((site / "taxonomy_terms.json").read_text(encoding="utf-8"))}
    organizations = json.loads((site / "organizations.json").read_text(encoding="utf-8"))
    center = next(o for o in organizations if o["name"] == "架空相談センター")
    schedule_terms = {terms[a["taxonomy_term_id"]]: a["value"] for a in center["locations"][0]["schedules"][0]["attributes"]}
    assert schedule_terms["closed_on_public_holidays"] == "true"
    assert schedule_terms["closed_year_end"] == "12-29/01-03"
    assert "2026-12-05" in schedule_terms["closed_dates"]
    org_terms = {terms[a["taxonomy_term_id"]]: a["value"] for a in center["attributes"]}
    assert org_terms["source"].startswith("test-list-2026: ")
    assert org_terms["last_verified"] == "2026-10-01"


def test_an_address_without_postal_code_is_carried_in_words_never_invented(minimal_built):
    organizations = json.loads((minimal_built / "site" / "data" / "hsds" / "organizations.json").read_text(encoding="utf-8"))
    counter = next(o for o in organizations if o["name"] == "架空健康窓口")
    branch = next(loc for loc in counter["locations"] if loc["name"] == "架空健康窓口 東第一分室")
    assert "addresses" not in branch
    assert any(a["value"] == "架空県テスト市テスト東区架空町二丁目2-2" for a in branch["attributes"])
    assert "000-0001" in json.dumps(organizations, ensure_ascii=False)  # the one postal code the data gives


def test_guide_report_counts_records_hsds_cannot_fully_represent(minimal_copy, run_guide):
    result = run_guide("report", "--root", minimal_copy, "--today", TODAY, "--lang", "en")
    assert "Records exported to HSDS without a field it requires (1)" in result.out
    assert "example-counter/higashi-1: address without postal code" in result.out


# HSDS's tables, as its compiled/tabular.json defines them (read here independently of the exporter).
HSDS_TABULAR = json.loads((HSDS_SCHEMAS / "compiled" / "tabular.json").read_text(encoding="utf-8"))["properties"]
PACKAGE_TABLES = ["organization", "service", "location", "service_at_location", "address", "phone", "schedule",
                  "contact", "language", "accessibility", "attribute", "taxonomy", "taxonomy_term"]
# Which table each link column names.
LINKS = {"organization_id": "organization", "service_id": "service", "location_id": "location", "contact_id": "contact",
         "taxonomy_id": "taxonomy", "taxonomy_term_id": "taxonomy_term", "service_at_location_id": "service_at_location"}


def hsds_columns(table: str) -> list[str]:
    return [name for name, f in HSDS_TABULAR[table]["items"]["properties"].items() if f["type"] not in ("array", "object")]


def read_package(edition: Path) -> tuple[dict, dict[str, list[dict[str, str]]]]:
    package = json.loads((edition / "data" / "hsds" / "datapackage.json").read_text(encoding="utf-8"))
    tables = {}
    for resource in package["resources"]:
        raw = (edition / "data" / "hsds" / resource["path"]).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), "UTF-8 without BOM, as the Data Package standard reads"
        tables[resource["name"]] = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    return package, tables


def typed(field: dict, cell: str):
    """A cell read as a Table Schema reader reads it (ValueError when it is not of the field's type)."""
    if field["type"] == "number":
        return float(cell)
    if field["type"] == "date":
        return date.fromisoformat(cell)
    if field["type"] == "time":
        return time.fromisoformat(cell)
    if field.get("format") == "uuid":
        return str(uuid.UUID(cell))
    if field.get("format") == "uri" and not cell.startswith(("https://", "http://", "mailto:", "tel:")):
        raise ValueError(cell)
    if field.get("format") == "email" and "@" not in cell:
        raise ValueError(cell)
    return cell


def test_the_hsds_data_package_describes_every_table_as_hsds_defines_it(any_site):
    for edition in edition_dirs(any_site):
        package, tables = read_package(edition)
        assert package["profile"] == "tabular-data-package"
        assert [r["name"] for r in package["resources"]] == PACKAGE_TABLES
        for resource in package["resources"]:
            hsds = HSDS_TABULAR[resource["name"]]["items"]
            assert resource["path"] == hsds["path"] and resource["profile"] == "tabular-data-resource"
            fields = resource["schema"]["fields"]
            assert [f["name"] for f in fields] == hsds_columns(resource["name"])
            required = set(hsds.get("required", [])) | set(hsds.get("tabular_required", []))
            assert {f["name"] for f in fields if f["constraints"]["required"]} == required & {f["name"] for f in fields}
            assert {f["type"] for f in fields} <= {"string", "number", "date", "time", "datetime"}
            header = (edition / "data" / "hsds" / resource["path"]).read_text(encoding="utf-8").splitlines()[0]
            assert header.split(",") == hsds_columns(resource["name"])
        assert all(tables[name] for name in ("organization", "service", "location", "phone", "schedule", "attribute", "taxonomy_term"))


def test_every_hsds_table_cell_reads_as_its_type_and_every_row_validates(any_site, hsds_registry):
    for edition in edition_dirs(any_site):
        package, tables = read_package(edition)
        for resource in package["resources"]:
            rows, fields = tables[resource["name"]], resource["schema"]["fields"]
            validator = hsds_validator(hsds_registry, f"{resource['name']}.json")
            for n, row in enumerate(rows):
                where = f"{resource['path']}:{n + 2}"
                record = {}
                for field in fields:
                    cell = row[field["name"]]
                    assert cell or not field["constraints"]["required"], (where, field["name"])
                    if cell:
                        typed(field, cell)
                        record[field["name"]] = float(cell) if field["type"] == "number" else cell
                assert [e.message for e in validator.iter_errors(record)] == [], where
            for field in fields:
                if field["constraints"]["unique"]:
                    values = [row[field["name"]] for row in rows if row[field["name"]]]
                    assert len(values) == len(set(values)), (resource["path"], field["name"])


def test_every_link_in_the_hsds_tables_names_a_row_that_is_there(any_site):
    for edition in edition_dirs(any_site):
        _, tables = read_package(edition)
        ids = {table: {row["id"] for row in rows} for table, rows in tables.items()}
        every_id = set().union(*ids.values())
        for table, rows in tables.items():
            for row in rows:
                for column, target in LINKS.items():
                    assert not row.get(column) or row[column] in ids[target], (table, column, row["id"])
                assert not row.get("link_id") or row["link_id"] in every_id, (table, row["id"])
        assert all(row["organization_id"] for row in tables["service"])  # HSDS's tables require it


def test_the_hsds_tables_hold_the_records_of_the_json(minimal_built):
    hsds = minimal_built / "site" / "data" / "hsds"
    _, tables = read_package(minimal_built / "site")
    services = json.loads((hsds / "services.json").read_text(encoding="utf-8"))
    organizations = json.loads((hsds / "organizations.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in tables["service"]] == [s["id"] for s in services]
    assert [r["id"] for r in tables["organization"]] == [o["id"] for o in organizations]
    assert {r["id"] for r in tables["location"]} == {loc["id"] for o in organizations for loc in o.get("locations", [])}
    center = next(r for r in tables["schedule"] if r["opens_at"] == "08:30+09:00")
    assert (center["freq"], center["byday"], center["timezone"]) == ("WEEKLY", "MO,TU,WE,TH,FR", "9")
    salon = next(r for r in tables["service"] if r["name"] == "架空ふれあいサロン")
    organiser = next(r for r in tables["organization"] if r["id"] == salon["organization_id"])
    assert organiser["name"] == "架空地区社会福祉協議会"  # known only by name: an organization of its own, nothing invented
    assert organiser["description"] == "このガイドの教室・集まりの主催者。このガイドにはほかの情報はありません。"


# --- the JSON dataset -------------------------------------------------------------------


def test_the_json_dataset_validates_against_its_generated_schema(any_site):
    for edition in edition_dirs(any_site):
        data = json.loads((edition / "data" / "guide.json").read_text(encoding="utf-8"))
        schema = json.loads((edition / "data" / "guide.schema.json").read_text(encoding="utf-8"))
        Draft202012Validator(schema, format_checker=FormatChecker()).validate(data)
        assert data["format"] == "resource-guide"
        assert data["format_version"] == "1.0"
        assert data["built"] == TODAY
        assert len(data["agencies"]) >= 3


def test_the_licence_is_cc_by_unless_site_yaml_says_otherwise(variant_built):
    data = json.loads((variant_built / "site" / "data" / "guide.json").read_text(encoding="utf-8"))
    assert data["site"]["data_licence"] == {"name": "CC0 1.0"}
    assert "CC0 1.0" in (variant_built / "site" / "opendata" / "index.html").read_text(encoding="utf-8")


# --- 自治体標準オープンデータセット CSV ----------------------------------------------------


def read_standard_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


def standard_list(name: str) -> list[str]:
    """The column list kept as data, read here independently of the exporter."""
    text = (REPO / "scripts" / "guide" / "standards" / f"{name}.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert [int(r["position"]) for r in rows] == list(range(1, len(rows) + 1))
    assert all(r["source"] for r in rows), "every column says where it was read"
    return [r["name"] for r in rows]


@pytest.mark.parametrize("name", ["public_facilities", "events"])
def test_csv_header_is_the_standards_column_list_in_order(any_site, name):
    rows = read_standard_csv(any_site / "data" / f"{name}.csv")
    assert rows[0] == standard_list(name)
    assert all(len(row) == len(rows[0]) for row in rows)


# The 推奨データセット (v1) headers, as the sources cited in standards/*.csv print them.
V1_FACILITIES = ["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "名称_カナ", "名称_通称", "POIコード",
                 "住所", "方書", "緯度", "経度", "電話番号", "内線番号", "法人番号", "団体名", "利用可能曜日", "開始時間", "終了時間",
                 "利用可能日時特記事項", "説明", "バリアフリー情報", "URL", "備考"]
V1_EVENTS = ["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "イベント名", "イベント名_カナ", "イベント名_英語",
             "開始日", "終了日", "開始時間", "終了時間", "開始日時特記事項", "説明", "料金(基本)", "料金(詳細)", "連絡先名称",
             "連絡先電話番号", "連絡先内線番号", "主催者", "場所名称", "住所", "方書", "緯度", "経度", "アクセス方法", "駐車場情報",
             "定員", "参加申込終了日", "参加申込終了時間", "参加申込方法", "URL", "備考"]


@pytest.mark.parametrize(("name", "headers"), [("public_facilities", V1_FACILITIES), ("events", V1_EVENTS)])
def test_the_csvs_carry_exactly_the_v1_headers(any_site, name, headers):
    assert len(V1_FACILITIES) == 24 and len(V1_EVENTS) == 32
    assert read_standard_csv(any_site / "data" / f"{name}.csv")[0] == headers


def csv_records(path: Path) -> list[dict[str, str]]:
    header, *rows = read_standard_csv(path)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_facility_rows_hold_agencies_and_branches_in_the_v1_formats(minimal_built):
    records = csv_records(minimal_built / "site" / "data" / "public_facilities.csv")
    assert [r["NO"] for r in records] == ["1", "2", "3", "4", "5"]
    table = {r["名称"]: r for r in records}
    assert set(table) == {"架空相談センター", "架空健康窓口", "架空健康窓口 東第一分室", "架空健康窓口（西第一）", "架空家計相談室"}
    center = table["架空相談センター"]
    assert center["都道府県コード又は市区町村コード"] == "999997"
    assert (center["都道府県名"], center["市区町村名"]) == ("架空県", "テスト市")
    assert center["名称_カナ"] == "カクウソウダンセンター"
    assert center["住所"] == "架空県テスト市テスト東区架空町一丁目1-1" and center["方書"] == "テスト会館 2F"
    assert center["電話番号"] == "086-900-0001" and "FAX 086-900-0002" in center["備考"]
    assert center["内線番号"] == "" and center["緯度"] == "" and center["法人番号"] == ""
    assert center["利用可能曜日"] == "月火水木金土"
    assert "祝日は休み" in center["利用可能日時特記事項"]
    assert center["バリアフリー情報"] == "車いす用トイレあり"
    kakei = table["架空家計相談室"]
    assert (kakei["利用可能曜日"], kakei["開始時間"], kakei["終了時間"]) == ("月火水木金", "08:30", "17:15")
    branch = table["架空健康窓口 東第一分室"]
    assert branch["名称_カナ"] == "カクウケンコウマドグチ ヒガシダイイチ"  # the agency's reading and the area's, as the finder reads it
    assert branch["団体名"] == "架空健康窓口"
    assert "別表 分室一覧" in branch["備考"] and "相談機関一覧 No.2" not in branch["備考"]  # the office's own source
    assert "相談機関一覧 No.2" in table["架空健康窓口（西第一）"]["備考"]  # an office without one: its agency's
    assert table["架空健康窓口（西第一）"]["住所"] == ""  # the documents give no address


def test_a_name_written_in_kana_is_its_own_reading_and_any_other_is_not_guessed():
    from guide.exports.standard_csv import _kana

    assert _kana(None, "ふれあい・サロン") == "フレアイ・サロン"
    assert _kana(None, "架空相談") == "カクウソウダン"  # the finder's reading
    assert _kana("かくう", "架空相談") == "カクウ"  # the data's own comes first
    assert _kana(None, "ABC") == ""  # nothing made up


def test_event_rows_are_the_sessions_and_the_groups_coming_meetings(minimal_built):
    events = csv_records(minimal_built / "site" / "data" / "events.csv")
    kouza = [(e["開始日"], e["開始時間"], e["終了時間"], e["開始日時特記事項"]) for e in events if e["イベント名"] == "架空家計講座"]
    # The sessions, and the second Wednesday of each month after them (the 12/9 and 1/13 meetings are those sessions).
    assert kouza[:4] == [("2026-12-09", "14:00", "15:30", ""), ("2027-01-13", "", "", "時間は未定"),
                         ("2027-02-10", "14:00", "15:30", ""), ("2027-03-10", "14:00", "15:30", "")]
    assert kouza[-1][0] == "2027-11-10"  # the feed's horizon: a year from 2026-11-23
    first = next(e for e in events if e["イベント名"] == "架空家計講座")
    assert (first["連絡先電話番号"], first["参加申込終了日"], first["イベント名_カナ"]) == ("086-900-0021", "2026-12-01", "カクウカケイコウザ")
    taisou = [e["開始日"] for e in events if e["イベント名"] == "架空いきいき体操"]
    assert taisou[:3] == ["2026-11-24", "2026-11-27", "2026-12-01"]
    assert "2027-02-23" not in taisou and "2027-01-01" not in taisou  # 天皇誕生日 and the year-end closure: no meeting
    assert all(date.fromisoformat(d).weekday() in (1, 4) for d in taisou) and taisou[-1] <= "2027-11-23"
    assert not [e for e in events if e["イベント名"] == "架空ふれあいサロン"]  # dates to be announced: nothing to list
    assert [e["NO"] for e in events] == [str(n) for n in range(1, len(events) + 1)]


def test_an_ended_program_lists_its_past_sessions_but_no_meetings_to_come(variant_built):
    events = csv_records(variant_built / "site" / "data" / "events.csv")
    assert [(e["イベント名"], e["開始日"]) for e in events if e["イベント名"] != "架空いきいき体操"] == [
        ("架空家計講座", "2026-10-14"), ("架空家計講座", "2026-11-09")]


def test_readings_become_full_width_katakana():
    assert katakana("かくう そうだん") == "カクウ ソウダン"


def test_a_wrong_check_digit_stops_the_build_with_a_clear_message(tmp_path, capsys):
    with pytest.raises(AssertionError):
        build_minimal(tmp_path, {"site.yaml": [('"999997"', '"999999"')]})
    err = capsys.readouterr().err
    assert "data/site.yaml:16:26: 地方公共団体コード 999999 の検査数字が合いません（999997 ではありませんか" in err
    assert "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_the_csv_columns_come_from_the_data_files():
    assert standard_csv.columns("events") == standard_list("events")
    assert standard_csv.columns("public_facilities") == standard_list("public_facilities")


# --- iCalendar ----------------------------------------------------------------------------


def test_every_feed_round_trips_through_the_icalendar_parser(any_site):
    for edition in edition_dirs(any_site):
        for feed in (edition / "data" / "calendar").glob("*.ics"):
            parsed = Calendar.from_ical(feed.read_bytes())
            assert Calendar.from_ical(parsed.to_ical()) == parsed
            for event in parsed.walk("VEVENT"):
                start = event.decoded("dtstart")
                if isinstance(start, datetime):
                    assert str(start.tzinfo) == "Asia/Tokyo", feed.name


def test_a_weekly_group_expands_to_the_expected_dates_skipping_holidays(minimal_built):
    parsed = Calendar.from_ical((minimal_built / "site" / "data" / "calendar" / "kakuu-taisou.ics").read_bytes())
    (event,) = parsed.walk("VEVENT")
    from dateutil.rrule import rrulestr

    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.decoded("dtstart"))
    excluded = {d.dt for exdate in ([event["EXDATE"]] if not isinstance(event["EXDATE"], list) else event["EXDATE"]) for d in exdate.dts}
    dates = [moment.date() for moment in rule if moment not in excluded]
    tokyo = ZoneInfo("Asia/Tokyo")
    assert event.decoded("dtstart") == datetime(2026, 11, 24, 10, 0, tzinfo=tokyo)
    assert dates[:3] == [date(2026, 11, 24), date(2026, 11, 27), date(2026, 12, 1)]
    assert date(2027, 2, 23) not in dates and holidays.JP(years=2027).get(date(2027, 2, 23))  # 天皇誕生日, a Tuesday
    assert date(2027, 2, 26) in dates
    assert date(2026, 12, 29) not in dates and date(2027, 1, 1) not in dates  # year-end closure
    assert all(d.weekday() in (1, 4) for d in dates)


def test_past_only_programs_have_no_feed_and_no_calendar_link(variant_built):
    site = variant_built / "site"
    assert not (site / "data" / "calendar" / "kakuu-kouza.ics").exists()
    assert "calendar-link" not in (site / "programs" / "kakuu-kouza" / "index.html").read_text(encoding="utf-8")
    everything = Calendar.from_ical((site / "data" / "calendar" / "all.ics").read_bytes())
    starts = [e.decoded("dtstart") for e in everything.walk("VEVENT")]
    assert starts and all((s.date() if isinstance(s, datetime) else s) >= date.fromisoformat(TODAY) for s in starts)


def test_a_weekly_group_is_followed_to_its_planned_end_and_no_further(tmp_path):
    site = build_minimal(tmp_path / "planned", {**OBSERVES_HOLIDAYS, "programs.yaml": [
        *OBSERVES_HOLIDAYS["programs.yaml"],
        ("    audience: {ja: 65歳以上の方}\n", "    period: {end: 2026-12-31, source: {document: test-leaflet-2026, section: 表面}}\n    audience: {ja: 65歳以上の方}\n")]})
    site = site / "site"
    (event,) = Calendar.from_ical((site / "data" / "calendar" / "kakuu-taisou.ics").read_bytes()).walk("VEVENT")
    assert event["RRULE"]["UNTIL"][0].astimezone(ZoneInfo("Asia/Tokyo")).date() == date(2026, 12, 31)
    taisou = [e["開始日"] for e in csv_records(site / "data" / "events.csv") if e["イベント名"] == "架空いきいき体操"]
    assert taisou[-1] == "2026-12-25" and len(taisou) == 10  # Tuesdays and Fridays from 11/24, none after the period
    (series,) = json_ld(site / "programs" / "kakuu-taisou" / "index.html")
    assert series["eventSchedule"][0]["endDate"] == "2026-12-31"


def test_an_ended_program_has_no_feed_and_no_calendar_link(tmp_path):
    site = build_minimal(tmp_path / "ended", {"programs.yaml": [
        ("    audience: {ja: 65歳以上の方}\n", "    period: {end: 2026-10-31, source: {document: test-leaflet-2026, section: 表面}}\n    audience: {ja: 65歳以上の方}\n")]})
    site = site / "site"
    assert not (site / "data" / "calendar" / "kakuu-taisou.ics").exists()
    assert "calendar-link" not in (site / "programs" / "kakuu-taisou" / "index.html").read_text(encoding="utf-8")
    assert not [e for e in csv_records(site / "data" / "events.csv") if e["イベント名"] == "架空いきいき体操"]


def test_program_pages_with_dates_to_come_link_their_feed(minimal_built):
    page = (minimal_built / "site" / "programs" / "kakuu-taisou" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../data/calendar/kakuu-taisou.ics"' in page
    assert "カレンダーに追加" in page
    salon = (minimal_built / "site" / "programs" / "kakuu-salon" / "index.html").read_text(encoding="utf-8")
    assert "calendar-link" not in salon  # dates to be announced: nothing to put in a calendar


# --- schema.org JSON-LD and the sitemap ------------------------------------------------------


class _JsonLd(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks, self._inside = [], False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_data(self, data):
        if self._inside:
            self.blocks.append(json.loads(data))

    def handle_endtag(self, tag):
        self._inside = False


def json_ld(page: Path) -> list[dict]:
    parser = _JsonLd()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.blocks


def test_agency_branch_and_program_pages_carry_json_ld_with_required_properties(any_site):
    for edition in edition_dirs(any_site):
        for page in (edition / "agencies").glob("*/**/index.html"):
            (office,) = json_ld(page)
            assert office["@context"] == "https://schema.org" and office["@type"] == "GovernmentOffice" and office["name"]
        for page in (edition / "programs").glob("*/index.html"):
            (program,) = json_ld(page)
            assert program["name"]
            if program["@type"] in ("Event", "EventSeries"):  # only with dates, each with the city's offset
                assert program["eventSchedule"] and all(s["scheduleTimezone"] == "Asia/Tokyo" for s in program["eventSchedule"])
                assert all(program[key].endswith("+09:00") or "T" not in program[key] for key in ("startDate", "endDate"))
            else:
                assert program["@type"] == "Service" and "startDate" not in program and "eventSchedule" not in program
        assert "branchOf" not in "".join(p.read_text(encoding="utf-8") for p in (edition / "agencies").glob("*/**/index.html"))


def program_json_ld(site: Path, program_id: str) -> dict:
    (data,) = json_ld(site / "programs" / program_id / "index.html")
    return data


def test_a_program_is_an_event_only_with_dates_to_come(minimal_built, variant_built):
    weekly = program_json_ld(minimal_built / "site", "kakuu-taisou")
    assert weekly["@type"] == "EventSeries"
    assert (weekly["startDate"], weekly["endDate"]) == ("2026-11-24T10:00+09:00", "2026-11-24T11:00+09:00")
    assert program_json_ld(minimal_built / "site", "kakuu-salon")["@type"] == "Service"  # dates to be announced
    one_date = program_json_ld(variant_built / "site", "kakuu-taisou")
    assert (one_date["@type"], one_date["startDate"]) == ("Event", "2027-02-05T10:00+09:00")
    past = program_json_ld(variant_built / "site", "kakuu-kouza")  # its dates are past; a yearly rule has none
    assert past["@type"] == "Service" and past["provider"] == {"@type": "Organization", "name": "架空家計相談室"}
    assert program_json_ld(variant_built / "site", "kakuu-salon")["@type"] == "Service"  # ended


def test_branches_and_their_agency_name_each_other_as_schema_org_defines(minimal_built):
    site = minimal_built / "site"
    (agency,) = json_ld(site / "agencies" / "example-counter" / "index.html")
    assert [b["url"] for b in agency["subOrganization"]] == [
        "https://guide.example.jp/agencies/example-counter/higashi-1/", "https://guide.example.jp/agencies/example-counter/nishi-1/"]
    (branch,) = json_ld(site / "agencies" / "example-counter" / "higashi-1" / "index.html")
    assert branch["parentOrganization"] == {"@type": "GovernmentOffice", "name": "架空健康窓口", "url": "https://guide.example.jp/agencies/example-counter/"}


def test_office_json_ld_has_weekly_hours_and_the_coming_years_closures(minimal_built):
    (office,) = json_ld(minimal_built / "site" / "agencies" / "kakuu-soudan-center" / "index.html")
    assert office["openingHoursSpecification"][0] == {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": [f"https://schema.org/{d}" for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")],
        "opens": "08:30",
        "closes": "17:15",
    }
    special = {(s["validFrom"], s["validThrough"]): (s["opens"], s["closes"]) for s in office["specialOpeningHoursSpecification"]}
    assert special[("2026-11-23", "2026-11-23")] == ("00:00", "00:00")  # 勤労感謝の日
    assert special[("2026-12-29", "2027-01-02")] == ("00:00", "00:00")  # year-end closure, one span (1/3 is a Sunday)
    assert special[("2026-12-06", "2026-12-06")] == ("10:00", "15:00")  # a Sunday opened by exception
    assert special[("2027-02-01", "2027-02-03")] == ("00:00", "00:00")  # closed period


def test_json_ld_cannot_break_out_of_its_script_element(variant_built):
    page = variant_built / "site" / "agencies" / "kakuu-soudan-center" / "index.html"
    (office,) = json_ld(page)
    assert office["description"] == SCRIPT
    assert "<script>alert(1)" not in page.read_text(encoding="utf-8")


def test_the_sitemap_lists_every_public_page_with_lastmod_from_last_verified(minimal_built):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    for edition, base in ((minimal_built / "site", "https://guide.example.jp/"), (minimal_built / "site" / "en", "https://guide.example.jp/en/")):
        root = ET.parse(edition / "sitemap.xml").getroot()
        listed = {u.find("s:loc", ns).text: u.find("s:lastmod", ns).text for u in root.findall("s:url", ns)}
        pages = {base + p.parent.relative_to(edition).as_posix().removeprefix(".") + "/" for p in edition.rglob("index.html")
                 if edition.name == "en" or not p.is_relative_to(edition / "en")}
        pages = {p.replace(base + "/", base) for p in pages}
        assert set(listed) == pages
        assert listed[base + "agencies/kakuu-soudan-center/"] == "2026-10-01"
        assert listed[base + "agencies/example-counter/higashi-1/"] == "2026-09-15"
        assert listed[base + "programs/kakuu-salon/"] == "2026-11-01"


class _Alternates(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate":
            self.links.append(attrs.get("href"))


def page_alternates(page: Path) -> list[str]:
    parser = _Alternates()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def test_every_sitemap_entry_names_each_language_once_and_x_default_and_no_page_makes_the_theme_fetch_more(minimal_built):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    for edition, base in ((minimal_built / "site", "https://guide.example.jp/"), (minimal_built / "site" / "en", "https://guide.example.jp/en/")):
        sitemap = {u.find("s:loc", ns).text: sorted((a.get("hreflang"), a.get("href")) for a in u.findall("x:link", ns))
                   for u in ET.parse(edition / "sitemap.xml").getroot().findall("s:url", ns)}
        assert sitemap
        for loc, alternates in sitemap.items():
            path = loc.removeprefix(base)
            expected = sorted([("ja", f"https://guide.example.jp/{path}"), ("en", f"https://guide.example.jp/en/{path}"),
                               ("x-default", f"https://guide.example.jp/{path}")])
            assert alternates == expected, loc
            # Material's script fetches a sitemap.xml beside each <link rel=alternate> of a page: none on pages.
            assert page_alternates(edition / path / "index.html") == [], loc


# --- the オープンデータ page and staff-only facts ---------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href", ""))


def test_the_open_data_page_links_every_export_with_licence_and_date(any_site):
    for edition in edition_dirs(any_site):
        page = edition / "opendata" / "index.html"
        parser = _Links()
        html = page.read_text(encoding="utf-8")
        parser.feed(html)
        targets = {(page.parent / href).resolve() for href in parser.hrefs if href.startswith("../data/")}
        exported = {p.resolve() for p in (edition / "data").rglob("*") if p.is_file() and p.parent.name != "calendar"}
        assert exported <= targets
        assert all(t.is_file() for t in targets)
        assert "CC BY 4.0" in html and f'datetime="{TODAY}"' in html
    assert "オープンデータ" in (any_site / "opendata" / "index.html").read_text(encoding="utf-8")


def test_every_edition_offers_the_whole_dataset_and_the_standard_csvs_the_same(any_site):
    """The dataset holds every language and the standard datasets are Japanese by definition: each edition's
    copy is the same file, whichever edition a consumer found it on."""
    for name in ("guide.json", "guide.schema.json", "public_facilities.csv", "events.csv"):
        copies = {(edition / "data" / name).read_bytes() for edition in edition_dirs(any_site)}
        assert len(copies) == 1, name


def test_no_export_contains_a_staff_only_value(any_site):
    exports = [p for e in edition_dirs(any_site) for p in (*(e / "data").rglob("*"), e / "sitemap.xml") if p.is_file()]
    assert len(exports) > 10
    for path in exports:
        text = path.read_bytes().decode("utf-8-sig")
        assert STAFF_EXTENSION not in text and STAFF_NAME not in text, path
