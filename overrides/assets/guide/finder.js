/* The finder: live search over the index written by scripts/guide/finder.py, on the form of
 * scripts/guide/templates/partials/finder.html.  Progressive enhancement: without this script the
 * form is a plain GET form and the pages' lists still work.
 *
 * Needs normalize.js and openness.js loaded first (window.GuideNormalize, window.GuideOpenness),
 * and window.GUIDE_CALENDAR (assets/guide/calendar.js) for the "open now" facet.
 * `search(index, query, facets)` is pure (no DOM) and is what tests/test_finder.py runs in Node.
 *
 * Matching.  The query is normalised like the index and split at spaces into terms; a doc matches
 * when every term is a substring of one of its four fields (name, kana, keywords, description) or,
 * for a Japanese term of 3+ characters, when at least 60% of the term's bigrams occur in one field.
 * Ranking: by the fields the terms were found in as substrings (name > kana > keywords >
 * description, lexicographically: a name match beats any mix of lower fields), then by the fields
 * found by bigrams, then hubs, then kana order.  When nothing matches, every doc sharing enough
 * bigrams with the query is shown, closest first, and the result is marked `fuzzy` ("近い結果").
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

  var FIELD_WEIGHTS = [8, 4, 2, 1]; // name, kana, keywords, description: bit masks, compared as numbers
  var BIGRAM_SHARE = 0.6; // "most of the term's bigrams"
  var FUZZY_SHARE = 0.3; // the fallback wants at least this share of the query's bigrams (and one)
  var FACETS = ["category", "area", "audience", "kind"];

  // --- the index, prepared once: inherited fields, synonyms joined, bigram sets

  var preparedIndexes = typeof WeakMap !== "undefined" ? new WeakMap() : null;

  function prepare(index) {
    deps();
    if (index && index.__prepared) return index;
    var cached = preparedIndexes && preparedIndexes.get(index);
    if (cached) return cached;
    var syn = index.x || {};
    var byId = {};
    index.docs.forEach(function (doc) { byId[doc.id] = doc; });
    var entries = index.docs.map(function (raw) {
      var parent = raw["in"] ? byId[raw["in"]] : null;
      var doc = Object.assign({}, raw);
      if (parent) {
        if (doc.o === undefined && parent.o !== undefined) doc.o = parent.o;
        if (doc.p === undefined && parent.p !== undefined) doc.p = parent.p;
      }
      var own = raw.s || ["", "", "", ""];
      var keywords = [own[2]];
      if (parent) keywords.push(parent.s[2]);
      (doc.c || []).forEach(function (id) { keywords.push((syn.c || {})[id]); });
      (doc.au || []).forEach(function (id) { keywords.push((syn.u || {})[id]); });
      (doc.a || []).forEach(function (id) { keywords.push((syn.a || {})[id]); });
      if (doc.k) keywords.push((syn.k || {})[doc.k]);
      var description = [own[3]];
      if (parent) description.push(parent.s[3]);
      var fields = [own[0] || "", own[1] || "", join(keywords), join(description)];
      return {
        doc: doc,
        fields: fields,
        grams: fields.map(N.bigrams),
        key: doc.r || own[1] || own[0] || "",
        hub: doc.h ? 1 : 0
      };
    });
    var result = { __prepared: true, index: index, entries: entries, labels: index.labels || {} };
    if (preparedIndexes) preparedIndexes.set(index, result);
    return result;
  }

  function join(parts) {
    return parts.filter(function (p) { return p; }).join(" ");
  }

  // --- facets

  function passesFacets(entry, facets) {
    var doc = entry.doc;
    if (facets.category && (doc.c || []).indexOf(facets.category) < 0) return false;
    if (facets.area && (doc.a || []).indexOf(facets.area) < 0) return false;
    if (facets.audience && (doc.au || []).indexOf(facets.audience) < 0) return false;
    if (facets.kind && doc.k !== facets.kind) return false;
    if (facets.open) {
      var now = facets.now || new Date();
      if (O.statusAt(doc.o, now, facets.calendar || null).state !== "open") return false;
    }
    return true;
  }

  // --- matching

  function termGrams(term) {
    return N.bigrams(term);
  }

  function share(grams, set) {
    if (!grams.size) return 0;
    var hits = 0;
    grams.forEach(function (g) { if (set.has(g)) hits++; });
    return hits / grams.size;
  }

  /** {exact, near} field masks of one term in one entry. */
  function matchTerm(entry, term, grams, bigramOk) {
    var exact = 0;
    var near = 0;
    for (var i = 0; i < 4; i++) {
      if (entry.fields[i].indexOf(term) >= 0) exact += FIELD_WEIGHTS[i];
      else if (bigramOk && share(grams, entry.grams[i]) >= BIGRAM_SHARE) near += FIELD_WEIGHTS[i];
    }
    return { exact: exact, near: near };
  }

  function compare(a, b) {
    return (
      b.exact - a.exact ||
      b.near - a.near ||
      b.entry.hub - a.entry.hub ||
      (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0) ||
      (a.entry.doc.id < b.entry.doc.id ? -1 : 1)
    );
  }

  function compareFuzzy(a, b) {
    return b.score - a.score || b.exact - a.exact || compare(a, b);
  }

  /**
   * Ranked matches: [{doc, exact, near, score}] and a flag.
   * facets: {category, area, audience, kind, open: bool, now: Date|string, calendar}.
   */
  function searchDetailed(index, query, facets) {
    deps();
    var prepared = prepare(index);
    facets = facets || {};
    var candidates = prepared.entries.filter(function (e) { return passesFacets(e, facets); });
    var terms = N.normalize(query || "").split(" ").filter(function (t) { return t; });
    if (!terms.length) {
      var all = candidates.map(function (e) { return { entry: e, exact: 0, near: 0, score: 0 }; }).sort(compare);
      return { results: all, fuzzy: false, terms: terms };
    }
    var prepTerms = terms.map(function (t) {
      return { text: t, grams: termGrams(t), bigramOk: N.isJapanese(t) && Array.from(t).length >= 3 };
    });

    // Several words found together, in order, count once more for every word: "disability certificate"
    // written as such in a description beats "disability" in one place and "certificate" in another.
    var phrase = terms.length > 1 ? terms.join(" ") : null;
    var strict = [];
    candidates.forEach(function (entry) {
      var exact = 0;
      var near = 0;
      for (var i = 0; i < prepTerms.length; i++) {
        var m = matchTerm(entry, prepTerms[i].text, prepTerms[i].grams, prepTerms[i].bigramOk);
        if (!m.exact && !m.near) return;
        exact += m.exact;
        near += m.near;
      }
      if (phrase) exact += matchTerm(entry, phrase, null, false).exact * terms.length;
      strict.push({ entry: entry, exact: exact, near: near, score: 0 });
    });
    if (strict.length) return { results: strict.sort(compare), fuzzy: false, terms: terms };

    // Nothing strict: the docs that share the most of the query's bigrams (a whole term found counts in full).
    var queryGrams = new Set();
    prepTerms.forEach(function (t) { t.grams.forEach(function (g) { queryGrams.add(g); }); });
    var needed = Math.max(1, Math.ceil(queryGrams.size * FUZZY_SHARE));
    var fuzzy = [];
    candidates.forEach(function (entry) {
      var found = new Set();
      var exact = 0;
      prepTerms.forEach(function (t) {
        var m = matchTerm(entry, t.text, t.grams, false);
        exact += m.exact;
        t.grams.forEach(function (g) {
          for (var i = 0; i < 4; i++) {
            if (m.exact || entry.grams[i].has(g)) {
              found.add(g);
              return;
            }
          }
        });
      });
      if (found.size >= needed) fuzzy.push({ entry: entry, exact: exact, near: 0, score: found.size });
    });
    return { results: fuzzy.sort(compareFuzzy), fuzzy: true, terms: terms };
  }

  /** The ranked docs (with a branch's inherited phone and hours); `.fuzzy` is true for close results. */
  function search(index, query, facets) {
    var found = searchDetailed(index, query, facets);
    var docs = found.results.map(function (r) { return r.entry.doc; });
    docs.fuzzy = found.fuzzy;
    return docs;
  }

  // --- the page

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      if (timer) root.clearTimeout(timer);
      timer = root.setTimeout(function () { timer = null; fn(); }, ms);
    };
  }

  function Finder(form) {
    this.form = form;
    var scope = form.closest(".finder-wrap") || form.ownerDocument;
    this.status = scope.querySelector(".finder-status");
    this.list = scope.querySelector(".finder-results");
    this.index = null;
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
      return;
    }
    var found = searchDetailed(this.index, state.q, {
      category: state.category,
      area: state.area,
      audience: state.audience,
      kind: state.kind,
      open: state.open,
      now: currentNow(),
      calendar: root.GUIDE_CALENDAR || null
    });
    this.render(found.results);
    var count = found.results.length;
    if (!count) this.say(this.msg("none"));
    else if (found.fuzzy) this.say(this.msg("fuzzy", { count: count }));
    else this.say(count === 1 && this.form.dataset.msgCountOne !== undefined ? this.msg("count-one", { count: 1 }) : this.msg("count", { count: count }));
  };

  Finder.prototype.say = function (text) {
    if (this.status && this.status.textContent !== text) this.status.textContent = text;
  };

  Finder.prototype.clear = function () {
    while (this.list && this.list.firstChild) this.list.removeChild(this.list.firstChild);
  };

  Finder.prototype.render = function (results) {
    var self = this;
    var doc = this.form.ownerDocument;
    var labels = prepare(this.index).labels;
    var now = currentNow();
    var calendar = root.GUIDE_CALENDAR || null;
    this.clear();
    if (!this.list) return;
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
      if (d.p) {
        var phone = doc.createElement("a");
        phone.className = "phone";
        phone.href = d.p[1];
        phone.textContent = d.p[0];
        meta.appendChild(phone);
        meta.appendChild(doc.createTextNode(" "));
      }
      if (d.t !== "p") {
        var badge = doc.createElement("span");
        badge.className = "open-status";
        badge.setAttribute("data-hours", JSON.stringify(d.o || { status: "not_published" }));
        meta.appendChild(badge);
        O.render(badge, now, calendar);
      }
      li.appendChild(meta);

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

  Finder.prototype.start = function () {
    var self = this;
    this.restore();
    var later = debounce(function () { self.update(); }, 100);
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
        self.say("");
        self.update();
      })
      .catch(function () {
        self.say(self.msg("error"));
      });
  };

  function currentNow() {
    return root.GUIDE_NOW ? new Date(root.GUIDE_NOW) : new Date();
  }

  var api = { search: search, searchDetailed: searchDetailed, prepare: prepare, Finder: Finder };

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
