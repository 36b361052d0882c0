/* The referral slip (the 紹介先 of a city's referral sheet): "Add to the slip" on agency cards and pages,
   the tray in the header, and the slip page (slip/).

   The chosen counters live only in the address: #c=<agency>,<agency>~<service>&m=<main agency>.  That
   address is the contract (it reopens the same slip anywhere, and the printed QR code holds it).  This
   script keeps it on the current page's address (history.replaceState) and adds it to links within the
   site as they are followed; it stores nothing and sends nothing (no storage, no cookie; its only
   requests are the slip's entry files on the same site).  The reasons and the note typed on the slip
   exist only on the screen and on paper: they are never put in the address or the code, and are
   emptied when the page is left.  Words come from window.GUIDE_STRINGS (strings.js, from locale/). */
(function () {
  "use strict";
  var strings = window.GUIDE_STRINGS || {};
  var ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var SVG = "http://www.w3.org/2000/svg";

  function say(key, values) {
    return (strings[key] || key).replace(/\{(\w+)\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // --- the choice, read from and written to the address ------------------------------------------

  function parse(hash) {
    var params = {};
    hash.replace(/^#/, "").split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq > 0) params[part.slice(0, eq)] = part.slice(eq + 1);
    });
    var entries = [];
    var decode = function (value) { try { return decodeURIComponent(value); } catch (e) { return value; } };
    (params.c ? decode(params.c).split(",") : []).forEach(function (token) {
      token = token.trim();
      if (!token || entries.some(function (e) { return e.token === token; })) return;
      var pair = token.split("~");
      entries.push({ token: token, agency: pair[0], service: pair.slice(1).join("~") });
    });
    return { entries: entries, main: params.m ? decode(params.m) : "" };
  }

  var choice = parse(location.hash);

  function fragment() {
    if (!choice.entries.length) return "";
    var main = choice.entries.some(function (e) { return e.agency === choice.main; }) ? "&m=" + choice.main : "";
    return "#c=" + choice.entries.map(function (e) { return e.token; }).join(",") + main;
  }

  function remember() {
    var own = location.hash && !/^#(?:c=|.*&c=)/.test(location.hash) && !choice.entries.length;
    if (!own) history.replaceState(history.state, "", location.pathname + location.search + fragment());
    updateTray();
  }

  function chosen(agency) {
    return choice.entries.some(function (e) { return e.agency === agency; });
  }

  // Links within the site carry the choice to the next page, as they are followed (also from the keyboard).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || !choice.entries.length) return;
    var url = new URL(link.href, location.href);
    if (url.origin !== location.origin || url.hash || !/\/$/.test(url.pathname)) return;
    if (url.pathname === location.pathname && url.search === location.search) return;
    link.href = url.pathname + url.search + fragment();
  }, true);

  // --- what every page has: the tray, the live region, the buttons on agency cards and pages -----

  var live = element("div", "slip-live");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  document.body.appendChild(live);

  function announce(text) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);  // a new text is read even when it is the same
  }

  function siteRoot() {
    var config = document.getElementById("__config");
    var base = ".";
    try { base = JSON.parse(config.textContent).base || "."; } catch (e) { /* no Material config: the page is at the root */ }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  var tray = element("a", "slip-tray");
  var header = document.querySelector(".md-header__inner");
  if (header) header.appendChild(tray);

  function updateTray() {
    tray.href = new URL("slip/", siteRoot()).pathname + fragment();
    tray.textContent = say("slip_tray", { count: choice.entries.length });
  }

  function nameOf(holder) {
    var heading = holder.querySelector(".agency-card__name, .slip-entry__name, h1");
    return heading ? heading.textContent.replace(/\s+/g, " ").trim() : "";
  }

  var buttons = [];

  function syncButtons() {
    buttons.forEach(function (button) {
      var on = chosen(button.dataset.agency);
      button.textContent = on ? say("slip_remove_from") : say("slip_add");
      button.classList.toggle("slip-add--on", on);
    });
  }

  function addButton(holder, agency, after) {
    if (!ID.test(agency) || !after) return;
    var button = element("button", "slip-add");
    button.type = "button";
    button.dataset.agency = agency;
    button.addEventListener("click", function () {
      var name = nameOf(holder);
      if (chosen(agency)) {
        choice.entries = choice.entries.filter(function (e) { return e.agency !== agency; });
        announce(say("slip_removed", { name: name, count: choice.entries.length }));
      } else {
        choice.entries.push({ token: agency, agency: agency, service: "" });
        announce(say("slip_added", { name: name, count: choice.entries.length }));
      }
      remember();
      syncButtons();  // the same button, relabelled: focus stays on it
    });
    after.insertAdjacentElement("afterend", button);
    buttons.push(button);
  }

  document.querySelectorAll(".agency-card[data-agency]").forEach(function (card) {
    addButton(card, card.dataset.agency, card.querySelector(".agency-card__name"));
  });
  document.querySelectorAll(".record.agency[data-record]").forEach(function (record) {
    addButton(record, record.dataset.record, record.querySelector("h1"));
  });
  syncButtons();
  updateTray();

  // --- the slip page ------------------------------------------------------------------------------

  var slip = document.querySelector(".slip[data-slip-address]");
  if (!slip) return;
  var app = slip.querySelector(".slip__app");
  var list = slip.querySelector(".slip__entries");
  var note = slip.querySelector(".slip__note-text");
  app.hidden = false;

  // What is typed is shown on paper by a copy beside the field (a printed textarea would cut it off).
  function mirrored(field) {
    var copy = field.parentElement.querySelector(".slip__print-text");
    field.addEventListener("input", function () { copy.textContent = field.value; });
  }
  mirrored(note);

  function drawCode(box, text) {
    var code = window.qrcode(0, "M");
    window.qrcode.stringToBytes = window.qrcode.stringToBytesFuncs["UTF-8"];
    code.addData(text);
    code.make();
    var count = code.getModuleCount();
    var quiet = 4;  // modules of quiet zone, as the QR standard asks
    var path = [];
    for (var row = 0; row < count; row++) {
      for (var col = 0; col < count; col++) {
        if (code.isDark(row, col)) path.push("M" + (col + quiet) + " " + (row + quiet) + "h1v1h-1z");
      }
    }
    var size = count + 2 * quiet;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + size + " " + size);
    svg.setAttribute("class", "qr-code");
    var back = document.createElementNS(SVG, "rect");
    back.setAttribute("width", size);
    back.setAttribute("height", size);
    back.setAttribute("fill", "#fff");
    var dark = document.createElementNS(SVG, "path");
    dark.setAttribute("d", path.join(""));
    dark.setAttribute("fill", "#000");
    svg.appendChild(back);
    svg.appendChild(dark);
    box.replaceChildren(svg);
    box.style.setProperty("--qr-modules", count);  // for paper: the code itself 30 mm, the quiet zone around it
  }

  function entries() {
    return Array.prototype.slice.call(list.children);
  }

  function tokenOf(item) {
    return choice.entries.filter(function (e) { return e.token === item.dataset.token; })[0];
  }

  // The title, the hub mark's words, the code and the address follow the counters on the slip.
  function refresh() {
    var items = entries();
    choice.entries = items.map(tokenOf).concat(choice.entries.filter(function (e) { return e.unknown; }));
    remember();
    slip.querySelector(".slip__empty").hidden = items.length > 0;
    var sensitive = items.some(function (item) {
      return tokenOf(item).service ? item.querySelector("[data-service][data-sensitive]") : item.dataset.sensitive === "true";
    });
    var concerns = [];
    slip.querySelectorAll(".slip-entry__concern").forEach(function (concern) {
      if (concerns.indexOf(concern.textContent) < 0) concerns.push(concern.textContent);
    });
    var title = slip.querySelector(".slip__title");
    title.textContent = sensitive || !concerns.length ? title.dataset.neutral : say("slip_title_about", { concerns: concerns.join(say("list_separator")) });
    slip.classList.toggle("slip--neutral", sensitive);
    var hubs = slip.querySelector(".slip__hubs");
    if (hubs) hubs.hidden = !slip.querySelector(".slip__entries [data-hub]");
    items.forEach(function (item) {
      var main = item.dataset.agency === choice.main;
      item.querySelector(".slip-entry__main-mark").hidden = !main;
      item.querySelector(".slip-entry__main-button").setAttribute("aria-pressed", main ? "true" : "false");
      item.classList.toggle("slip-entry--main", main);
    });
    var address = slip.dataset.slipAddress + fragment();
    slip.querySelector(".slip__address").textContent = address;
    drawCode(slip.querySelector(".slip__qr"), address);
  }

  function control(item, className, label, act) {
    var button = element("button", className, label);
    button.type = "button";
    button.addEventListener("click", function () { act(item, button); });
    return button;
  }

  function move(item, button, step) {
    var items = entries();
    var to = items.indexOf(item) + step;
    if (to >= 0 && to < items.length) {
      list.insertBefore(item, step < 0 ? items[to] : items[to].nextSibling);
      button.focus();  // moving the entry took the focus away from its button
      refresh();
    }
    announce(say("slip_moved", { name: nameOf(item), position: entries().indexOf(item) + 1 }));
  }

  function remove(item) {
    var items = entries();
    var next = items[items.indexOf(item) + 1] || items[items.indexOf(item) - 1];
    list.removeChild(item);
    refresh();
    (next ? next.querySelector(".slip-entry__remove") : slip.querySelector(".slip__new")).focus();
    announce(say("slip_removed", { name: nameOf(item), count: entries().length }));
  }

  function toggleMain(item) {
    choice.main = choice.main === item.dataset.agency ? "" : item.dataset.agency;
    refresh();
    if (choice.main) announce(say("slip_main_set", { name: nameOf(item) }));
  }

  var reasons = 0;

  function withControls(item, token) {
    item.dataset.token = token.token;
    var heading = item.querySelector(".slip-entry__name");
    var mark = element("span", "slip-entry__main-mark", "◎ " + say("slip_main"));
    mark.hidden = true;
    heading.insertAdjacentElement("afterend", mark);
    var tools = element("div", "slip-entry__controls");
    tools.appendChild(control(item, "slip-entry__main-button", "◎ " + say("slip_main"), toggleMain));
    tools.appendChild(control(item, "slip-entry__up", "↑ " + say("slip_up"), function (i, b) { move(i, b, -1); }));
    tools.appendChild(control(item, "slip-entry__down", "↓ " + say("slip_down"), function (i, b) { move(i, b, 1); }));
    tools.appendChild(control(item, "slip-entry__remove", say("slip_remove"), remove));
    var reason = element("div", "slip-entry__reason");
    var id = "slip-reason-" + (++reasons);
    var label = element("label", "", say("slip_reason"));
    label.htmlFor = id;
    var field = element("textarea", "slip-entry__reason-text");
    field.id = id;
    field.rows = 3;
    field.setAttribute("autocomplete", "off");
    reason.appendChild(label);
    reason.appendChild(field);
    reason.appendChild(element("p", "slip__print-text"));
    reason.lastChild.setAttribute("aria-hidden", "true");
    mirrored(field);
    item.appendChild(reason);
    item.appendChild(tools);
    return item;
  }

  // An entry file of the site, shown as it was written (escaped once by the generator); null when the
  // guide has no such counter.  Parsing it runs nothing: DOMParser's documents run no scripts.
  function fetchEntry(token) {
    if (!ID.test(token.agency) || (token.service && !ID.test(token.service))) return Promise.resolve(null);
    return fetch("entries/" + token.agency + ".html", { credentials: "omit" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        var item = text && new DOMParser().parseFromString(text, "text/html").querySelector("li.slip-entry");
        if (!item || !token.service) return item;
        var service = item.querySelector('[data-service="' + token.service + '"]');
        if (!service) return null;
        item.querySelectorAll("[data-service]").forEach(function (other) { if (other !== service) other.remove(); });
        return item;
      })
      .catch(function () { return null; });
  }

  function render() {
    slip.removeAttribute("data-ready");
    choice = parse(location.hash);
    var asked = choice.entries;
    return Promise.all(asked.map(fetchEntry)).then(function (found) {
      var unknown = [];
      list.replaceChildren();
      found.forEach(function (item, index) {
        if (item) list.appendChild(withControls(document.adoptNode(item), asked[index]));
        else { unknown.push(asked[index].token); asked[index].unknown = true; }
      });
      var named = slip.querySelector(".slip__unknown");
      named.hidden = !unknown.length;
      named.querySelector(".slip__unknown-ids").textContent = unknown.join(say("list_separator"));
      refresh();
      slip.dataset.ready = "true";
    });
  }

  function clearTyped() {
    slip.querySelectorAll("textarea").forEach(function (field) { field.value = ""; });
    slip.querySelectorAll(".slip__print-text").forEach(function (copy) { copy.textContent = ""; });
  }

  slip.querySelector(".slip__print").addEventListener("click", function () { window.print(); });
  slip.querySelector(".slip__large-box").addEventListener("change", function (event) {
    slip.classList.toggle("slip--large", event.target.checked);
  });
  slip.querySelector(".slip__new").addEventListener("click", function () {
    choice = { entries: [], main: "" };
    list.replaceChildren();
    slip.querySelector(".slip__unknown").hidden = true;
    clearTyped();
    refresh();
    announce(say("slip_new_done"));
  });
  // A new address typed or pasted (another slip): shown at once.
  window.addEventListener("hashchange", function () { clearTyped(); render(); });
  // Nothing typed outlives the page, not even in the browser's back-forward cache.
  window.addEventListener("pagehide", clearTyped);
  render();
})();
