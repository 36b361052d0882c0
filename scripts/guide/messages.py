"""Wording of every data problem, in Japanese and English: what is wrong (how to fix it)."""

from __future__ import annotations

from .problems import Problem

# code -> language -> template.  Parameters come from Problem.params.
CATALOG: dict[str, dict[str, str]] = {
    # --- the file itself
    "file_missing": {
        "ja": "ファイルがありません（{expected} を作成してください）",
        "en": "file is missing (create {expected})",
    },
    "bom": {
        "ja": "ファイルの先頭に BOM があります（BOM なしの UTF-8 で保存してください）",
        "en": "the file starts with a byte-order mark (save it as UTF-8 without BOM)",
    },
    "encoding": {
        "ja": "UTF-8 として読めない文字があります（文字コードを UTF-8 にして保存し直してください）",
        "en": "this is not valid UTF-8 (save the file with UTF-8 encoding)",
    },
    "crlf": {
        "ja": "改行コードが CRLF（Windows 形式）です（LF にして保存してください）",
        "en": "line endings are CRLF (Windows style) (save the file with LF line endings)",
    },
    "tab": {
        "ja": "字下げにタブ文字が使われています（タブを半角スペースに置き換えてください）",
        "en": "a tab is used for indentation (replace tabs with spaces)",
    },
    "yaml_syntax": {
        "ja": "YAML の書き方に誤りがあります: {detail}（字下げ・コロンの後の空白・引用符の閉じ忘れを確認してください）",
        "en": "YAML syntax error: {detail} (check indentation, the space after each colon and unclosed quotes)",
    },
    "file_empty": {
        "ja": "ファイルが空です（内容を書いてください）",
        "en": "the file is empty (add its content)",
    },
    "key_not_text": {
        "ja": "項目名が文字列ではありません（項目名は英字で書いてください）",
        "en": "a key is not text (write keys as words)",
    },
    "duplicate_key": {
        "ja": "項目「{key}」が重複しています（{first_line} 行目にもあります。どちらか一方にまとめてください）",
        "en": "key '{key}' appears twice (also on line {first_line}; keep one)",
    },
    "yaml_tag": {
        "ja": "YAML タグ {tag} は使えません（タグを削除してください）",
        "en": "YAML tag {tag} is not allowed (remove it)",
    },
    # --- shape of a record (from the model)
    "missing": {
        "ja": "必須の項目「{field}」がありません（追加してください）",
        "en": "required field '{field}' is missing (add it)",
    },
    "extra_forbidden": {
        "ja": "不明な項目「{field}」です（{hint}）",
        "en": "unknown field '{field}' ({hint})",
    },
    "did_you_mean": {"ja": "「{suggestion}」の誤りではありませんか？", "en": "did you mean '{suggestion}'?"},
    "allowed_fields": {"ja": "使える項目: {allowed}", "en": "allowed fields: {allowed}"},
    "string_type": {
        "ja": "文字列を書いてください（{got} になっています。数字や日付だけの値は引用符で囲んでください）",
        "en": "expected text, got {got} (quote values that are only digits or dates)",
    },
    "int_type": {"ja": "整数を書いてください（{got} になっています）", "en": "expected a whole number, got {got}"},
    "bool_type": {
        "ja": "true か false を書いてください（{got} になっています）",
        "en": "expected true or false, got {got}",
    },
    "list_type": {
        "ja": "一覧（リスト）を書いてください（{got} になっています。各行を「- 」で始めるか [a, b] と書いてください）",
        "en": "expected a list, got {got} (start each item with '- ' or write [a, b])",
    },
    "dict_type": {
        "ja": "項目の集まり（「名前: 値」の形）を書いてください（{got} になっています）",
        "en": "expected fields ('name: value'), got {got}",
    },
    "date_invalid": {
        "ja": "日付 {value} が正しくありません（実在する日付を 2024-04-01 の形で書いてください）",
        "en": "{value} is not a valid date (write a real date as 2024-04-01)",
    },
    "literal_error": {
        "ja": "{value} は使えません（次のいずれかを書いてください: {expected}）",
        "en": "{value} is not allowed (use one of: {expected})",
    },
    "pattern_mismatch": {
        "ja": "{value} は形式が正しくありません（{format_ja}）",
        "en": "{value} is not in the right format ({format_en})",
    },
    "too_short": {
        "ja": "少なくとも {min} 件必要です（追加してください）",
        "en": "needs at least {min} item(s) (add them)",
    },
    "string_too_short": {"ja": "空欄にはできません（値を書くか、項目ごと削除してください）", "en": "must not be empty (write a value or remove the field)"},
    "number_range": {"ja": "{value} は範囲外です（{limit}）", "en": "{value} is out of range ({limit})"},
    "invalid_value": {"ja": "値が正しくありません: {detail}", "en": "invalid value: {detail}"},
    # --- values (custom checks in the model)
    "id_format": {
        "ja": "ID「{value}」が使えない形です（半角英小文字・数字・ハイフンで書いてください。例: chiiki-care-center）",
        "en": "id '{value}' has the wrong form (use lower-case ASCII letters, digits and hyphens, e.g. chiiki-care-center)",
    },
    "time_invalid": {
        "ja": "時刻 {time} は存在しません（00:00 から 24:00 の間で書いてください）",
        "en": "{time} is not a time of day (use 00:00 to 24:00)",
    },
    "time_range_format": {
        "ja": "時間帯「{value}」の形が正しくありません（\"08:30-17:15\" のように引用符で囲んで書いてください）",
        "en": "time range '{value}' has the wrong form (write it quoted, like \"08:30-17:15\")",
    },
    "time_range_order": {
        "ja": "時間帯「{value}」の終了が開始より前です（開始-終了 の順に書いてください）",
        "en": "time range '{value}' closes before it opens (write open-close)",
    },
    "kana_invalid": {
        "ja": "読み「{value}」にかな以外の文字（{chars}）があります（ひらがなかカタカナで書いてください）",
        "en": "reading '{value}' contains non-kana characters ({chars}) (write it in hiragana or katakana)",
    },
    "text_empty": {
        "ja": "文章が空です（{{ja: ...}} の形で日本語を書いてください）",
        "en": "the text is empty (write it as {{ja: ...}})",
    },
    "text_value_empty": {
        "ja": "言語「{lang}」の文章が空です（文章を書くか、その言語の行を削除してください）",
        "en": "the '{lang}' text is empty (write it or remove that language)",
    },
    "lang_code_invalid": {
        "ja": "「{lang}」は言語コードではありません（ja, en のような言語コードを書いてください）",
        "en": "'{lang}' is not a language code (use codes such as ja or en)",
    },
    "unofficial_invalid": {
        "ja": "unofficial には、この文章にある言語コードの一覧を書いてください（例: [en]）",
        "en": "unofficial must list language codes present in this text (e.g. [en])",
    },
    "phone_invalid": {
        "ja": "電話番号 {number} は正しくありません（市外局番から、公表どおりに書いてください。例: 086-803-1254）",
        "en": "{number} is not a valid phone number (write it as published, with area code, e.g. 086-803-1254)",
    },
    "phone_no_area_code": {
        "ja": "電話番号 {number} に市外局番がありません（市外局番を付けてください。例: {area_code}-{number}）",
        "en": "phone number {number} has no area code (add it, e.g. {area_code}-{number})",
    },
    "exception_shape": {
        "ja": "特別な日の受付は「closed: true」か「times」のどちらか一方を書いてください",
        "en": "a dated exception needs either 'closed: true' or 'times', not both or neither",
    },
    "period_order": {
        "ja": "休業期間の end が start より前です（日付を入れ替えてください）",
        "en": "the closed period ends before it starts (swap the dates)",
    },
    "hours_no_weekly": {
        "ja": "受付時間に weekly（曜日と時間）がありません（書くか、不明なら status: not_published にしてください）",
        "en": "hours have no weekly rules (add them, or use status: not_published when none are published)",
    },
    "hours_flags_missing": {
        "ja": "祝日と年末年始の扱いが書かれていません（{fields} に true か false を書いてください）",
        "en": "holiday rules are missing (set {fields} to true or false)",
    },
    "hours_not_published_with_weekly": {
        "ja": "status: not_published なのに weekly があります（どちらか一方にしてください）",
        "en": "status is not_published but weekly hours are given (keep one)",
    },
    "recurrence_monthly": {
        "ja": "毎月の繰り返しには nth（第何）と days（曜日）が必要です（例: nth: [2], days: [tue]）",
        "en": "a monthly rule needs nth and days (e.g. nth: [2], days: [tue])",
    },
    "recurrence_yearly": {
        "ja": "年ごとの繰り返しには times_per_year（年何回）が必要です",
        "en": "a yearly rule needs times_per_year",
    },
    # --- across records
    "duplicate_id": {
        "ja": "ID「{id}」が重複しています（{first} にもあります。別の ID にしてください）",
        "en": "id '{id}' is used twice (also at {first}; choose another id)",
    },
    "unknown_ref": {
        "ja": "{kind}「{id}」が見つかりません（{hint}）",
        "en": "no {kind} with id '{id}' ({hint})",
    },
    "kind_agency": {"ja": "相談機関", "en": "agency"},
    "kind_category": {"ja": "分野", "en": "category"},
    "kind_audience": {"ja": "対象", "en": "audience"},
    "kind_area": {"ja": "地域", "en": "area"},
    "kind_area_kind": {"ja": "地域の種類", "en": "area kind"},
    "kind_program_kind": {"ja": "活動の種類", "en": "program kind"},
    "kind_source": {"ja": "資料", "en": "source"},
    "ref_hint_suggest": {"ja": "「{suggestion}」の誤りではありませんか？", "en": "did you mean '{suggestion}'?"},
    "ref_hint_where": {"ja": "{where} にある ID を書いてください", "en": "use an id defined in {where}"},
    "lang_undeclared": {
        "ja": "言語「{lang}」は site.yaml の languages にありません（追加するか、この行を削除してください）",
        "en": "language '{lang}' is not in site.yaml languages (add it there or remove this line)",
    },
    "translation_missing": {
        "ja": "必須の言語「{lang}」がありません（{lang}: ... を追加してください）",
        "en": "required language '{lang}' is missing (add {lang}: ...)",
    },
    "stale": {
        "ja": "最終確認日 {date} から {days} 日たっています（内容を確認し、last_verified を更新してください）",
        "en": "last verified {date}, {days} days ago (check the facts and update last_verified)",
    },
    "future_date": {
        "ja": "最終確認日 {date} が未来の日付です（確認した日を書いてください）",
        "en": "last_verified {date} is in the future (write the day the facts were checked)",
    },
    "hub_not_marked": {
        "ja": "分野「{category}」の★機関ですが、この分野で hub: true の相談内容がありません（services に hub: true を付けてください）",
        "en": "this is the ★ agency of '{category}' but none of its services in that category has hub: true (mark one)",
    },
    "hub_without_category": {
        "ja": "hub: true ですが、categories.yaml で分野「{category}」の hub はこの機関ではありません（どちらかを直してください）",
        "en": "hub: true, but categories.yaml does not name this agency as the hub of '{category}' (fix one of them)",
    },
    "no_site_url": {
        "ja": "サイトの公開アドレスが未設定のため、ハンドアウトに QR コードを付けていません（data/site.yaml の url か環境変数 {variable} に書いてください）",
        "en": "the site's public address is not set, so the handouts have no QR codes (set url in data/site.yaml or the {variable} variable)",
    },
    "handout_overflow": {
        "ja": "情報を最小限にしても A4 1枚に収まらないため、{pages}ページで印刷しました（印刷する文章を短くするか、templates/handouts/handouts.css の大きさを見直してください）",
        "en": "does not fit on one A4 page even with the least detail, so it was printed on {pages} pages (shorten the texts it prints or the sizes in templates/handouts/handouts.css)",
    },
    "holidays_run_out": {
        "ja": "祝日の表は {year} 年までです（holidays パッケージを更新してください）",
        "en": "the public-holiday table ends in {year} (update the holidays package)",
    },
}

SEVERITY_WORD = {"warning": {"ja": "警告", "en": "warning"}, "error": {"ja": "エラー", "en": "error"}}


def word(code: str, lang: str, /, **params) -> str:
    """The message for `code`; a parameter given as (code, params) is worded first."""
    params = {k: word(v[0], lang, **v[1]) if isinstance(v, tuple) else v for k, v in params.items()}
    templates = CATALOG[code]
    template = templates.get(lang) or templates["ja"]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def format_problem(problem: Problem, lang: str = "ja") -> str:
    """`data/agencies.yaml:12:5: what is wrong (how to fix it)` — one line per problem."""
    text = word(problem.code, lang, **problem.params)
    prefix = f"{SEVERITY_WORD['warning'][lang]}: " if problem.severity == "warning" else ""
    return f"{problem.file}:{problem.line}:{problem.column}: {prefix}{text}"
