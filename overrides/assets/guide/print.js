/* The print date on record pages: today's date in the page's language, shown only on paper. */
(function () {
  "use strict";
  var now = window.GUIDE_NOW ? new Date(window.GUIDE_NOW) : new Date();
  var words = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "long" });
  document.querySelectorAll("time.print-date").forEach(function (time) {
    time.dateTime = [now.getFullYear(), now.getMonth() + 1, now.getDate()].map(function (n) { return String(n).padStart(2, "0"); }).join("-");
    time.textContent = words.format(now);
    time.parentElement.hidden = false;
  });
})();
