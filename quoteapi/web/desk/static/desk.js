// Every console page (desk-layout): after a save that came back to a section of a long page
// (/desk/quotes/Q-...#notes), the focus goes to that section's messages, so that a keyboard or
// screen-reader user hears the result and goes on from there; wide tables that scroll sideways
// get a visible cue and a keyboard stop.
(function () {
  "use strict";
  var target = location.hash && document.getElementById(location.hash.slice(1));
  if (target) {
    var messages = target.querySelector(".messages[tabindex]");
    if (messages) messages.focus({ preventScroll: true });
  }
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
