/* The open-now badge: the rules of scripts/guide/hours.py (opening_ranges, status_at, next_opening)
 * run in the browser on the same hours JSON and the city's calendar (window.GUIDE_CALENDAR, written
 * by the build from guide.hours.calendar_table into assets/guide/calendar.js).
 *
 * Every element with a data-hours attribute (the hours as JSON) gets a text and one of the classes
 * is-open / is-closed / is-unknown.  Texts come from the element's data-msg-* attributes, then
 * window.GUIDE_STRINGS (assets/guide/strings.js, written by the build from locale/<lang>.po), then
 * the English message ids below.
 * Placeholders are {name} and are filled here.  window.GUIDE_NOW (an ISO string) replaces the
 * visitor's clock, for tests.  Tested in Node against tests/vectors/hours.json.
 * Plain ES2017, no dependencies.  Browser: window.GuideOpenness; Node: module.exports. */
(function (root) {
  "use strict";

  var WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  var LOOKAHEAD_DAYS = 400; // as hours.py
  var DAY_MS = 86400000;
  var TIME_RANGE = /^\s*(\d{1,2}):(\d{2})\s*[-~〜～–]\s*(\d{1,2}):(\d{2})\s*$/;
  var DEFAULT_ZONE = "Asia/Tokyo";

  // English, the catalogs' message ids (build.JS_STRINGS): what shows when a page has no strings.js.
  var DEFAULT_STRINGS = {
    open_now: "Open now",
    closes_at: "until {time}",
    closed_now: "Closed now",
    opens_today_at: "opens today at {time}",
    closed_today: "Closed for today",
    closed_all_day: "Closed today",
    next_open: "Next open: {day} {time}",
    tomorrow: "tomorrow",
    on_weekday: "{weekday}",
    on_date: "{weekday} {month}/{date}",
    unknown: "Hours not listed — please call",
    maybe_closed_holiday: "May be closed today (public holiday)",
    maybe_closed_year_end: "May be closed today (year-end)",
    unstated_check: "the documents do not say — please check before you go",
    menu: "Menu",
    mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun"
  };

  // --- calendar days as "YYYY-MM-DD" strings (compared as strings, stepped in UTC)

  function dayNumber(iso) {
    return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS;
  }

  function addDays(iso, n) {
    return new Date((dayNumber(iso) + n) * DAY_MS).toISOString().slice(0, 10);
  }

  function weekdayOf(iso) {
    return WEEKDAYS[(new Date(dayNumber(iso) * DAY_MS).getUTCDay() + 6) % 7];
  }

  function parseRange(text) {
    var m = TIME_RANGE.exec(String(text));
    return m ? [+m[1] * 60 + +m[2], +m[3] * 60 + +m[4]] : null;
  }

  function sortedRanges(times) {
    return (times || [])
      .map(parseRange)
      .filter(Boolean)
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
  }

  // --- the calendar table: {timezone, from, until, holidays: [iso], year_end: [iso]}

  var prepared = typeof WeakMap !== "undefined" ? new WeakMap() : null;

  function calendarSets(calendar) {
    if (!calendar) return null;
    var sets = prepared && prepared.get(calendar);
    if (!sets) {
      sets = { holidays: new Set(calendar.holidays || []), yearEnd: new Set(calendar.year_end || []) };
      if (prepared) prepared.set(calendar, sets);
    }
    return sets;
  }

  function isPublished(hours) {
    return !!hours && typeof hours === "object" && (hours.status || "published") === "published";
  }

  // A flag left out (the documents do not say) needs the calendar too: to know when not to claim "open".
  function dependsOnCalendar(hours) {
    return hours.closed_on_public_holidays !== false || hours.closed_year_end !== false;
  }

  /** Can the calendar answer for `day`?  Holidays are only known between calendar.from and calendar.until. */
  function covered(hours, day, calendar) {
    if (!dependsOnCalendar(hours)) return true;
    if (!calendar || !calendar.from || !calendar.until) return false;
    return calendar.from <= day && day <= calendar.until;
  }

  /** The open ranges [[start, end] minutes after midnight] on `day` ("YYYY-MM-DD"); [] when closed or unknown. */
  function openingRanges(hours, day, calendar) {
    if (!isPublished(hours)) return [];
    var periods = hours.closed_periods || [];
    for (var i = 0; i < periods.length; i++) {
      if (periods[i].start <= day && day <= periods[i].end) return [];
    }
    var exceptions = hours.exceptions || [];
    for (var j = 0; j < exceptions.length; j++) {
      if (exceptions[j].date === day) return exceptions[j].closed ? [] : sortedRanges(exceptions[j].times);
    }
    var sets = calendarSets(calendar);
    if (hours.closed_on_public_holidays && sets && sets.holidays.has(day)) return [];
    if (hours.closed_year_end && sets && sets.yearEnd.has(day)) return [];
    var weekday = weekdayOf(day);
    var times = [];
    (hours.weekly || []).forEach(function (rule) {
      if ((rule.days || []).indexOf(weekday) >= 0) times = times.concat(rule.times || []);
    });
    return sortedRanges(times);
  }

  /** "holiday" or "year_end" when `day` is one whose rule the documents do not give (as hours.unstated_day); else null. */
  function unstatedDay(hours, day, calendar) {
    var periods = hours.closed_periods || [];
    for (var i = 0; i < periods.length; i++) {
      if (periods[i].start <= day && day <= periods[i].end) return null;
    }
    var exceptions = hours.exceptions || [];
    for (var j = 0; j < exceptions.length; j++) {
      if (exceptions[j].date === day) return null;
    }
    var sets = calendarSets(calendar);
    if (!sets) return null;
    if (hours.closed_on_public_holidays == null && sets.holidays.has(day)) return "holiday";
    if (hours.closed_year_end == null && sets.yearEnd.has(day)) return "year_end";
    return null;
  }

  // --- wall-clock time in the city's zone, whatever the visitor's zone

  var formatters = {};

  function localTime(instant, timeZone) {
    var zone = timeZone || DEFAULT_ZONE;
    var format = formatters[zone];
    if (!format) {
      format = formatters[zone] = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit"
      });
    }
    var parts = {};
    format.formatToParts(instant).forEach(function (part) { parts[part.type] = part.value; });
    var hour = +parts.hour % 24; // some engines say "24" at midnight
    var year = ("000" + parts.year).slice(-4);
    return { day: year + "-" + parts.month + "-" + parts.day, minute: hour * 60 + +parts.minute };
  }

  function toInstant(date) {
    if (date instanceof Date) return date;
    if (date === undefined || date === null) return new Date();
    return new Date(date);
  }

  /**
   * Is the counter open at `date` (a Date, an ISO string or milliseconds)?
   * Returns {state: "open"|"closed"|"unknown"|"uncertain", reason (for "uncertain"), closesAt: {date, minutes}|null, nextOpen: {date, minutes}|null},
   * dates as "YYYY-MM-DD" in the city's zone and minutes after midnight, like hours.status_at.
   * "unknown" also when the day lies outside the calendar table and the hours depend on holidays.
   */
  function statusAt(hours, date, calendar) {
    var unknown = { state: "unknown", closesAt: null, nextOpen: null };
    if (!isPublished(hours)) return unknown;
    var instant = toInstant(date);
    if (isNaN(instant.getTime())) return unknown;
    var local = localTime(instant, calendar && calendar.timezone);
    var today = local.day;
    if (!covered(hours, today, calendar)) return unknown;
    var ranges = openingRanges(hours, today, calendar);
    var reason = ranges.length ? unstatedDay(hours, today, calendar) : null;
    // Never "open" on a day the documents say nothing of.
    if (reason) return { state: "uncertain", reason: reason, closesAt: null, nextOpen: null };
    for (var i = 0; i < ranges.length; i++) {
      if (ranges[i][0] <= local.minute && local.minute < ranges[i][1]) {
        return { state: "open", closesAt: { date: today, minutes: ranges[i][1] }, nextOpen: null };
      }
    }
    // closedAllDay: no hours at all today (a holiday, a weekend), not "closed for the rest of today".
    return { state: "closed", closesAt: null, nextOpen: nextOpening(hours, today, local.minute, calendar), closedAllDay: !ranges.length };
  }

  function nextOpening(hours, today, minute, calendar) {
    for (var offset = 0; offset < LOOKAHEAD_DAYS; offset++) {
      var day = addDays(today, offset);
      if (!covered(hours, day, calendar)) return null;
      var ranges = openingRanges(hours, day, calendar);
      if (ranges.length && offset > 0 && unstatedDay(hours, day, calendar)) return null; // no date is claimed
      for (var i = 0; i < ranges.length; i++) {
        if (offset > 0 || ranges[i][0] > minute) return { date: day, minutes: ranges[i][0] };
      }
    }
    return null;
  }

  // --- words

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function clock(minutes) {
    var m = minutes % 60;
    return Math.floor(minutes / 60) + ":" + (m < 10 ? "0" : "") + m;
  }

  /** A function key -> text: the element's data-msg-* attribute, GUIDE_STRINGS, then the defaults. */
  function stringsFor(element) {
    var globalStrings = (root && root.GUIDE_STRINGS) || {};
    return function (key) {
      if (element && element.dataset) {
        var attr = "msg" + key.replace(/(^|_)([a-z])/g, function (w, s, c) { return c.toUpperCase(); });
        if (element.dataset[attr] !== undefined) return element.dataset[attr];
      }
      if (globalStrings[key] !== undefined) return globalStrings[key];
      return DEFAULT_STRINGS[key] !== undefined ? DEFAULT_STRINGS[key] : key;
    };
  }

  function dayLabel(target, today, text) {
    var wd = text(weekdayOf(target));
    var ahead = dayNumber(target) - dayNumber(today);
    if (ahead === 1) return text("tomorrow");
    if (ahead > 1 && ahead < 7) return fill(text("on_weekday"), { weekday: wd });
    return fill(text("on_date"), { weekday: wd, month: +target.slice(5, 7), date: +target.slice(8, 10) });
  }

  /** {state, text, detail} for a status: what the badge says. `text` is a function key -> string. */
  function describe(status, now, calendar, text) {
    if (status.state === "open") {
      return { state: "open", text: text("open_now"), detail: fill(text("closes_at"), { time: clock(status.closesAt.minutes) }) };
    }
    if (status.state === "closed") {
      var today = localTime(toInstant(now), calendar && calendar.timezone).day;
      var next = status.nextOpen;
      if (next && next.date === today) {
        return { state: "closed", text: text("closed_now"), detail: fill(text("opens_today_at"), { time: clock(next.minutes) }) };
      }
      return {
        state: "closed",
        text: text(status.closedAllDay ? "closed_all_day" : "closed_today"),
        detail: next ? fill(text("next_open"), { day: dayLabel(next.date, today, text), time: clock(next.minutes) }) : ""
      };
    }
    if (status.state === "uncertain") {
      var key = status.reason === "holiday" ? "maybe_closed_holiday" : "maybe_closed_year_end";
      return { state: "unknown", text: text(key), detail: text("unstated_check") };
    }
    return { state: "unknown", text: text("unknown"), detail: "" };
  }

  // --- the page

  function currentNow() {
    return root && root.GUIDE_NOW ? new Date(root.GUIDE_NOW) : new Date(Date.now());
  }

  function currentCalendar() {
    return (root && root.GUIDE_CALENDAR) || null;
  }

  function parseHours(element) {
    var raw = element.getAttribute("data-hours");
    if (!raw) return null;
    try {
      return JSON.parse(raw);
    } catch (err) {
      return null;
    }
  }

  /** Fill one [data-hours] element (its .open-status__text child when it has one). */
  function render(element, now, calendar) {
    now = now || currentNow();
    calendar = calendar || currentCalendar();
    var hours = parseHours(element);
    var status = statusAt(hours, now, calendar);
    var said = describe(status, now, calendar, stringsFor(element));
    var target = element.querySelector(".open-status__text") || element;
    while (target.firstChild) target.removeChild(target.firstChild);
    var doc = element.ownerDocument;
    var state = doc.createElement("span");
    state.className = "open-status__state";
    state.textContent = said.text;
    target.appendChild(state);
    if (said.detail) {
      var detail = doc.createElement("span");
      detail.className = "open-status__detail";
      detail.textContent = said.detail;
      target.appendChild(doc.createTextNode(" "));
      target.appendChild(detail);
    }
    ["is-open", "is-closed", "is-unknown"].forEach(function (name) { element.classList.remove(name); });
    element.classList.add("is-" + said.state);
    element.setAttribute("data-state", said.state);
    return status;
  }

  function refreshAll(scope) {
    var now = currentNow();
    var calendar = currentCalendar();
    var elements = (scope || root.document).querySelectorAll("[data-hours]");
    for (var i = 0; i < elements.length; i++) render(elements[i], now, calendar);
  }

  var api = {
    statusAt: statusAt,
    openingRanges: openingRanges,
    describe: describe,
    stringsFor: stringsFor,
    render: render,
    refreshAll: refreshAll,
    localTime: localTime,
    DEFAULT_STRINGS: DEFAULT_STRINGS
  };

  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.GuideOpenness = api;
    if (root.document) {
      var start = function () {
        refreshAll(root.document);
        // Keep the badges right while the page stays open (a counter opens or closes).
        if (!root.GUIDE_NOW) root.setInterval(function () { refreshAll(root.document); }, 60000);
      };
      if (root.document.readyState === "loading") root.document.addEventListener("DOMContentLoaded", start);
      else start();
    }
  }
})(typeof window !== "undefined" ? window : typeof globalThis !== "undefined" ? globalThis : this);
