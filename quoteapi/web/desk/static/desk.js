// Every console page (desk-layout): a table wider than its region (.table-wrap) scrolls sideways
// there, not the page; this marks it (the cue's border) and makes it a keyboard stop to scroll with
// the arrow keys. (After a save, the focus goes to the section's messages without script: they hold
// the anchor, /desk/quotes/Q-...#notes, and are focusable; see templates/desk/_flashes.html.)
(function () {
  "use strict";
  var wraps = document.querySelectorAll(".table-wrap");
  function mark() {
    wraps.forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("scrolls", scrolls);
      if (scrolls) wrap.setAttribute("tabindex", "0");
      else if (wrap.hasAttribute("data-auto-tabindex")) wrap.removeAttribute("tabindex");
    });
  }
  wraps.forEach(function (wrap) { if (!wrap.hasAttribute("tabindex")) wrap.setAttribute("data-auto-tabindex", ""); });
  mark();
  window.addEventListener("resize", mark);
})();
