"""`guide new DIR`: a new city's guide that checks and builds at once, with comments saying what to fill in.

The city's part (data/ and content/) comes from templates/scaffold/; the generator's part
(mkdocs.yml, overrides/, schema/, .gitignore) is copied from the generator's own folder, so DIR
builds on its own and keeps data/private.yaml out of git.  The generator's words are not copied:
a guide's locale/ holds only its own (the build takes the generator's catalogs from the generator,
i18n.translations), so a new version of the generator brings its new words to every guide.
DIR's pytest.ini runs the generator's guide tests on DIR.  The starting categories, audiences
and program kinds are marked `example: true`: `guide check` warns until the city's replace them.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from datetime import date
from pathlib import Path

from babel import Locale, UnknownLocaleError
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape
from pydantic_core import PydanticCustomError

from .i18n import translations
from .load import BUILD_DIR, SITE_DIR, load_guide
from .messages import CATALOG, format_problem
from .terminal import shown
from .model import City, check_language_code
from .phones import parse_phone

TEMPLATES = Path(__file__).parent / "templates" / "scaffold"
# The generator's folder (scripts/guide/ is two levels down): its theme, catalogs and schemas.
GENERATOR_ROOT = Path(__file__).resolve().parents[2]
# A new guide is a Japanese city's: its documents are Japanese, so Japanese is its first, required language
# (templates/scaffold/content/ja/ holds its pages; every other language starts from the English ones).
CITY_LANGUAGE = "ja"
SHARED = ("mkdocs.yml", "overrides", "schema", ".gitignore")
# The generator's tests that belong to a guide (they read its data/checks.yaml and data/search-cases.yaml).
GUIDE_TESTS = ("tests/test_guide.py", "tests/test_search_cases.py")

# A starting set of concerns, clearly offered as an example in the file: the city chooses its own.
STARTING_CATEGORIES = [
    {"id": "medical", "ja": "病気・医療", "en": "Illness and medical care", "keywords": ["病気", "病院", "医療", "健康"]},
    {"id": "mental-health", "ja": "こころの健康", "en": "Mental health", "keywords": ["こころ", "ストレス", "うつ", "眠れない"]},
    {"id": "long-term-care", "ja": "介護", "en": "Long-term care", "keywords": ["介護", "高齢者", "認知症", "介護保険"]},
    {"id": "disability", "ja": "障害", "en": "Disability", "keywords": ["障害", "障がい", "障害者手帳"]},
    {"id": "childcare", "ja": "子育て", "en": "Raising children", "keywords": ["子育て", "子ども", "妊娠", "出産"]},
    {"id": "living", "ja": "生活・仕事・お金", "en": "Living, work and money", "keywords": ["仕事", "生活費", "借金", "滞納"]},
    {"id": "housing", "ja": "住まい", "en": "Housing", "keywords": ["住まい", "住宅", "家賃"]},
    {"id": "other", "ja": "その他の困りごと", "en": "Other troubles", "keywords": ["困りごと", "相談"]},
]


class ScaffoldError(Exception):
    """The guide cannot be created as asked (exit 2): the message says why and what to do."""


def language_names(codes: list[str]) -> list[dict[str, str]]:
    """Each language with its name in itself, for the language switcher."""
    languages = []
    for code in codes:
        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_")) or code
        except (ValueError, UnknownLocaleError):
            name = code
        languages.append({"code": code, "name": name})
    return languages


def area_code(phone: str, _) -> str:
    """The area code of the city's main number as written (for example "012-345-6789" → "012"), checked like `guide check`."""
    try:
        parse_phone(phone, "JP")
    except PydanticCustomError:
        raise ScaffoldError(_("{phone} is not a phone number (write the city's main number with its area code, e.g. 0XX-XXX-XXXX)").format(phone=phone)) from None
    match = re.match(r"^(0\d{1,4})[-(（ ]", phone)
    if not match:
        raise ScaffoldError(_("cannot tell the area code of {phone} (write it with hyphens, e.g. 0XX-XXX-XXXX)").format(phone=phone))
    return match[1]


def create_guide(target: Path, *, city_ja: str, prefecture: str, phone: str | None, web: str, languages: list[str],
                 city_en: str | None = None, code: str | None = None, today: date, gettext=lambda s: s) -> list[Path]:
    """Write a new guide into `target` (which must not hold one yet); returns the files written."""
    _ = gettext
    if (target / "data").exists() or (target / "content").exists():
        raise ScaffoldError(_("{target} already holds a guide (data/ or content/): choose an empty folder").format(target=target))
    _refuse_build_output(target, _)
    for lang in languages:  # a code names a folder (content/<code>/): "../x" would be one outside the guide
        try:
            check_language_code(lang)
        except PydanticCustomError:
            raise ScaffoldError(_(CATALOG["lang_code_invalid"]).format(lang=lang)) from None
    if not re.match(r"^https?://", web):
        raise ScaffoldError(_("{web} is not a web address (write it starting with https://)").format(web=web))
    if code is None and City.model_fields["local_government_code"].is_required():
        raise ScaffoldError(_("the six-digit local government code is needed (give --code)"))
    values = {
        "city_ja": city_ja,
        "city_en": city_en if "en" in languages else None,
        "prefecture": prefecture,
        "phone": phone,
        "area_code": area_code(phone, _) if phone else None,
        "web": web,
        "code": code,
        "languages": language_names(languages),
        "categories": STARTING_CATEGORIES,
        "today": today.isoformat(),
        "generator": GENERATOR_ROOT.as_posix(),
        "guide_tests": [(GENERATOR_ROOT / test).as_posix() for test in GUIDE_TESTS],
    }
    # `{#anchor}` is Markdown's heading-id syntax in the content pages, not a Jinja comment.
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, comment_start_string="{##", comment_end_string="##}")
    env.filters["q"] = lambda value: json.dumps(str(value), ensure_ascii=False)  # a JSON string is a quoted YAML scalar
    env.filters["e"] = lambda value: str(escape(value))
    written = []
    for template in sorted(env.list_templates(extensions=["j2"])):
        name = template.removesuffix(".j2")
        outputs = [name]
        if name.startswith("content/"):
            page = name.split("/", 2)[2]
            # Each language gets its pages; a language without its own template starts from the English one.
            outputs = [f"content/{lang}/{page}" for lang in languages if (lang == CITY_LANGUAGE) == name.startswith(f"content/{CITY_LANGUAGE}/")]
        for output in outputs:
            path = target / output
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(env.get_template(template).render(values), encoding="utf-8")
            written.append(path)
    for name in SHARED:
        source, destination = GENERATOR_ROOT / name, target / name
        if destination.exists() or not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy(source, destination)
        written.append(destination)
    return written


def _refuse_build_output(target: Path, _) -> None:
    """A guide cannot be made where a build of another guide replaces everything (its site/ or build/)."""
    place = target.resolve()
    for guide in place.parents:
        if not ((guide / "mkdocs.yml").is_file() or (guide / "data").is_dir()):
            continue
        for folder in (SITE_DIR, SITE_DIR + ".old", BUILD_DIR):  # site.old/: the previous site/ while a build swaps it
            if place.is_relative_to(guide / folder):
                raise ScaffoldError(_("{target} is inside {folder}/ of the guide in {guide}, which its next build replaces or empties (choose a folder outside it)").format(
                    target=target, folder=folder, guide=guide))


def _ask(value: str | None, prompt: str, required: bool = True) -> str | None:
    """The option's value, or (at a terminal) the answer to `prompt`."""
    if value or not sys.stdin.isatty():
        return value
    answer = input(prompt + ": ").strip()
    return answer or (None if not required else _ask(None, prompt, required))


def cmd_new(args: argparse.Namespace) -> int:
    _ = translations(GENERATOR_ROOT, args.lang).gettext
    city = _ask(args.city, _("City name (e.g. 〇〇市)"))
    prefecture = _ask(args.prefecture, _("Prefecture (e.g. 〇〇県)"))
    phone = _ask(args.phone, _("City's main phone number (代表電話; leave empty if the documents give none)"), required=False)
    web = _ask(args.web, _("City's web address"))
    missing = [option for option, value in (("--city", city), ("--prefecture", prefecture), ("--web", web)) if not value]
    if missing:
        print("guide new: " + _("missing {options} (give them as options or run at a terminal to be asked)").format(options=", ".join(missing)), file=sys.stderr)
        return 2
    languages = list(dict.fromkeys(code.strip() for code in args.languages.split(",") if code.strip()))
    if CITY_LANGUAGE not in languages:
        languages.insert(0, CITY_LANGUAGE)
    try:
        written = create_guide(args.dir, city_ja=city, prefecture=prefecture, phone=phone, web=web, languages=languages,
                               city_en=args.city_en, code=args.code, today=args.today or date.today(), gettext=_)
    except ScaffoldError as err:
        print(shown(f"guide new: {err}", one_line=True), file=sys.stderr)
        return 2
    for path in written:
        print(path.relative_to(args.dir))
    # What was asked for is checked as `guide check` checks it (the local government code's check digit …).
    loaded = load_guide(args.dir, today=args.today)
    for problem in loaded.problems:
        print(format_problem(problem, args.lang), file=sys.stderr)
    if loaded.errors:
        return 1
    print(_("Created a new guide in {dir}. Next: fill in the files (each says what to write), then run guide check and guide build in that folder.").format(dir=args.dir), file=sys.stderr)
    return 0


def register(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `guide new DIR` to the subcommands."""
    parser = sub.add_parser("new", parents=[common], help="start a new city's guide in DIR (checks and builds at once)")
    parser.add_argument("dir", type=Path, help="folder for the new guide (created; must not hold a guide yet)")
    parser.add_argument("--city", help="the city's name in Japanese, e.g. 〇〇市")
    parser.add_argument("--city-en", help="the city's name in English, when the guide has an English edition")
    parser.add_argument("--prefecture", help="the prefecture's name in Japanese")
    parser.add_argument("--phone", help="the city's main phone number (代表電話), with area code; leave out when the documents give none")
    parser.add_argument("--web", help="the city's web address (https://...)")
    parser.add_argument("--code", help="the six-digit local government code (全国地方公共団体コード)")
    parser.add_argument("--languages", default="ja", help="language codes, comma-separated (default: ja); ja comes first")
    parser.set_defaults(func=cmd_new, needs_data=False)
    return parser
