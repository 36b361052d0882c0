/* The finder: live search over the index written by scripts/guide/finder.py, on the form of
 * scripts/guide/templates/partials/finder.html.  Progressive enhancement: without this script the
 * form is a plain GET form and the pages' lists still work.
 *
 * Needs normalize.js and openness.js loaded first (window.GuideNormalize, window.GuideOpenness),
 * and window.GUIDE_CALENDAR (assets/guide/calendar.js) for the "open now" facet.
 * `search(index, query, facets)` is pure (no DOM) and is what tests/test_finder.py runs in Node.
 *
 * Matching.  The query is split into words by normalize.js's words() (the split finder.py gives the
 * residents' phrases): at spaces and at the particles between Japanese words (近所のゴミ屋敷 → 近所,
 * ごみ屋敷), leaving out endings and English stop words ("for", "the", "can't" …) when other words
 * remain.  A Latin term matches whole words only, with plurals and common endings ("senior" =
 * "seniors", "depressed" = "depression", "DV" ≠ "DVD"), never an acronym of the data ("aid" ≠ AIDS,
 * index "ac"); the last term while it is being typed (4+ letters, no space after it) also matches the
 * start of a word, as a near match.  A Japanese term matches as a substring of a tier's texts, or as
 * whole words of its readings (never a fragment of one); or near, when 60% of its bigrams occur in one
 * tier's texts, or when its kanji runs are found (親の介護 → 介護, 仕事を探したい → 仕事 探).
 * Residents' phrases (index "ph") the query says explain their words: the records of the phrases'
 * concerns (and the counters they name) match those words.  A word no record has is left out; a
 * doc matches when it has every other word (or every word the phrases explain); when none has all,
 * the docs with the most words are shown, marked `partial`.
 * Tiers: name, reading, keywords, description (the doc's own), then "related" (the synonyms of its
 * categories, audiences, areas and kind, and a branch's agency).
 *
 * Ranking, key by key:
 *   0. for a crisis phrase, the concern's counters first: its hub, those with a phone, then the
 *      others; then the docs with more of the query's words; the counters the phrases name; docs that
 *      take residents before those that take none ("nr"); how much a doc is about the phrases'
 *      concerns (their hub first, then the share of its categories among them);
 *   1. every term matched exactly, before near matches;
 *   2. the name says it: every term in the name or reading (a program counts here only when the
 *      query spells out half of its name or more);
 *   3. the hub counter of a concern of the query (a category whose synonyms hold the most terms, or
 *      the category chosen; any hub when there is no query), then agencies before programs;
 *   4. the doc's own text says it, before matches through synonyms only;
 *   5. how much of the query matched and where: the share of the matched words the terms cover,
 *      then the tiers they were found in (name > reading > keywords > description > related);
 *   6. kana order.
 * An agency and its branches are one result: the agency (or its one matching branch) with the
 * matching branches listed by area.  When nothing matches, the docs sharing enough of the query
 * (30% of its bigrams and Latin words) are shown, closest first, at most FUZZY_LIMIT, marked `fuzzy`.
 *
 * Loading.  A large guide's index comes in parts (finder.py's index_files): the first part is searched
 * as soon as it is in, the others are asked for once those results are painted (the first results wait
 * for one part, not for the whole index), and the results are refreshed, complete, when the last is in.
 *
 * The page.  A crisis search shows, before the results, the urgent contacts (index "uc") and the
 * concern's counters with their phones; no results shows the finder page's .finder-none block (the
 * concerns and the hub counters); on a phone the filters fold behind one button until used; the status
 * is read out at every search, even when its text stays the same; a print-only line carries the
 * query, the date, the site's and the page's address.
 *
 * Messages come from data-msg-* attributes of the form (see the partial); placeholders are {name}.
 * Plain ES2017, no dependencies.  Browser: window.GuideFinder; Node: module.exports. */
(function (root) {
  "use strict";

  var inNode = typeof module !== "undefined" && module.exports;
  var N = inNode ? require("./normalize.js") : root.GuideNormalize;
  var O = inNode ? require("./openness.js") : root.GuideOpenness;

  // In the browser the helpers may load after this file (async scripts): look them up when needed.
  function deps() {
    N = N || root.GuideNormalize;
    O = O || root.GuideOpenness;
    if (!N || !O) throw new Error("finder.js needs normalize.js and openness.js");
  }

  var TIERS = 5; // name, reading, keywords, description, related
  var TIER_WEIGHTS = [16, 8, 4, 2, 1]; // bit masks, compared as numbers
  var BIGRAM_SHARE = 0.6; // "most of the term's bigrams"
  var RUN_SHARE = 0.6; // "most of the term's kanji"
  var FUZZY_SHARE = 0.3; // the fallback wants at least this share of the query (and one bigram or word)
  var FUZZY_LIMIT = 10;
  var PAGE_SIZE = 20; // results drawn at once; a button shows the next ones
  var PROGRAM_NAME_SHARE = 0.5; // a program's name "says it" when the query spells out this much of it
  var FACETS = ["category", "area", "audience", "kind"];
  var LATIN_WORD = "a-z0-9\u00c0-\u024f";
  var KANJI_RUN = /[\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var KANA_RUN = /[\u3041-\u309f\u30fc]{2,}/g;

  // --- the index, prepared once: inherited fields, synonyms joined, bigram sets

  var preparedIndexes = typeof WeakMap !== "undefined" ? new WeakMap() : null;

  function prepare(index) {
    deps();
    if (index && index.__prepared) return index;
    var cached = preparedIndexes && preparedIndexes.get(index);
    if (cached) return cached;
    var result = {
      __prepared: true, index: index, entries: [], byId: {}, raw: {}, labels: index.labels || {},
      phrases: (index.ph || []).map(function (p) {
        var said = p.w.map(function (w) { var t = apart(w); return { whole: t[0].replace(/ /g, ""), words: t[1] ? t[1].split(" ") : [] }; });
        return { said: said, concerns: p.c, crisis: !!p.cr, counters: p.d || [] };
      }),
      acronyms: new Set(index.ac || [])
    };
    addDocs(result, index.docs);
    if (preparedIndexes) preparedIndexes.set(index, result);
    return result;
  }

  /** Docs of a later part of the index (finder-index-N.json): added to the index and its prepared form. */
  function extend(index, docs) {
    var prepared = prepare(index);
    index.docs = index.docs.concat(docs);
    addDocs(prepared, docs);
  }

  function addDocs(prepared, docs) {
    var syn = prepared.index.x || {};
    var byId = prepared.raw;
    docs.forEach(function (doc) { byId[doc.id] = doc; });
    var offset = prepared.entries.length;
    docs.forEach(function (raw, n) {
      var parent = raw["in"] ? byId[raw["in"]] : null;
      var doc = Object.assign({}, raw);
      if (parent) {
        if (doc.o === undefined && parent.o !== undefined) doc.o = parent.o;
        if (doc.p === undefined && parent.p !== undefined) doc.p = parent.p;
        if (doc.ct === undefined && parent.ct !== undefined) doc.ct = parent.ct;
      }
      var own = (raw.s || ["", "", "", ""]).map(apart);
      var related = parent ? parent.s.map(apart) : [];
      (doc.c || []).forEach(function (id) { related.push(apart((syn.c || {})[id])); });
      (doc.au || []).forEach(function (id) { related.push(apart((syn.u || {})[id])); });
      (doc.a || []).forEach(function (id) { related.push(apart((syn.a || {})[id])); });
      if (doc.k) related.push(apart((syn.k || {})[doc.k]));
      var fields = own.map(function (t) { return t[0]; }).concat([join(related.map(function (t) { return t[0]; }))]);
      var readings = own.map(function (t) { return t[1]; }).concat([join(related.map(function (t) { return t[1]; }))]);
      var entry = {
        doc: doc,
        fields: fields,
        readings: readings,
        allReadings: readings.slice(0, 4).join(" "),
        relatedKey: fields[4] + "\t" + readings[4],
        // The doc's own tiers at once: one test rules most docs out.  The related tier is shared by
        // every doc of the same categories, audiences and areas: its tests are cached per query.
        all: fields.slice(0, 4).join("\n"),
        key: doc.r || fields[1] || fields[0] || "",
        group: raw["in"] || raw.id,
        position: offset + n,
        hubOf: Array.isArray(doc.h) ? doc.h : [],
        agency: doc.t === "p" ? 0 : 1
      };
      prepared.entries.push(entry);
      prepared.byId[doc.id] = entry;
    });
  }

  function join(parts) {
    return parts.filter(function (p) { return p; }).join(" ");
  }

  /** [texts, reading words] of one tier as finder.py writes it (READINGS, a tab, between them). */
  function apart(text) {
    var at = (text || "").indexOf("\t");
    return at < 0 ? [text || "", ""] : [text.slice(0, at), text.slice(at + 1)];
  }

  // --- facets

  function passesFacets(entry, facets) {
    var doc = entry.doc;
    if (facets.category && (doc.c || []).indexOf(facets.category) < 0) return false;
    if (facets.area && (doc.a || []).indexOf(facets.area) < 0) return false;
    if (facets.audience && (doc.au || []).indexOf(facets.audience) < 0) return false;
    if (facets.kind && doc.k !== facets.kind) return false;
    if (facets.open && !isOpen(entry, facets)) return false;
    return true;
  }

  function isOpen(entry, facets) {
    return O.statusAt(entry.doc.o, facets.now || new Date(), facets.calendar || null).state === "open";
  }

  // --- the query

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /** "seniors" → "senior", "families" → "family"; short words and -ss/-us/-is stay. */
  function singular(word) {
    if (word.length > 4 && /ies$/.test(word)) return word.slice(0, -3) + "y";
    if (word.length > 3 && /s$/.test(word) && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
    return word;
  }

  /** The forms of an English word a search takes as the same word: plurals and the common endings
   * (depressed = depression = depressing, abuse = abused, family = families).  An acronym of the data
   * (AIDS) is never taken for a form of another word (aid): only typed as such. */
  function forms(word, acronyms) {
    var stems = [word, singular(word)];
    var ending = /^(.{3,}?)(ed|ing|ion|ions|ive)$/.exec(word);
    if (ending) stems.push(ending[1], ending[1] + "e");
    if (/ied$/.test(word) && word.length > 4) stems.push(word.slice(0, -3) + "y");
    var out = new Set();
    stems.forEach(function (stem) {
      out.add(stem);
      if (stem.length < 3 || /[0-9]/.test(stem)) return;
      var base = /e$/.test(stem) ? stem.slice(0, -1) : stem;
      out.add(stem + "s");
      if (!/e$/.test(stem)) out.add(stem + "es");
      ["ed", "ing", "ion", "ions"].forEach(function (suffix) { out.add(base + suffix); });
      if (/y$/.test(stem)) { out.add(stem.slice(0, -1) + "ies"); out.add(stem.slice(0, -1) + "ied"); }
    });
    return Array.from(out).filter(function (form) { return form === word || !(acronyms && acronyms.has(form)); });
  }

  function latinPattern(word, prefix, acronyms) {
    var body = prefix ? escapeRegExp(word) : "(?:" + forms(word, acronyms).map(escapeRegExp).join("|") + ")";
    return new RegExp("(?:^|[^" + LATIN_WORD + "])" + body + (prefix ? "" : "(?![" + LATIN_WORD + "])"));
  }

  /** A kana word found only as whole words of a reading (or a run of them): かいごほけん in
   * "かいご ほけん の しんせい", never the たい of "したい". */
  function readingPattern(text) {
    return new RegExp("(?:^| )" + Array.from(text).map(escapeRegExp).join(" ?") + "(?= |$)");
  }

  function parseQuery(query, acronyms) {
    var raw = String(query || "");
    // Split as normalize.js's words() does, the same split finder.py gives the residents' phrases.
    var words = N.words(raw);
    var typing = !/\s$/.test(raw);
    return words.map(function (text, i) {
      var latin = !N.isJapanese(text);
      var term = { text: text, latin: latin, grams: Array.from(N.bigrams(text)), length: Array.from(text).length, cache: new Map() };
      term.gramCaches = term.grams.map(function () { return new Map(); });
      if (latin) {
        term.pattern = latinPattern(text, false, acronyms);
        if (typing && i === words.length - 1 && text.length >= 4) term.prefix = latinPattern(text, true);
      } else {
        term.bigramOk = term.length >= 3;
        term.runs = (text.match(KANJI_RUN) || []);
        term.kana = (text.replace(KANJI_RUN, " ").match(KANA_RUN) || []);
        term.runsOk = term.runs.length > 0 && term.runs.join("").length < term.length;
        term.runCaches = term.runs.map(function () { return new Map(); });
        term.kanaCaches = term.kana.map(function () { return new Map(); });
        if (!term.runs.length) term.reading = readingPattern(text);
      }
      return term;
    });
  }

  // --- matching

  /** The share of `grams` found in `field`.  A bigram never holds a space, so a substring test is
   * the same as looking it up in the field's bigrams (and needs no sets: fast on a large index). */
  function share(grams, field) {
    if (!grams.length) return 0;
    var hits = 0;
    for (var i = 0; i < grams.length; i++) if (field.indexOf(grams[i]) >= 0) hits++;
    return hits / grams.length;
  }

  /** The share of the space-separated phrase around `at` that `length` characters cover. */
  function coverAt(field, at, length) {
    var start = field.lastIndexOf(" ", at) + 1;
    var end = field.indexOf(" ", at + length);
    return length / ((end < 0 ? field.length : end) - start);
  }

  var NO_MATCH = { hit: 0, cover: 0, near: 0 };

  /** {hit, cover, near} of one term in one tier: its texts, and the reading words of its kanji. */
  function fieldMatch(term, field, readings) {
    if (term.latin) {
      if (term.pattern.test(field)) return { hit: 1, cover: 1, near: 0 };
      return term.prefix && term.prefix.test(field) ? { hit: 0, cover: 0, near: 1 } : NO_MATCH;
    }
    var at = field.indexOf(term.text);
    if (at >= 0) return { hit: 1, cover: coverAt(field, at, term.text.length), near: 0 };
    if (term.reading && readings && term.reading.test(readings)) return { hit: 1, cover: 1, near: 0 };
    // Near: most of the term's bigrams in the texts (never in readings: two kana of a reading say nothing).
    return term.bigramOk && field && share(term.grams, field) >= BIGRAM_SHARE ? { hit: 0, cover: 0, near: 1 } : NO_MATCH;
  }

  /** `compute(field)`, once per query for each distinct related text. */
  function cached(cache, field, compute) {
    var value = cache.get(field);
    if (value === undefined) {
      value = compute(field);
      cache.set(field, value);
    }
    return value;
  }

  /** {exact, near, cover, nameCover, share} of one term in one entry: tier masks and how much it covers. */
  function matchTerm(entry, term) {
    var m = { exact: 0, near: 0, cover: 0, nameCover: 0, share: 0 };
    var own = mayMatch(entry, term);
    for (var i = 0; i < TIERS; i++) {
      var r = i === 4
        ? cached(term.cache, entry.relatedKey, function () { return fieldMatch(term, entry.fields[4], entry.readings[4]); })
        : own ? fieldMatch(term, entry.fields[i], entry.readings[i]) : NO_MATCH;
      if (r.hit) {
        m.exact += TIER_WEIGHTS[i];
        if (r.cover > m.cover) m.cover = r.cover;
        // How much of the name the term spells out (Latin words are measured against the whole title).
        var ofName = term.latin ? term.length / titleLength(entry) : r.cover;
        if (i < 2 && ofName > m.nameCover) m.nameCover = ofName;
      } else if (r.near) {
        m.near += TIER_WEIGHTS[i];
      }
    }
    if (m.exact) {
      m.share = 1;
      return m;
    }
    if (term.runsOk) {
      // The kanji carry the meaning: 親の介護 is about 介護 and 親; kana of 2+ letters may add to it.
      var total = 0;
      var hit = 0;
      var mask = 0;
      term.runs.forEach(function (run, n) {
        total += run.length;
        var where = tiersWith(entry, run, term.runCaches[n]);
        if (where) { hit += run.length; mask |= where; }
      });
      if (total && hit / total >= RUN_SHARE) {
        m.near |= mask;
        m.share = hit / total;
        term.kana.forEach(function (run, n) { if (tiersWith(entry, run, term.kanaCaches[n])) m.share += 0.1; });
      }
    }
    if (m.near && !m.share) m.share = 0.5;
    return m;
  }

  function titleLength(entry) {
    if (entry.titleLength === undefined) entry.titleLength = N.normalize(entry.doc.n).replace(/ /g, "").length;
    return entry.titleLength;
  }

  /** False when no own tier can match `term` in any way (tested on the four at once). */
  function mayMatch(entry, term) {
    if (term.latin) return term.pattern.test(entry.all) || !!(term.prefix && term.prefix.test(entry.all));
    if (entry.all.indexOf(term.text) >= 0) return true;
    if (term.reading && term.reading.test(entry.allReadings)) return true;
    if (term.bigramOk && share(term.grams, entry.all) >= BIGRAM_SHARE) return true;
    return !!term.runsOk && term.runs.some(function (run) { return entry.all.indexOf(run) >= 0; });
  }

  /** The tiers that hold `text` as a mask; `cache` (a Map) keeps the related tier's answer per query. */
  function tiersWith(entry, text, cache) {
    var mask = cached(cache, entry.fields[4], function (field) { return field.indexOf(text) >= 0 ? TIER_WEIGHTS[4] : 0; });
    if (entry.all.indexOf(text) < 0) return mask;
    for (var i = 0; i < 4; i++) if (entry.fields[i].indexOf(text) >= 0) mask |= TIER_WEIGHTS[i];
    return mask;
  }

  /** 3: the name says it, 2: the doc's own text says it, 1: only its categories' (or agency's) synonyms. */
  function closeness(entry, masks, nameCover) {
    var OWN_NAME = TIER_WEIGHTS[0] | TIER_WEIGHTS[1];
    var OWN = OWN_NAME | TIER_WEIGHTS[2] | TIER_WEIGHTS[3];
    var named = masks.every(function (mask) { return mask & OWN_NAME; });
    if (named && (entry.agency || nameCover >= PROGRAM_NAME_SHARE)) return 3;
    return masks.every(function (mask) { return mask & OWN; }) ? 2 : 1;
  }

  function compare(a, b) {
    return (
      b.crisis - a.crisis ||
      b.count - a.count ||
      b.counter - a.counter ||
      (a.entry.doc.nr || 0) - (b.entry.doc.nr || 0) ||
      b.focus - a.focus ||
      b.exactAll - a.exactAll ||
      (b.closeness === 3) - (a.closeness === 3) ||
      b.hub - a.hub ||
      b.entry.agency - a.entry.agency ||
      b.closeness - a.closeness ||
      b.share - a.share ||
      b.cover - a.cover ||
      b.exact - a.exact ||
      b.near - a.near ||
      (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0) ||
      a.entry.position - b.entry.position
    );
  }

  function compareFuzzy(a, b) {
    return b.score - a.score || compare(a, b);
  }

  /** The categories the query is about: those whose synonyms hold the most of its terms (a kanji word
   * of a term counts), or the whole query as a phrase; and the category chosen. */
  function concerns(prepared, terms, phrase, facets, said) {
    var hit = {};
    if (said.any) {
      // The residents' phrases say which concerns the query is about.
      Object.keys(said.concerns).forEach(function (id) { hit[id] = true; });
      if (facets.category) hit[facets.category] = true;
      return hit;
    }
    var synonyms = (prepared.index.x || {}).c || {};
    var best = 1;
    var counts = {};
    Object.keys(synonyms).forEach(function (id) {
      var text = synonyms[id];
      var count = 0;
      terms.forEach(function (t) {
        if (t.latin ? t.pattern.test(text) : text.indexOf(t.text) >= 0 ||
            (t.runs || []).some(function (run) { return run.length >= 2 && text.indexOf(run) >= 0; })) count++;
      });
      if (phrase && text.indexOf(phrase) >= 0) count = terms.length + 1;
      counts[id] = count;
      if (count > best) best = count;
    });
    Object.keys(counts).forEach(function (id) { if (counts[id] >= best) hit[id] = true; });
    if (facets.category) hit[facets.category] = true;
    return hit;
  }

  /** 1 for the hub counter of a concern of the query (any hub when the query names none). */
  function hubFor(entry, hit) {
    if (!entry.hubOf.length) return 0;
    if (!hit) return 1;
    return entry.hubOf.some(function (id) { return hit[id]; }) ? 1 : 0;
  }

  /** The residents' phrases (finder.py's "ph") the query says: their concerns, counters and crisis
   * concerns, and which terms they explain (酒がやめられない: 酒 and やめられない, though no record says them). */
  function phrasesSaid(prepared, terms, query) {
    var said = { any: false, concerns: {}, counters: {}, crisis: {}, crisisList: [], covered: terms.map(function () { return false; }) };
    var compact = N.normalize(query).replace(/ /g, "");
    var hits = [];
    prepared.phrases.forEach(function (p) {
      var found = p.said.filter(function (s) {
        var whole = N.isJapanese(s.whole) && s.whole.length >= 2 && compact.indexOf(s.whole) >= 0;
        return whole || (s.words.length > 0 && s.words.every(function (w) { return terms.some(function (t) { return sameWord(t, w); }); }));
      });
      if (!found.length) return;
      var covered = terms.map(function (t) {
        return found.some(function (s) {
          var within = !t.latin && (s.whole.indexOf(t.text) >= 0 || t.text.indexOf(s.whole) >= 0);
          return within || s.words.some(function (w) { return sameWord(t, w); });
        });
      });
      hits.push({ phrase: p, covered: covered });
    });
    // A phrase inside a longer one said too counts no more (親が心配 in 親の財産が心配), unless it is a crisis phrase.
    hits.filter(function (hit) {
      return hit.phrase.crisis || !hits.some(function (other) { return other !== hit && strictlyWithin(hit.covered, other.covered); });
    }).forEach(function (hit) {
      var p = hit.phrase;
      said.any = true;
      hit.covered.forEach(function (covered, i) { if (covered) said.covered[i] = true; });
      p.concerns.forEach(function (c) {
        said.concerns[c] = true;
        if (p.crisis && !said.crisis[c]) { said.crisis[c] = true; said.crisisList.push(c); }
      });
      p.counters.forEach(function (id) { said.counters[id] = true; });
    });
    return said;
  }

  /** True when the words `a` covers are some of those `b` covers, and fewer. */
  function strictlyWithin(a, b) {
    var fewer = false;
    for (var i = 0; i < a.length; i++) {
      if (a[i] && !b[i]) return false;
      if (b[i] && !a[i]) fewer = true;
    }
    return fewer;
  }

  function sameWord(term, word) {
    return term.latin ? term.pattern.test(word) : term.text === word;
  }

  /** How a doc answers the phrases said: as a counter they name (keyword tier), as a record of their
   * concern (related tier), or not (0). */
  function phraseTier(entry, said) {
    if (!said.any) return 0;
    if (said.counters[entry.doc.id] || said.counters[entry.group]) return TIER_WEIGHTS[2];
    var categories = entry.doc.c || [];
    for (var i = 0; i < categories.length; i++) if (said.concerns[categories[i]]) return TIER_WEIGHTS[4];
    return 0;
  }

  /** For a crisis phrase: the concern's hub first, then its counters with a phone, then its other
   * counters (a counter that takes no residents last of them); 0 for anything else. */
  function crisisRank(entry, said) {
    if (!said.crisisList.length || entry.doc.t === "p") return 0;
    if (!(entry.doc.c || []).some(function (c) { return said.crisis[c]; })) return 0;
    if (entry.doc.nr) return 1;
    var hub = entry.hubOf.some(function (c) { return said.crisis[c]; });
    return 2 + (hub ? 2 : 0) + (entry.doc.p ? 1 : 0);
  }

  /** One scored match: how many terms (and which) it matches, or null when none. */
  function score(entry, terms, phrase, hit, said) {
    var exact = 0, near = 0, cover = 0, nameCover = 0, shares = 0, exactAll = 1, count = 0, matched = [];
    var masks = [];
    var virtual = -1; // how the doc answers the phrases said: looked up only when a word needs it
    for (var i = 0; i < terms.length; i++) {
      var m = matchTerm(entry, terms[i]);
      // A word the phrase explains is matched by the phrase's records (a near match of its kana is noise).
      if (!m.exact && said.covered[i]) {
        if (virtual < 0) virtual = phraseTier(entry, said);
        if (virtual) m = { exact: virtual, near: 0, cover: 1, nameCover: 0, share: 1 };
      }
      matched.push(!!(m.exact || m.near));
      if (!m.exact && !m.near) continue;
      count++;
      if (!m.exact) exactAll = 0;
      exact += m.exact;
      near += m.near;
      cover += m.cover;
      nameCover += m.nameCover;
      shares += Math.min(m.share, 1);
      masks.push(m.exact || m.near);
    }
    if (!count) return null;
    // Several words found together, in order, count once more for every word: "disability certificate"
    // written as such in a description beats "disability" in one place and "certificate" in another.
    if (phrase) exact += tiersWith(entry, phrase, terms.phraseCache) * terms.length;
    return {
      entry: entry,
      matched: matched,
      count: count,
      crisis: crisisRank(entry, said),
      counter: (virtual < 0 ? phraseTier(entry, said) : virtual) === TIER_WEIGHTS[2] ? 1 : 0,
      focus: focus(entry, said),
      exactAll: exactAll,
      // Only an exact match of every term can say "the name says it".
      closeness: Math.min(closeness(entry, masks, nameCover), exactAll && count === terms.length ? 3 : 2),
      hub: hubFor(entry, hit),
      share: shares / terms.length,
      cover: cover / terms.length,
      exact: exact,
      near: near,
      score: 0
    };
  }

  /** How much a counter is about the phrases' concerns: the concern's hub first, then the share of its
   * categories among them (for 学校に行かない, a child guidance counter before an agency with one child-related
   * service of three). */
  function focus(entry, said) {
    var categories = entry.doc.c || [];
    if (!said.any || entry.doc.t === "p" || !categories.length) return 0;
    var hub = entry.hubOf.some(function (c) { return said.concerns[c]; }) ? 1 : 0;
    return hub + categories.filter(function (c) { return said.concerns[c]; }).length / categories.length;
  }

  /** True when `r` matches every word the phrases said explain. */
  function coversPhrase(r, said) {
    return said.covered.every(function (covered, i) { return !covered || r.matched[i]; });
  }

  /** A result that matched by no word (facets alone, or a close result). */
  function unscored(entry, fields) {
    return Object.assign({ entry: entry, matched: [], count: 0, crisis: 0, counter: 0, focus: 0, exactAll: 0, closeness: 0, hub: 0, share: 0, cover: 0, exact: 0, near: 0, score: 0 }, fields);
  }

  /** Branches join their agency's result: the agency with its matching branches listed, or the one
   * matching branch when it ranks above its agency or the agency does not match. */
  function collapse(results, prepared) {
    var groups = {};
    var out = [];
    results.forEach(function (r) {
      var g = groups[r.entry.group];
      if (!g) {
        g = groups[r.entry.group] = { best: r, head: null, branches: [] };
        out.push(g);
      }
      if (r.entry.doc.t === "b") g.branches.push(r);
      else g.head = r;
    });
    return out.map(function (g) {
      // One office that matches better than its agency (the query names it) is the result itself.
      var one = g.branches.length === 1 ? g.branches[0] : null;
      var head = one && (!g.head || one.closeness > g.head.closeness) ? one.entry : g.head && g.head.entry;
      if (!head) head = prepared.byId[g.best.entry.group] || g.best.entry;
      var branches = head.doc.t === "b" ? [] : g.branches.map(function (b) { return b.entry; });
      branches.sort(function (a, b) { return a.position - b.position; });
      return Object.assign({}, g.best, { entry: head, branches: branches });
    });
  }

  /**
   * Ranked matches: {results: [{entry, branches, exact, near, score …}], fuzzy, terms, closed}.
   * facets: {category, area, audience, kind, open: bool, now: Date|string, calendar}.
   * With `open`, `closed` is what matched but is closed now (to say when the first one opens).
   */
  function searchDetailed(index, query, facets) {
    deps();
    var prepared = prepare(index);
    facets = facets || {};
    var found = rank(prepared, query, Object.assign({}, facets, { open: false }));
    if (!facets.open) return found;
    var open = [];
    found.results.forEach(function (r) {
      var branches = r.branches.filter(function (b) { return isOpen(b, facets); });
      if (isOpen(r.entry, facets) || branches.length) open.push(Object.assign({}, r, { branches: branches }));
    });
    return Object.assign({}, found, { results: open, closed: open.length ? [] : found.results });
  }

  function rank(prepared, query, facets) {
    var candidates = prepared.entries.filter(function (e) { return passesFacets(e, facets); });
    var terms = parseQuery(query, prepared.acronyms);
    var phrase = terms.length > 1 ? terms.map(function (t) { return t.text; }).join(" ") : null;
    terms.phraseCache = new Map();
    var said = phrasesSaid(prepared, terms, query);
    var hit = terms.length || facets.category ? concerns(prepared, terms, phrase, facets, said) : null;
    var answer = { fuzzy: false, partial: false, terms: terms, crisis: said.crisisList };
    if (!terms.length) {
      var all = candidates.map(function (e) { return unscored(e, { exactAll: 1, hub: hubFor(e, hit) }); });
      return Object.assign(answer, { results: collapse(all.sort(compare), prepared) });
    }
    var scored = [];
    candidates.forEach(function (entry) {
      var r = score(entry, terms, phrase, hit, said);
      if (r) scored.push(r);
    });
    // A word no record has (近所 in 近所のゴミ屋敷) does not fail the query: the records must have the
    // others.  When none has all of those, the records with the most of them come first.
    var known = terms.map(function (t, i) { return scored.some(function (r) { return r.matched[i]; }); });
    var wanted = known.filter(function (k) { return k; }).length;
    // The records of the phrases said stay, whatever other word the query holds (夫に殴られる).
    var strict = scored.filter(function (r) { return r.count === wanted || (said.any && coversPhrase(r, said)); });
    if (strict.length) return Object.assign(answer, { results: collapse(strict.sort(compare), prepared) });
    if (scored.length) return Object.assign(answer, { partial: true, results: collapse(scored.sort(compare), prepared) });

    // Nothing matches every term: the docs that share enough of the query (Japanese bigrams, Latin words).
    var units = 0;
    terms.forEach(function (t) { units += t.latin ? 1 : t.grams.length; });
    var needed = Math.max(1, Math.ceil(units * FUZZY_SHARE));
    var fuzzy = [];
    candidates.forEach(function (entry) {
      var hits = 0;
      var masks = [];
      var exact = 0;
      terms.forEach(function (t) {
        var m = matchTerm(entry, t);
        exact += m.exact;
        if (t.latin) {
          if (m.exact) { hits += 1; masks.push(m.exact); }
          return;
        }
        var mask = 0;
        t.grams.forEach(function (g, n) {
          for (var i = 0; i < TIERS; i++) {
            var here = i === 4
              ? cached(t.gramCaches[n], entry.fields[4], function (field) { return field.indexOf(g) >= 0; })
              : entry.fields[i].indexOf(g) >= 0;
            if (m.exact || here) {
              hits += 1;
              mask |= m.exact || TIER_WEIGHTS[i];
              return;
            }
          }
        });
        if (mask) masks.push(mask);
      });
      if (hits >= needed) {
        fuzzy.push(unscored(entry, { closeness: Math.min(closeness(entry, masks, 0), 2), hub: hubFor(entry, hit), exact: exact, score: hits }));
      }
    });
    var results = collapse(fuzzy.sort(compareFuzzy), prepared).slice(0, FUZZY_LIMIT);
    return Object.assign(answer, { fuzzy: true, results: results });
  }

  /** The ranked docs (with a branch's inherited phone and hours); `.fuzzy` is true for close results,
   * and each doc's `.branches` lists the ids of its matching branches. */
  function search(index, query, facets) {
    var found = searchDetailed(index, query, facets);
    var docs = found.results.map(function (r) {
      return Object.assign({}, r.entry.doc, { branches: r.branches.map(function (b) { return b.doc.id; }) });
    });
    docs.fuzzy = found.fuzzy;
    docs.partial = found.partial;
    docs.crisis = found.crisis;
    return docs;
  }

  // --- the page

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  /** `fn` after `ms()` milliseconds of quiet (0: at once, in the next task). */
  function debounce(fn, ms) {
    var timer = null;
    return function () {
      if (timer) root.clearTimeout(timer);
      timer = root.setTimeout(function () { timer = null; fn(); }, ms());
    };
  }

  function Finder(form) {
    this.form = form;
    var scope = form.closest(".finder-wrap") || form.ownerDocument;
    this.status = scope.querySelector(".finder-status");
    this.list = scope.querySelector(".finder-results");
    this.crisisBox = scope.querySelector(".finder-crisis");
    this.printLine = scope.querySelector(".finder-print");
    this.none = form.ownerDocument.querySelector(".finder-none");
    this.filters = form.querySelector(".finder__filters");
    this.index = null;
    this.lastSearchMs = 0;
    this.root = form.getAttribute("data-root") || "";
  }

  Finder.prototype.msg = function (key, values) {
    var attr = "msg" + key.replace(/(^|-)([a-z])/g, function (w, s, c) { return c.toUpperCase(); });
    var text = this.form.dataset[attr];
    return fill(text === undefined ? key : text, values || {});
  };

  Finder.prototype.state = function () {
    var f = this.form;
    var state = { q: f.elements.q ? f.elements.q.value : "" };
    FACETS.forEach(function (name) { state[name] = f.elements[name] ? f.elements[name].value : ""; });
    state.open = !!(f.elements.open && f.elements.open.checked);
    return state;
  };

  Finder.prototype.restore = function () {
    var params = new URLSearchParams(root.location.search);
    var f = this.form;
    if (f.elements.q && params.has("q")) f.elements.q.value = params.get("q");
    FACETS.forEach(function (name) {
      var el = f.elements[name];
      if (el && params.has(name)) {
        el.value = params.get(name);
        if (el.value !== params.get(name)) el.value = ""; // an option that no longer exists
      }
    });
    if (f.elements.open) f.elements.open.checked = params.get("open") === "1";
  };

  Finder.prototype.remember = function (state) {
    var params = new URLSearchParams(root.location.search);
    ["q"].concat(FACETS).forEach(function (name) {
      if (state[name]) params.set(name, state[name]);
      else params.delete(name);
    });
    if (state.open) params.set("open", "1");
    else params.delete("open");
    var search = params.toString();
    var url = root.location.pathname + (search ? "?" + search : "") + root.location.hash;
    if (root.history && root.history.replaceState) root.history.replaceState(null, "", url);
  };

  Finder.prototype.update = function () {
    var state = this.state();
    this.remember(state);
    if (!this.index) return;
    var hasFacet = FACETS.some(function (n) { return state[n]; }) || state.open;
    if (!state.q.trim() && !hasFacet) {
      this.clear();
      this.say("");
      this.showCrisis([], prepare(this.index));
      if (this.none) this.none.hidden = true;
      return;
    }
    var now = currentNow();
    var started = Date.now();
    var found = searchDetailed(this.index, state.q, {
      category: state.category,
      area: state.area,
      audience: state.audience,
      kind: state.kind,
      open: state.open,
      now: now,
      calendar: root.GUIDE_CALENDAR || null
    });
    this.lastSearchMs = Date.now() - started;
    this.results = found.results;
    this.shown = 0;
    this.clear();
    this.more(PAGE_SIZE);
    var count = found.results.length;
    var text;
    if (!count && found.closed && found.closed.length) text = this.closedNow(found.closed, now);
    else if (!count) text = this.msg("none");
    else if (found.fuzzy) text = this.msg("fuzzy", { count: count });
    else if (found.partial) text = this.msg("partial", { count: count });
    else text = count === 1 && this.form.dataset.msgCountOne !== undefined ? this.msg("count-one", { count: 1 }) : this.msg("count", { count: count });
    if (this.loading) text += " " + this.msg("loading-more");
    this.announce(text);
    this.showCrisis(found.crisis || [], prepare(this.index));
    if (this.none) this.none.hidden = count > 0;
    this.printed(state, now);
  };

  /** The status, read out at every search: a filter change that leaves the same count is announced
   * too (a live region says nothing when its text does not change, so it is emptied first). */
  Finder.prototype.announce = function (text) {
    var status = this.status;
    if (!status) return;
    if (this.announcing) root.clearTimeout(this.announcing);
    if (status.textContent !== text) {
      status.textContent = text;
      return;
    }
    status.textContent = "";
    this.announcing = root.setTimeout(function () { status.textContent = text; }, 150);
  };

  /** A crisis phrase: before any result, the urgent contacts the city declares, then the concern's
   * counters, those with a phone first (the hub first among equals). */
  Finder.prototype.showCrisis = function (concerns, prepared) {
    var box = this.crisisBox;
    if (!box) return;
    while (box.firstChild) box.removeChild(box.firstChild);
    var urgent = concerns.length ? prepared.index.uc || [] : [];
    var lists = concerns.map(function (concern) { return [concern, crisisCounters(prepared, concern)]; })
      .filter(function (pair) { return pair[1].length; });
    box.hidden = !urgent.length && !lists.length;
    if (box.hidden) return;
    var self = this;
    var doc = box.ownerDocument;
    var title = doc.createElement("h2");
    title.id = "finder-crisis-title";
    title.textContent = this.msg("crisis-title");
    box.appendChild(title);
    if (urgent.length) {
      box.appendChild(textElement(doc, "p", this.msg("crisis-urgent")));
      var list = doc.createElement("ul");
      urgent.forEach(function (u) {
        var li = doc.createElement("li");
        li.appendChild(doc.createTextNode(u[0] + " "));
        li.appendChild(phoneLink(doc, [u[1], u[2]]));
        if (u[3]) li.appendChild(doc.createTextNode(" (" + u[3] + ")"));
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    lists.forEach(function (pair) {
      var concern = pair[0];
      var counters = pair[1];
      box.appendChild(textElement(doc, "p", self.msg("crisis-counters", { concern: (prepared.labels.c || {})[concern] || concern })));
      var list = doc.createElement("ul");
      counters.forEach(function (e) {
        var li = doc.createElement("li");
        var link = doc.createElement("a");
        link.href = self.root + e.doc.u;
        link.textContent = e.doc.n;
        li.appendChild(link);
        li.appendChild(doc.createTextNode(" "));
        self.phone(li, e.doc, prepared);
        list.appendChild(li);
      });
      box.appendChild(list);
    });
  };

  /** The line printed above the results: the query, the date, the site's and the page's address. */
  Finder.prototype.printed = function (state, now) {
    if (!this.printLine) return;
    var loc = root.location;
    var site = this.form.getAttribute("data-site-url") || new URL(this.root || "./", loc.href).href;
    var lang = this.form.ownerDocument.documentElement.lang || undefined;
    var date = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric", timeZone: (root.GUIDE_CALENDAR || {}).timezone }).format(now);
    var values = { query: state.q.trim(), date: date, site: site, url: loc.href };
    this.printLine.textContent = this.msg(values.query ? "print" : "print-all", values);
  };

  /** The filters behind one control on a phone until used (the first result then shows without
   * scrolling); open from the start when the address already chooses one. */
  Finder.prototype.collapseFilters = function () {
    var button = this.filters;
    if (!button) return;
    var form = this.form;
    var state = this.state();
    var chosen = FACETS.some(function (n) { return state[n]; }) || state.open;
    button.hidden = false;
    var set = function (open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      form.classList.toggle("finder--collapsed", !open);
    };
    set(chosen);
    button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
  };

  /** The agencies of a crisis concern that take residents: those with a phone first, its hub first among equals. */
  function crisisCounters(prepared, concern) {
    var counters = prepared.entries.filter(function (e) {
      return e.doc.t === "a" && !e.doc.nr && (e.doc.c || []).indexOf(concern) >= 0;
    });
    return counters.sort(function (a, b) {
      return !!b.doc.p - !!a.doc.p || (b.hubOf.indexOf(concern) >= 0) - (a.hubOf.indexOf(concern) >= 0) || a.position - b.position;
    });
  }

  function textElement(doc, tag, text) {
    var el = doc.createElement(tag);
    el.textContent = text;
    return el;
  }

  function phoneLink(doc, number) {
    var phone = doc.createElement("a");
    phone.className = "phone";
    phone.href = number[1];
    phone.textContent = number[0];
    return phone;
  }

  /** Why "open now only" found nothing: how many places match, and which opens first, when. */
  Finder.prototype.closedNow = function (closed, now) {
    var calendar = root.GUIDE_CALENDAR || null;
    var first = null;
    closed.forEach(function (r) {
      [r.entry].concat(r.branches).forEach(function (e) {
        var status = O.statusAt(e.doc.o, now, calendar);
        var next = status.nextOpen;
        if (status.state !== "closed" || !next) return;
        var at = next.date + " " + ("000" + next.minutes).slice(-4);
        if (!first || at < first.at) first = { at: at, entry: e, status: status };
      });
    });
    var text = this.msg("closed-now", { count: closed.length });
    if (!first) return text + " " + this.msg("closed-no-hours");
    var when = O.describe(first.status, now, calendar, O.stringsFor(this.form)).detail;
    return text + " " + this.msg("first-opens", { name: first.entry.doc.n, when: when });
  };

  Finder.prototype.say = function (text) {
    if (this.announcing) root.clearTimeout(this.announcing);
    if (this.status && this.status.textContent !== text) this.status.textContent = text;
  };

  Finder.prototype.clear = function () {
    while (this.list && this.list.firstChild) this.list.removeChild(this.list.firstChild);
    if (this.moreButton) this.moreButton.hidden = true;
  };

  /** Show `n` more results; a button offers the rest (every match in the DOM at once is slow at scale). */
  Finder.prototype.more = function (n) {
    if (!this.list) return;
    var next = this.results.slice(this.shown, this.shown + n);
    this.render(next);
    this.shown += next.length;
    var left = this.results.length - this.shown;
    if (!this.moreButton) {
      var self = this;
      this.moreButton = this.form.ownerDocument.createElement("button");
      this.moreButton.type = "button";
      this.moreButton.className = "finder-more";
      this.moreButton.addEventListener("click", function () {
        var first = self.shown;
        self.more(PAGE_SIZE);
        var link = self.list.children[first] && self.list.children[first].querySelector("a");
        if (link) link.focus(); // keyboard and screen-reader users land on the first new result
      });
      this.list.parentNode.insertBefore(this.moreButton, this.list.nextSibling);
    }
    this.moreButton.hidden = left <= 0;
    this.moreButton.textContent = this.msg("more", { count: Math.min(left, PAGE_SIZE), left: left });
  };

  Finder.prototype.render = function (results) {
    var self = this;
    var doc = this.form.ownerDocument;
    var prepared = prepare(this.index);
    var labels = prepared.labels;
    var now = currentNow();
    var calendar = root.GUIDE_CALENDAR || null;
    var fragment = doc.createDocumentFragment();
    results.forEach(function (r) {
      var d = r.entry.doc;
      var li = doc.createElement("li");
      li.className = "finder-result finder-result--" + d.t;

      var title = doc.createElement("a");
      title.className = "finder-result__title";
      title.href = self.root + d.u;
      title.textContent = d.n;
      li.appendChild(title);

      if (d.h) {
        var hub = doc.createElement("span");
        hub.className = "hub-mark";
        hub.title = self.msg("hub");
        hub.textContent = self.msg("hub-mark");
        li.appendChild(doc.createTextNode(" "));
        li.appendChild(hub);
      }

      var type = doc.createElement("span");
      type.className = "finder-result__type";
      type.textContent = self.msg("type-" + d.t);
      li.appendChild(doc.createTextNode(" "));
      li.appendChild(type);

      var meta = doc.createElement("p");
      meta.className = "finder-result__meta";
      self.phone(meta, d, prepared);
      if (d.t !== "p") {
        var badge = doc.createElement("span");
        badge.className = "open-status";
        badge.setAttribute("data-hours", JSON.stringify(d.o || { status: "not_published" }));
        // "please call" only where there is a number to call.
        if (!d.p) badge.setAttribute("data-msg-unknown", self.msg("hours-unknown"));
        meta.appendChild(badge);
        O.render(badge, now, calendar);
      }
      li.appendChild(meta);

      if (r.branches && r.branches.length) {
        var offices = doc.createElement("p");
        offices.className = "finder-result__branches";
        offices.appendChild(doc.createTextNode(self.msg("offices") + ": "));
        r.branches.forEach(function (b, i) {
          if (i) offices.appendChild(doc.createTextNode(" "));
          var link = doc.createElement("a");
          link.href = self.root + b.doc.u;
          link.textContent = b.doc.l || b.doc.n;
          offices.appendChild(link);
        });
        li.appendChild(offices);
      }

      if (d.c && d.c.length) {
        var cats = doc.createElement("p");
        cats.className = "finder-result__categories";
        d.c.forEach(function (id) {
          var chip = doc.createElement("span");
          chip.className = "chip";
          chip.textContent = (labels.c || {})[id] || id;
          cats.appendChild(chip);
          cats.appendChild(doc.createTextNode(" "));
        });
        li.appendChild(cats);
      }
      fragment.appendChild(li);
    });
    this.list.appendChild(fragment);
  };

  /** The number to call; else who the data says to ask instead; else that the documents give none. */
  Finder.prototype.phone = function (meta, d, prepared) {
    var doc = meta.ownerDocument;
    if (d.t === "p" && !d.p) return; // a program's contact is on its page
    var instead = !d.p && d.ct && prepared.byId[d.ct] ? prepared.byId[d.ct].doc : null;
    var number = d.p || (instead && instead.p);
    if (!d.p) {
      var note = doc.createElement("span");
      note.className = "phones--missing";
      note.textContent = instead ? this.msg("call-instead", { name: instead.n }) : this.msg("no-phone");
      meta.appendChild(note);
      meta.appendChild(doc.createTextNode(" "));
    }
    if (number) {
      meta.appendChild(phoneLink(doc, number));
      meta.appendChild(doc.createTextNode(" "));
    }
  };

  Finder.prototype.start = function () {
    var self = this;
    this.restore();
    this.collapseFilters();
    // Search as the resident types while a search takes less than a frame; wait for a pause in typing
    // when it takes longer (a large index), so keystrokes never queue behind searches.
    var later = debounce(function () { self.update(); }, function () { return self.lastSearchMs < 16 ? 0 : 100; });
    // While a Japanese IME is composing, wait for the converted text.
    this.form.addEventListener("input", function (event) { if (!event.isComposing) later(); });
    this.form.addEventListener("compositionend", later);
    this.form.addEventListener("change", later);
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.update();
    });
    this.say(this.msg("loading"));
    var url = this.form.getAttribute("data-index");
    return root
      .fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (index) {
        self.index = index;
        prepare(index);
        self.loading = (index.more || []).length;
        self.say("");
        self.update();
        // The other parts are asked for once these results are on screen: the first search of a large
        // guide waits for the first part alone, not for the whole index's bytes.
        return afterPaint().then(function () { return self.loadParts(url, index.more || []); });
      })
      .catch(function () {
        self.say(self.msg("error"));
      });
  };

  /** The other parts of a large index: fetched together, added as they come (searches see them at
   * once), and the results refreshed when the last one is in (not at every part: that would redo the
   * search and redraw the list thirty times at a hundred times the first guide's size). */
  Finder.prototype.loadParts = function (url, names) {
    var self = this;
    if (!names.length) return Promise.resolve();
    var base = url.replace(/[^/]*$/, "");
    var fetches = names.map(function (name) {
      return root.fetch(base + name, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
    });
    return fetches.reduce(function (previous, next) {
      return previous.then(function () { return next; }).then(function (part) {
        extend(self.index, part.docs);
        self.loading -= 1;
      });
    }, Promise.resolve()).then(function () { self.update(); });
  };

  /** Resolves after the next frame was painted (or soon, in a hidden tab that paints no frames). */
  function afterPaint() {
    return new Promise(function (resolve) {
      var later = function () { root.setTimeout(resolve, 0); };
      if (root.requestAnimationFrame) root.requestAnimationFrame(later);
      root.setTimeout(resolve, 500);
    });
  }

  function currentNow() {
    return root.GUIDE_NOW ? new Date(root.GUIDE_NOW) : new Date();
  }

  var api = { search: search, searchDetailed: searchDetailed, prepare: prepare, extend: extend, Finder: Finder };

  if (inNode) {
    module.exports = api;
  } else {
    root.GuideFinder = api;
    var boot = function () {
      var forms = root.document.querySelectorAll("form.finder[data-index]");
      for (var i = 0; i < forms.length; i++) new Finder(forms[i]).start();
    };
    if (root.document.readyState === "loading") root.document.addEventListener("DOMContentLoaded", boot);
    else boot();
  }
})(typeof window !== "undefined" ? window : typeof globalThis !== "undefined" ? globalThis : this);
