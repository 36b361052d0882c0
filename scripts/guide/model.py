"""The guide's typed model: the one definition of what the data files may say.

Every output (pages, finder index, handouts, exports) reads these classes and
nothing else.  The JSON Schemas that editors use are generated from them
(`guide schema`).  Validators raise `PydanticCustomError` with a stable code so
that `messages.py` can word each problem in the reader's language.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError


class Record(BaseModel):
    """Base of every data object: unknown keys are mistakes, not extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- small value types ---------------------------------------------------

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
LANG_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"
_LANG = re.compile(LANG_PATTERN)


@functools.cache
def known_language(code: str) -> bool:
    """A BCP 47 code that CLDR (through Babel) can name, so pages can show 英語, not "en"."""
    from babel import Locale, UnknownLocaleError  # noqa: PLC0415 - Babel's data loads on first use

    try:
        Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        return False
    return True


def check_language_code(value: str) -> str:
    if not re.fullmatch(LANG_PATTERN, value) or not known_language(value):
        raise PydanticCustomError("lang_code_invalid", "bad language code {lang}", {"lang": value})
    return value


LanguageCode = Annotated[str, AfterValidator(check_language_code), Field(json_schema_extra={"pattern": LANG_PATTERN})]


def _check_id(value: str) -> str:
    if not re.fullmatch(ID_PATTERN, value):
        raise PydanticCustomError("id_format", "bad id {value}", {"value": value})
    return value


Id = Annotated[
    str,
    AfterValidator(_check_id),
    Field(
        json_schema_extra={"pattern": ID_PATTERN},
        description="Stable ASCII id: lower-case letters, digits and single hyphens. "
        "It becomes part of a URL printed on QR codes, so never change it.",
    ),
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

TIME_RANGE_PATTERN = r"^\s*(\d{1,2}):(\d{2})\s*[-~〜～–]\s*(\d{1,2}):(\d{2})\s*$"


def parse_clock(hours: str, minutes: str) -> int:
    """Minutes after midnight; 24:00 is allowed as a closing time."""
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m != 0):
        raise PydanticCustomError("time_invalid", "bad time {time}", {"time": f"{hours}:{minutes}"})
    return h * 60 + m


def _check_time_range(value: str) -> str:
    match = re.fullmatch(TIME_RANGE_PATTERN, value)
    if not match:
        raise PydanticCustomError("time_range_format", "bad time range {value}", {"value": value})
    start = parse_clock(match[1], match[2])
    end = parse_clock(match[3], match[4])
    if end <= start:
        raise PydanticCustomError("time_range_order", "close before open {value}", {"value": value})
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


TimeRange = Annotated[
    str,
    AfterValidator(_check_time_range),
    Field(
        json_schema_extra={"pattern": r"^\d{1,2}:\d{2}\s*[-~〜～–]\s*\d{1,2}:\d{2}$"},
        description='Opening and closing time, 24-hour clock, e.g. "08:30-17:15". Quote it.',
    ),
]


def time_range_minutes(value: str) -> tuple[int, int]:
    """(open, close) in minutes after midnight for a validated TimeRange."""
    start, end = value.split("-")
    return (int(start[:2]) * 60 + int(start[3:]), int(end[:2]) * 60 + int(end[3:]))


# One rule for every address a page links to: http(s) only, with a host, and no character
# that could end an HTML attribute.  `javascript:`, `data:` and the like are refused.
# Control characters (C0, DEL, C1) are refused too: they make sitemap.xml and other XML invalid.
URL_PATTERN = r"^https?://[^\s\x00-\x1f\x7f-\x9f/?#\"'<>\\]+(?:[/?#][^\s\x00-\x1f\x7f-\x9f\"'<>\\]*)?$"
Url = Annotated[str, Field(pattern=URL_PATTERN, description="An address starting with https:// (or http://).")]

# One plain address and nothing else: a mailto: link also takes ?cc=, ?bcc=, &body=, %-escapes,
# several addresses (a, b) and display names (<a@b>), which would copy residents' mail elsewhere.
EMAIL_PATTERN = r"^[A-Za-z0-9._+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
_EMAIL_CHARS = re.compile(r"[A-Za-z0-9._+@-]")


def _check_email(value: str) -> str:
    if not re.fullmatch(EMAIL_PATTERN, value):
        others = "".join(dict.fromkeys(ch for ch in value if not _EMAIL_CHARS.fullmatch(ch)))
        if others:
            shown = " ".join(f"U+{ord(ch):04X}" if not ch.isprintable() or ch.isspace() else ch for ch in others)
            raise PydanticCustomError("email_chars", "email chars {chars}", {"value": value, "chars": shown})
        raise PydanticCustomError("pattern_mismatch", "bad email {value}", {"value": value, "format": ("format_email", {})})
    return value


Email = Annotated[str, AfterValidator(_check_email), Field(json_schema_extra={"pattern": EMAIL_PATTERN}, description="One e-mail address, linked as mailto:.")]

# Characters that make a text look different from what it is: bidirectional overrides and
# isolates (U+202A–U+202E, U+2066–U+2069) reorder what follows them on the page.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters that draw nothing (Hangul fillers, braille blank), besides spaces and format characters.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


# Letters and digits that surely show: most texts begin with one, and a search finds it at once.
_SURELY_VISIBLE = re.compile(r"[0-9A-Za-z\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]")


def is_visible(value: str) -> bool:
    """Whether a text shows at least one character (zero-width spaces and joiners show nothing)."""
    return _SURELY_VISIBLE.search(value) is not None or any(
        not ch.isspace() and ch not in _BLANK_LETTERS and unicodedata.category(ch) not in {"Cf", "Cc", "Zs", "Mn", "Me"}
        for ch in value
    )


# Control characters (C0, DEL, C1) show nothing and break what the data is written into:
# iCalendar refuses a line break in a name, XML any C0 character.  A multi-line text (a
# description, a note) may break lines and hold tabs; a one-line value (a name, a title, a
# label, an address) may not, nor hold the Unicode line and paragraph separators.
CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def check_control(value: str, *, multiline: bool, lang: str | None = None) -> str:
    """`value` unless it holds a control character (or, on one line, a line break)."""
    found = (CONTROL_IN_LINES if multiline else CONTROL_IN_LINE).findall(value)
    if found:
        chars = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(found))
        # Only a line break (\n, U+2028, U+2029) is one, anything else (a CR too) a control character.
        code = "control_char" if CONTROL_IN_LINES.search(value) else "line_break"
        raise PydanticCustomError(code, "control characters {chars}", {"chars": chars, **({"lang": lang} if lang else {})})
    return value


def _one_line(value: str) -> str:
    return check_control(value, multiline=False)


def _lines(value: str) -> str:
    return check_control(value, multiline=True)


Line = Annotated[str, AfterValidator(_one_line)]  # a value written on one line: a section, a file name, a keyword
Lines = Annotated[str, AfterValidator(_lines)]  # a note in words, which may have several lines


# Theme text: what MkDocs and Material print from mkdocs.yml without escaping (see build.py).
THEME_UNSAFE = re.compile(r"[<>&\"]")


def check_theme_text(value: str, lang: str | None = None) -> str:
    if THEME_UNSAFE.search(value):
        chars = "".join(dict.fromkeys(THEME_UNSAFE.findall(value)))
        raise PydanticCustomError("theme_text_markup", "markup in {value}", {"value": value, "chars": chars, **({"lang": lang} if lang else {})})
    return value


KANA_PATTERN = r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb\u309d\u309e\u30fd\u30fe 　・ー（）()A-Za-z0-9０-９Ⅰ-Ⅻ]+$"


def _check_kana(value: str) -> str:
    if not re.fullmatch(KANA_PATTERN, value) or not re.search(r"[\u3041-\u3096\u30a1-\u30fa]", value):
        bad = "".join(sorted({c for c in value if not re.fullmatch(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb 　]", c)}))
        raise PydanticCustomError("kana_invalid", "not kana {value}", {"value": value, "chars": bad})
    return value


Kana = Annotated[
    str,
    AfterValidator(_check_kana),
    Field(description="Reading in hiragana or katakana, for 五十音 sorting and kana search."),
]


class Text(RootModel[dict[str, str | list[str]]]):
    """A human-readable text in several languages: `{ja: ..., en: ...}`.

    Which languages exist and which are required is data (site.yaml), checked
    after loading.  `unofficial: [en]` marks translations the documents do not
    give, so staff can review them.
    """

    model_config = ConfigDict(frozen=True, json_schema_extra={"propertyNames": {"pattern": LANG_PATTERN + "|^unofficial$"}})

    @model_validator(mode="before")
    @classmethod
    def _keys_are_languages(cls, value: object) -> object:
        # Checked before the values: `{ja: x, en: a, b}` makes a key "b" with no value,
        # and the useful message names that key, not its empty value.
        if isinstance(value, dict):
            for key in value:
                if key != "unofficial" and not _LANG.fullmatch(str(key)):
                    raise PydanticCustomError("lang_code_invalid", "bad language code {lang}", {"lang": key})
        return value

    @model_validator(mode="after")
    def _shape(self) -> Text:
        if not self.root:
            raise PydanticCustomError("text_empty", "empty text", {})
        for key, value in self.root.items():
            if key == "unofficial":
                if not isinstance(value, list) or any(lang not in self.root for lang in value):
                    raise PydanticCustomError("unofficial_invalid", "bad unofficial", {"value": str(value)})
                continue
            if not isinstance(value, str) or not value.strip():
                raise PydanticCustomError("text_value_empty", "empty text for {lang}", {"lang": key})
            if not is_visible(value):
                raise PydanticCustomError("text_invisible", "invisible text for {lang}", {"lang": key})
            check_control(value, multiline=True, lang=key)
        return self

    @property
    def languages(self) -> list[str]:
        return [k for k in self.root if k != "unofficial"]

    def get(self, lang: str) -> str | None:
        value = self.root.get(lang)
        return value if isinstance(value, str) else None

    def is_unofficial(self, lang: str) -> bool:
        return lang in self.root.get("unofficial", [])


def _text_on_one_line(text: Text) -> Text:
    for lang in text.languages:
        check_control(text.get(lang), multiline=False, lang=lang)
    return text


# A text shown on one line: a name, a title, a label, an address.  Only descriptions, notes and
# other prose (plain `Text`) may break lines.
OneLineText = Annotated[Text, AfterValidator(_text_on_one_line)]


# --- sources: every fact says where it comes from --------------------------


class SourceDocument(Record):
    id: Id
    title: OneLineText
    published: date | None = Field(None, description="Date printed on the document, if any.")
    file: Line | None = Field(None, description="Where the document is kept (file name or URL).")
    note: Text | None = None


class SourceRef(Record):
    document: Id = Field(description="Id of a document in data/sources.yaml.")
    section: Line = Field(min_length=1, description="Which part: page, table, row number.")
    note: Lines | None = Field(None, description="What was read there, e.g. where two versions differ.")


# A doubt the documents cannot settle: `guide report` lists it under "to confirm with the city".
ToConfirm = Annotated[
    Lines | None,
    Field(description="What the documents leave in doubt and must be confirmed with the city (listed by `guide report`)."),
]


class Sourced(Record):
    """A record residents rely on: it must say where its facts come from and when they were checked."""

    source: list[SourceRef] = Field(min_length=1)
    last_verified: date = Field(description="The date these facts were last confirmed (document date or phone call).")
    checked_with_counter: bool = Field(
        False, description="true when someone confirmed the facts with the counter on last_verified; else it is the documents' as-of date."
    )
    to_confirm: ToConfirm = None


# --- taxonomy -------------------------------------------------------------

Keywords = dict[str, list[Line]]  # search synonyms per language


class Category(Record):
    id: Id
    name: OneLineText
    sheet_label: OneLineText | None = Field(None, description="The label on the city's own form or list, when it differs from the name.")
    keywords: Keywords = Field(
        default_factory=dict, description="Search synonyms per language: {ja: [借金, ローン], en: [debt]}."
    )
    hub: Id | None = Field(None, description="The hub agency (see `hubs`): where to ask when unsure which agency fits.")
    hub_source: SourceRef | None = None
    to_confirm: ToConfirm = None
    description: Text | None = None
    sensitive: bool = Field(False, description="A concern a resident may not want named on paper (DV, abuse): a referral slip that includes it prints with a neutral title.")
    example: bool = Field(False, description="An example that guide new wrote, not the city's own: guide check warns until it is replaced (guide import replaces unused ones) or this is removed.")


class Audience(Record):
    id: Id
    name: OneLineText
    keywords: Keywords = Field(default_factory=dict)
    example: bool = Field(False, description="An example that guide new wrote, not the city's own: guide check warns until it is replaced (guide import replaces unused ones) or this is removed.")


class ProgramKind(Record):
    id: Id
    name: OneLineText
    keywords: Keywords = Field(default_factory=dict)
    example: bool = Field(False, description="An example that guide new wrote, not the city's own: guide check warns until it is replaced (guide import replaces unused ones) or this is removed.")


class HubNotion(Record):
    """What a hub is in this city, in its own words: a fact about the city's system, with its source.

    A city whose documents name one agency per concern to ask when unsure declares
    it here; a city without such a system leaves `hubs` out and no hub is shown.
    """

    mark: Line = Field(min_length=1, max_length=3, description="The sign printed beside a hub, as in the documents.")
    label: OneLineText = Field(description="Short words for a hub, shown with the mark: where to ask when unsure.")
    explanation: Text | None = Field(None, description="One sentence explaining the mark, as the documents do.")
    no_hub_note: Text | None = Field(None, description="Shown on a concern without a hub: what a resident can do then.")
    source: list[SourceRef] = Field(min_length=1)


class Taxonomy(Record):
    hubs: HubNotion | None = Field(None, description="Declare the city's hub system; leave out when it has none.")
    categories: list[Category] = Field(min_length=1)
    audiences: list[Audience] = Field(default_factory=list)
    program_kinds: list[ProgramKind] = Field(default_factory=list)


class AreaKind(Record):
    """A level of the city's division into areas, from the largest; any number of them."""

    id: Id
    name: OneLineText
    in_address: bool = Field(False, description="Names of this kind are part of postal addresses (as a ward's name is).")


class Area(Record):
    id: Id
    kind: Id = Field(description="Id of an area kind declared under `kinds`.")
    name: OneLineText
    kana: Kana | None = None
    parent: Id | None = Field(None, description="The area this one lies within.")
    to_confirm: ToConfirm = None


class Areas(Record):
    kinds: list[AreaKind] = Field(min_length=1)
    areas: list[Area] = Field(min_length=1)

    def children(self, area_id: str | None) -> list[Area]:
        """The areas directly inside `area_id` (the top level for None), in file order."""
        return [a for a in self.areas if a.parent == area_id]

    def descendants(self, area_id: str) -> list[str]:
        """Ids of `area_id` and every area inside it, at any depth."""
        ids = [area_id]
        for child in self.children(area_id):
            ids += self.descendants(child.id)
        return ids

    def ancestors(self, area_id: str) -> list[Area]:
        """The areas that contain `area_id`, nearest first."""
        by_id = {a.id: a for a in self.areas}
        chain, parent = [], by_id[area_id].parent if area_id in by_id else None
        while parent in by_id and by_id[parent] not in chain:
            chain.append(by_id[parent])
            parent = by_id[parent].parent
        return chain

    def leaves(self) -> list[Area]:
        """The smallest areas (with none inside them): one handout and one home-page link each."""
        parents = {a.parent for a in self.areas}
        return [a for a in self.areas if a.id not in parents]

    def kind_name(self, area: Area) -> Text | None:
        return next((k.name for k in self.kinds if k.id == area.kind), None)

    def in_address(self, area_id: str | None) -> Area | None:
        """The area named by an address (`Address.ward`), when its kind is written in addresses."""
        area = next((a for a in self.areas if a.id == area_id), None)
        kinds = {k.id for k in self.kinds if k.in_address}
        return area if area and area.kind in kinds else None


# --- site settings ----------------------------------------------------------


class Language(Record):
    code: LanguageCode
    name: Annotated[str, AfterValidator(_one_line), AfterValidator(check_theme_text)] = Field(
        min_length=1, description="The language's name in itself, for the language switcher."
    )
    required: bool = Field(False, description="Every text must have this language.")


class MonthDay(RootModel[str]):
    root: Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]

    @property
    def month_day(self) -> tuple[int, int]:
        return int(self.root[:2]), int(self.root[3:])


class YearEndClosure(Record):
    start: MonthDay = Field(description='First closed day, "MM-DD".')
    end: MonthDay = Field(description='Last closed day, "MM-DD" (in the next year when before start).')
    source: SourceRef | None = None
    to_confirm: ToConfirm = None


def _check_local_government_code(value: str) -> str:
    """JIS X 0402: five digits and a check digit, the last digit of 11 - (weighted sum mod 11)."""
    weighted = sum(int(d) * w for d, w in zip(value[:5], (6, 5, 4, 3, 2), strict=True))
    expected = str((11 - weighted % 11) % 10)
    if value[5] != expected:
        raise PydanticCustomError("lg_code_check_digit", "bad check digit", {"value": value, "expected": value[:5] + expected})
    return value


class City(Record):
    name: OneLineText
    prefecture: OneLineText
    local_government_code: Annotated[str, Field(pattern=r"^\d{6}$"), AfterValidator(_check_local_government_code)] | None = Field(
        None, description="The six-digit 全国地方公共団体コード (JIS X 0402, with its check digit), if you want to record it."
    )
    local_government_code_source: SourceRef | None = Field(None, description="The code list the code is taken from.")
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = Field("JP", description="ISO 3166 country code: phone numbers are read as this country's.")
    phone_area_code: Annotated[str, Field(pattern=r"^0\d{1,4}$")] | None = Field(
        None, description="The city's area code, for numbers published without one."
    )
    timezone: Line = Field("Asia/Tokyo", description="IANA time zone of the city: 'open now' and today's date follow it.")
    holiday_calendar: Line = Field("JP", description="Country code for the `holidays` library.")
    year_end_closure: YearEndClosure | None = None


class DataLicence(Record):
    name: Line = Field(description="The licence of the open-data exports, e.g. CC BY 4.0.")
    url: Url | None = None


CC_BY_4 = DataLicence(name="CC BY 4.0", url="https://creativecommons.org/licenses/by/4.0/deed.ja")


class UrgentContact(Record):
    """A number the city tells residents to call at once (in danger, thinking of suicide): shown before
    the results of a crisis search.  Only what a document gives: a guide declares none without one."""

    name: OneLineText
    phone: Phone
    hours: OneLineText | None = Field(None, description="When it answers, as the document says (e.g. 24時間).")
    source: SourceRef


class Site(Record):
    title: OneLineText
    description: OneLineText | None = None
    url: Url | None = Field(None, description="Public address of the published site; used in QR codes.")
    report_error_url: Url | None = None
    city: City
    languages: list[Language] = Field(min_length=1)
    stale_after_days: int = Field(365, ge=1)
    data_licence: DataLicence = Field(CC_BY_4, description="Licence of the open-data exports (CC BY 4.0 unless given).")
    urgent_contacts: list[UrgentContact] = Field(
        default_factory=list, description="Numbers to call at once, shown first for a crisis search (only those a document gives)."
    )

    @field_validator("title", "description")
    @classmethod
    def _theme_text(cls, text: Text | None) -> Text | None:
        # Both go into mkdocs.yml as site_name and site_description (see build.py).
        for lang in text.languages if text else []:
            check_theme_text(text.get(lang), lang)
        return text


# --- contact facts ----------------------------------------------------------


class Phone(Record):
    number: Line = Field(description="Exactly as published, with area code, for example 012-345-6789.")
    label: OneLineText | None = None
    kind: Literal["voice", "fax"] = "voice"

    @field_validator("number")
    @classmethod
    def _valid_number(cls, value: str, info: ValidationInfo) -> str:
        context = info.context or {}
        from .phones import parse_phone  # noqa: PLC0415 - keeps phonenumbers out of schema generation

        parse_phone(value, context.get("phone_region", "JP"), context.get("area_code", ""))
        return value


class Address(Record):
    postal_code: Annotated[str, Field(pattern=r"^\d{3}-\d{4}$")] | None = Field(
        None, description='Postal code as a string, for example "123-4567".'
    )
    ward: Id | None = Field(None, description="Id of the area (from areas.yaml) the address lies in.")
    street: OneLineText = Field(description="Town, chōme and block: 鹿田町一丁目1-1.")
    building: OneLineText | None = Field(None, description="Building and floor: 保健福祉会館 2F.")


class DatedHours(Record):
    date: date
    closed: bool = False
    times: list[TimeRange] = Field(default_factory=list)
    note: Text | None = None

    @model_validator(mode="after")
    def _closed_or_times(self) -> DatedHours:
        if self.closed == bool(self.times):
            raise PydanticCustomError("exception_shape", "closed xor times", {})
        return self


class ClosedPeriod(Record):
    start: date
    end: date
    note: Text | None = None

    @model_validator(mode="after")
    def _order(self) -> ClosedPeriod:
        if self.end < self.start:
            raise PydanticCustomError("period_order", "end before start", {})
        return self


class WeeklyHours(Record):
    days: list[Weekday] = Field(min_length=1)
    times: list[TimeRange] = Field(min_length=1)


class Hours(Record):
    """Contact hours.  `status: not_published` means the documents give none: "please call".
    A holiday flag left out means the documents do not say: pages say so, and the badge never claims "open" then."""

    status: Literal["published", "not_published"] = "published"
    weekly: list[WeeklyHours] = Field(default_factory=list)
    closed_on_public_holidays: bool | None = Field(None, description="Closed on public holidays; leave out when the documents do not say.")
    closed_year_end: bool | None = Field(
        None, description="Closed over the municipal year-end closure (site.yaml); leave out when the documents do not say."
    )
    exceptions: list[DatedHours] = Field(default_factory=list)
    closed_periods: list[ClosedPeriod] = Field(default_factory=list)
    note: Text | None = None

    @model_validator(mode="after")
    def _complete(self) -> Hours:
        if self.status == "published":
            if not self.weekly:
                raise PydanticCustomError("hours_no_weekly", "published hours need weekly", {})
        elif self.weekly:
            raise PydanticCustomError("hours_not_published_with_weekly", "not_published with weekly", {})
        return self


class ContactPoint(Record):
    """Where and how to reach a place; an empty field means "not listed" in the documents."""

    address: Address | None = None
    phones: list[Phone] = Field(default_factory=list)
    email: Email | None = None
    url: Url | None = None
    hours: Hours | None = None
    access: Text | None = None
    accessibility: Text | None = None
    annex: SourceRef | None = Field(
        None, description="Where the documents say the address and number are given instead (the list's <別紙>), when this guide does not have it yet."
    )


# --- agencies ----------------------------------------------------------------


class Service(Record):
    """One thing a resident can consult an agency about (a row of the 相談機関一覧)."""

    id: Id
    description: Text
    categories: list[Id] = Field(min_length=1)
    audiences: list[Id] = Field(default_factory=list)
    hub: bool = Field(False, description="The hub service (see `hubs` in categories.yaml): where to ask in this category when unsure.")
    list_number: int | None = Field(None, description="No. in the 相談機関一覧.")
    from_residents: bool = Field(
        True, description="false when the documents say it takes no consultations from residents directly (only from other agencies)."
    )
    phones: list[Phone] = Field(default_factory=list, description="Only when the service has its own number.")
    hours: Hours | None = Field(None, description="Only when the service has its own hours.")
    keywords: Keywords = Field(default_factory=dict)


class Branch(ContactPoint):
    """One office of an agency that has one per area."""

    id: Id
    area: Id
    name: OneLineText | None = Field(None, description='Official name, if the documents give one; else shown as "agency (area)".')
    source: list[SourceRef] = Field(default_factory=list)


class Agency(ContactPoint, Sourced):
    id: Id
    name: OneLineText
    kana: Kana | None = Field(None, description="Reading in kana, when the name's reading is not obvious; used for 五十音 order.")
    parent: OneLineText | None = Field(None, description="Parent organisation, for example the city's health and welfare bureau.")
    owner: OneLineText | None = Field(None, description="The section that keeps this record current (担当課).")
    summary: Text | None = None
    services: list[Service] = Field(min_length=1)
    areas_served: list[Id] = Field(default_factory=list)
    languages: list[LanguageCode] = Field(default_factory=list, description="Languages offered at the counter (BCP 47 codes such as en, zh-Hans), if published.")
    branches: list[Branch] = Field(default_factory=list)

    @property
    def reading(self) -> str:
        """What lists sort by: the kana reading, or the name when none is given."""
        return self.kana or self.name.get(self.name.languages[0]) or self.id


def branch_kana(agency: Agency, area) -> str | None:
    """A branch's reading: its agency's and its area's, so branches follow their agency in 五十音 order."""
    return f"{agency.kana} {area.kana}" if agency.kana and area and area.kana else agency.kana


class AgencyFile(Record):
    agencies: list[Agency]


# --- programs ------------------------------------------------------------------


class Recurrence(Record):
    """A repeating rule: every week, the Nth weekday of a month, or N times a year."""

    frequency: Literal["weekly", "monthly", "yearly"]
    days: list[Weekday] = Field(default_factory=list)
    nth: list[Annotated[int, Field(ge=1, le=5)]] = Field(default_factory=list)
    times_per_year: int | None = Field(None, ge=1)
    times: list[TimeRange] = Field(default_factory=list)
    closed_on_public_holidays: bool | None = Field(None, description="The group does not meet on public holidays (if the documents say).")
    closed_year_end: bool | None = Field(None, description="The group does not meet over the year-end closure (site.yaml).")
    note: Text | None = None

    @model_validator(mode="after")
    def _fits_frequency(self) -> Recurrence:
        if self.frequency == "monthly" and (not self.nth or not self.days):
            raise PydanticCustomError("recurrence_monthly", "monthly needs nth and days", {})
        if self.frequency == "yearly" and self.times_per_year is None:
            raise PydanticCustomError("recurrence_yearly", "yearly needs times_per_year", {})
        return self


class Session(Record):
    date: date
    times: TimeRange | None = None
    venue: OneLineText | None = None
    note: Text | None = None


class Schedule(Record):
    recurrence: list[Recurrence] = Field(default_factory=list)
    sessions: list[Session] = Field(default_factory=list)
    dates_announced_later: bool = Field(False, description="Dates are not fixed yet: shown as 'to be announced'.")
    note: Text | None = None


class Period(Record):
    """The time the documents plan a program for (e.g. one fiscal year); only its end matters to residents."""

    end: date = Field(description="The last day the documents plan the program for, e.g. the end of a fiscal year.")
    source: SourceRef


class Program(Sourced):
    id: Id
    kind: Id
    name: OneLineText
    kana: Kana | None = None
    organiser: Id | None = Field(None, description="Id of the agency that runs it.")
    organiser_name: OneLineText | None = Field(None, description="When the organiser is not an agency in this guide.")
    description: Text | None = None
    categories: list[Id] = Field(default_factory=list)
    audiences: list[Id] = Field(default_factory=list)
    areas: list[Id] = Field(default_factory=list)
    venue: OneLineText | None = None
    schedule: Schedule = Field(default_factory=Schedule)
    period: Period | None = Field(None, description="After the period's end the program is shown as ended.")
    audience: Text | None = Field(None, description="Who may join, in words.")
    cost: Text | None = None
    capacity: int | None = Field(None, ge=1)
    how_to_apply: Text | None = None
    deadline: date | None = None
    contact: Id | None = Field(None, description="Id of the agency to ask.")
    url: Url | None = None

    def phase(self, today: date) -> str:
        """Where the program stands on `today`: the one rule its page, its flyer and the open data follow.

        "ended" once the period the documents plan it for is over; "not yet" while every date it has
        is still ahead and nothing recurs; else "current", also when the documents give no dates
        (a program runs until a document says it ended)."""
        if self.period and self.period.end < today:
            return "ended"
        sessions = self.schedule.sessions
        if sessions and not self.schedule.recurrence and all(s.date >= today for s in sessions):
            return "not yet"
        return "current"


class ProgramFile(Record):
    programs: list[Program]


class SourceFile(Record):
    sources: list[SourceDocument] = Field(min_length=1)


# --- staff-only overlay (never published) -------------------------------------


class StaffContact(Record):
    agency: Id
    service: Id | None = None
    extension: Line | None = Field(None, description="内線")
    staff: list[Line] = Field(default_factory=list, description="担当者名 (主, 副)")


class PrivateOverlay(Record):
    contacts: list[StaffContact] = Field(default_factory=list)


# --- residents' words (data/phrases.yaml, optional) ------------------------------


class Phrase(Record):
    """Words residents use for a concern (お金がない, ゴミ屋敷, depressed), each leading to its concern(s).

    A crisis phrase (死にたい, 殴られる) puts the concern's counters, with their phones, before any result."""

    words: Keywords = Field(description="The phrases per language: {ja: [死にたい, 消えたい], en: [want to die]}.")
    concerns: list[Id] = Field(min_length=1, description="Ids of the categories the words are about.")
    crisis: bool = Field(False, description="A crisis or safety phrase: the concern's counters come first, with their phones.")
    counters: list[Id] = Field(
        default_factory=list, description="Agencies a document names for these words (they rank first); needs `source`."
    )
    source: list[SourceRef] = Field(default_factory=list, description="Where a document names the counters.")


class PhraseFile(Record):
    phrases: list[Phrase] = Field(default_factory=list)


# --- guided questions (data/flow.yaml, optional) ----------------------------------

COUNTER_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:~[a-z0-9]+(?:-[a-z0-9]+)*)?$"
CounterRef = Annotated[
    str,
    Field(pattern=COUNTER_PATTERN, description="An agency id, or agency~service to name one of its services."),
]
FLOW_OUTCOMES = ("next", "agencies", "hub", "category")  # what an answer leads to: exactly one of them


class FlowAnswer(Record):
    """One answer to a question, in the resident's words, and where it leads: the next question or an outcome."""

    text: OneLineText = Field(description="The answer as a resident would say it.")
    next: Id | None = Field(None, description="Id of the question asked after this answer.")
    agencies: list[CounterRef] = Field(default_factory=list, description="The counters this answer leads to (agency or agency~service).")
    hub: Id | None = Field(None, description="A category id: this answer leads to that concern's hub.")
    category: Id | None = Field(None, description="A category id: this answer leads to every counter of that concern.")
    professionals: bool = Field(
        False, description="The answer of professionals (other agencies): only after it may a counter that takes no consultations from residents be named."
    )

    @model_validator(mode="after")
    def _one_outcome(self) -> FlowAnswer:
        given = [name for name in FLOW_OUTCOMES if getattr(self, name)]
        if len(given) != 1:
            raise PydanticCustomError("flow_answer_target", "one of next, agencies, hub, category", {"given": ", ".join(given) or "-"})
        return self

    @property
    def counters(self) -> list[tuple[str, str | None]]:
        """(agency id, service id or None) for each counter named in `agencies`."""
        return [(ref.partition("~")[0], ref.partition("~")[2] or None) for ref in self.agencies]


class FlowQuestion(Record):
    id: Id
    text: OneLineText = Field(description="The question, in everyday words.")
    note: Text | None = Field(None, description="A line of help shown under the question.")
    answers: list[FlowAnswer] = Field(min_length=1, description="The answers offered (「わからない」 is added by the generator).")


class Flow(Record):
    """Guided questions: a small tree from a start question to counters, at most 3 answers deep.

    Every question also offers 「わからない」, added by the generator: it leads to the hubs of the
    concerns still possible below that question."""

    start: Id = Field(description="Id of the first question.")
    source: list[SourceRef] = Field(min_length=1, description="The documents the questions and their outcomes are built on.")
    questions: list[FlowQuestion] = Field(min_length=1)
    to_confirm: ToConfirm = None


# --- the loaded guide ------------------------------------------------------------


class Guide(BaseModel):
    """Everything in data/, validated and cross-checked: what every generator reads."""

    model_config = ConfigDict(frozen=True)

    site: Site
    taxonomy: Taxonomy
    areas: Areas
    sources: SourceFile
    agencies: list[Agency]
    programs: list[Program]
    phrases: PhraseFile = PhraseFile()
    flow: Flow | None = None
