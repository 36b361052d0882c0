/* The header's menu button, usable from the keyboard (progressive enhancement).
   Material draws it as a <label> for the hidden drawer checkbox: a mouse or finger can tap it,
   but it takes no focus.  This turns it into a button that Tab reaches, says whether the menu is
   open, opens it with Enter or Space, moves focus into the menu, keeps it there while the menu
   covers the page, and closes it with Escape. */
(function () {
  "use strict";
  var toggle = document.getElementById("__drawer");
  var button = document.querySelector('.md-header label.md-header__button[for="__drawer"]');
  var drawer = document.querySelector(".md-sidebar--primary");
  if (!toggle || !button || !drawer) return;
  var strings = window.GUIDE_STRINGS || {};

  drawer.id = drawer.id || "guide-drawer";
  button.setAttribute("role", "button");
  button.setAttribute("tabindex", "0");
  button.setAttribute("aria-controls", drawer.id);
  button.setAttribute("aria-label", strings.menu || "Menu");

  // On a phone the open menu covers the page: what it covers is made inert, so that Tab and a
  // screen reader stay in the menu until it is closed.  The overlay (a tap on it closes the menu)
  // and the toggles stay as they are.  A closed menu is inert at once, not only once it has slid
  // out (guide.css).  On a wide screen the menu is a sidebar beside the page.
  var covering = window.matchMedia("(max-width: 76.2344em)");
  var covered = [];

  function coverPage(open) {
    drawer.inert = covering.matches && !open;
    covered.forEach(function (el) { el.inert = false; });
    covered = [];
    if (!open || !covering.matches) return;
    for (var node = drawer; node.parentElement && node !== document.body; node = node.parentElement) {
      Array.prototype.forEach.call(node.parentElement.children, function (other) {
        if (other === node || other.matches("input, label.md-overlay, script")) return;
        other.inert = true;
        covered.push(other);
      });
    }
  }

  function sync() {
    button.setAttribute("aria-expanded", toggle.checked ? "true" : "false");
    coverPage(toggle.checked);
  }

  function setOpen(open) {
    if (toggle.checked !== open) toggle.click();  // a click lets Material see the change too
    sync();
  }

  button.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    event.stopPropagation();  // Material's own Enter handling would toggle the drawer a second time
    setOpen(!toggle.checked);
    if (toggle.checked) {
      var first = drawer.querySelector("a[href], label[tabindex], button");
      // Wait for the drawer to become visible (CSS keeps a closed drawer out of the tab order).
      if (first) window.setTimeout(function () { first.focus(); }, 50);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.checked) {
      setOpen(false);
      button.focus();
    }
  });

  toggle.addEventListener("change", sync);
  covering.addEventListener("change", sync);
  sync();
})();
