/* Search normalisation for the finder: the same steps as scripts/guide/normalize.py.
 * The index is normalised in Python at build time; queries are normalised here.
 * Both must agree on tests/vectors/normalize.json (tests/test_normalize.py runs this file in Node).
 * Plain ES2018, no dependencies.  Browser: window.GuideNormalize; Node: module.exports. */
(function (root) {
  "use strict";

  // Common variant (異体字) -> the form most people type.  Keep in step with VARIANTS in normalize.py.
  var VARIANTS = {
    "髙": "高", "﨑": "崎", "嵜": "崎", "碕": "崎", "邊": "辺", "邉": "辺", "齋": "斎", "齊": "斎",
    "斉": "斎", "澤": "沢", "濱": "浜", "濵": "浜", "廣": "広", "嶋": "島", "嶌": "島", "槇": "槙",
    "德": "徳", "𠮷": "吉", "國": "国", "櫻": "桜", "舘": "館", "眞": "真", "惠": "恵", "榮": "栄",
    "條": "条", "淺": "浅", "瀨": "瀬", "靜": "静", "藏": "蔵", "冨": "富", "龍": "竜", "來": "来",
    "壽": "寿", "實": "実", "萬": "万", "彌": "弥", "嶽": "岳", "與": "与", "穗": "穂", "縣": "県",
    "關": "関", "廳": "庁", "檜": "桧", "戶": "戸", "黑": "黒", "靑": "青", "增": "増", "兒": "児",
    "會": "会", "醫": "医", "學": "学", "區": "区"
  };

  var DASH_RUN = /[\-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2500\u2501\u2e3a\u2e3b\u301c\u3030\u30fc\ufe58\ufe63\uff0d\uff5e\uff70~]+/g;
  var SPACE_RUN = /[ \t\n\r\f\v\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
  var DROP = /[\u200b\u200c\u200d\u2060\ufeff\u00ad'\u2018\u2019\u02bc\uff07`\ufe00-\ufe0f]|\udb40[\udd00-\uddef]/g;
  var STRAY_SOUND_MARK = /[\u3099\u309a]/g;
  var JAPANESE = /[\u3005-\u3007\u3021-\u3029\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3ffff}]/u;
  var KANA = /[\u3041-\u30ff]/;
  var DIGIT = /[0-9]/;
  // Punctuation and symbols, except the "-" that dashes() left between two digits.
  var PUNCT = /(?!-)[\p{P}\p{S}]/u;

  function katakanaToHiragana(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      if ((code >= 0x30a1 && code <= 0x30f6) || code === 0x30fd || code === 0x30fe) {
        out += String.fromCharCode(code - 0x60);
      } else {
        out += text[i];
      }
    }
    return out;
  }

  function variants(text) {
    var out = "";
    for (var ch of text) out += VARIANTS.hasOwnProperty(ch) ? VARIANTS[ch] : ch;
    return out;
  }

  function dashes(text) {
    return text.replace(DASH_RUN, function (run, offset) {
      var before = offset > 0 ? text[offset - 1] : "";
      var after = offset + run.length < text.length ? text[offset + run.length] : "";
      if (before && after && DIGIT.test(before) && DIGIT.test(after)) return "-";
      if (before && KANA.test(before)) return "ー";
      return " ";
    });
  }

  function punctuation(text) {
    var chars = Array.from(text);
    var out = "";
    var i = 0;
    var n = chars.length;
    while (i < n) {
      if (!PUNCT.test(chars[i])) {
        out += chars[i];
        i++;
        continue;
      }
      var j = i;
      while (j < n && PUNCT.test(chars[j])) j++;
      var before = i > 0 ? chars[i - 1] : "";
      var after = j < n ? chars[j] : "";
      var japanese = (before && JAPANESE.test(before)) || (after && JAPANESE.test(after));
      out += japanese ? "" : " ";
      i = j;
    }
    return out;
  }

  /** The search form of `text`: see the steps in scripts/guide/normalize.py. */
  function normalize(text) {
    if (!text) return "";
    text = String(text).replace(/\u309b/g, "\u3099").replace(/\u309c/g, "\u309a");
    text = text.normalize("NFKC");
    text = text.toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ");
    text = katakanaToHiragana(text);
    text = variants(text);
    text = text.replace(DROP, "");
    text = text.replace(STRAY_SOUND_MARK, "");
    text = dashes(text);
    text = punctuation(text);
    return text.replace(SPACE_RUN, " ").replace(/^ +| +$/g, "");
  }

  /** Character bigrams of each word of a normalised text (a one-letter word counts as itself). */
  function bigrams(text) {
    var grams = new Set();
    text.split(" ").forEach(function (word) {
      var chars = Array.from(word);
      if (chars.length === 1) grams.add(chars[0]);
      for (var i = 0; i + 1 < chars.length; i++) grams.add(chars[i] + chars[i + 1]);
    });
    return grams;
  }

  // Particles that join two Japanese words, longest first; JOINING may also cut after two hiragana
  // when a kanji or katakana follows.  Keep in step with PARTICLES, JOINING, STOP_WORDS in normalize.py.
  var PARTICLES = ["から", "まで", "より", "には", "では", "への", "との", "での", "の", "が", "を", "に", "は", "で", "と", "へ", "も", "や"];
  var JOINING = "のがをにはでへ";
  var STOP_WORDS = new Set(
    ("a an the of for to in on at by with from about and or not no my me i im we our you your it its is are am be " +
      "can cant cannot could do dont does how what where who when which want need get help please some someone this that there " +
      "たい ない です ます した して する したい ください いる ある なる").split(" ")
  );
  var CUTS_BEFORE = /[\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3ffff}\u30a1-\u30fa\u30fc]/u;
  var HIRAGANA_CHAR = /[\u3041-\u3096]/;

  function cuts(chars, start, at, particle) {
    var before = chars[at - 1];
    if (CUTS_BEFORE.test(before)) return true;
    var after = at + particle.length < chars.length ? chars[at + particle.length] : "";
    return JOINING.indexOf(particle) >= 0 && at - start >= 2 && HIRAGANA_CHAR.test(chars[at - 2]) &&
      HIRAGANA_CHAR.test(before) && !!after && CUTS_BEFORE.test(after);
  }

  function startsWith(chars, word, at) {
    for (var k = 0; k < word.length; k++) if (chars[at + k] !== word[k]) return false;
    return true;
  }

  /** The normalised words a search compares (see words() in normalize.py), in order. */
  function words(text) {
    var chars = Array.from(String(text || "").normalize("NFKC"));
    var pieces = [];
    var start = 0;
    var i = 0;
    while (i < chars.length) {
      var particle = null;
      if (i > start) {
        for (var p = 0; p < PARTICLES.length && !particle; p++) if (startsWith(chars, PARTICLES[p], i)) particle = PARTICLES[p];
      }
      if (particle && cuts(chars, start, i, particle)) {
        pieces.push(chars.slice(start, i).join(""));
        i = start = i + particle.length;
      } else {
        i++;
      }
    }
    pieces.push(chars.slice(start).join(""));
    var found = [];
    pieces.forEach(function (piece) { normalize(piece).split(" ").forEach(function (w) { if (w) found.push(w); }); });
    var kept = found.filter(function (w) { return !STOP_WORDS.has(w); });
    return kept.length ? kept : found;
  }

  function isJapanese(text) {
    return JAPANESE.test(text);
  }

  var api = { normalize: normalize, bigrams: bigrams, words: words, isJapanese: isJapanese, VARIANTS: VARIANTS,
    PARTICLES: PARTICLES, JOINING: JOINING, STOP_WORDS: Array.from(STOP_WORDS) };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.GuideNormalize = api;
})(typeof window !== "undefined" ? window : typeof globalThis !== "undefined" ? globalThis : this);
