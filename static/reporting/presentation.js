/* SRO presentation mode (templates/reporting/statistics/presentation.html).
 * Without this script the page is a list of stacked slides with anchor links.
 * With it: one slide at a time, a slide counter (aria-live), keyboard
 * navigation (ArrowRight/PageDown/Space next, ArrowLeft/PageUp previous,
 * Home/End first/last, Escape leaves full screen) and a full-screen button.
 * No inline script or style anywhere (Content-Security-Policy). */
(function () {
  "use strict";

  function start() {
    var deck = document.getElementById("dia-s");
    if (!deck) { return; }
    var slides = Array.prototype.slice.call(deck.querySelectorAll(".slide"));
    if (!slides.length) { return; }
    var counter = document.getElementById("teller");
    var button = document.getElementById("volledig-scherm");
    var labels = deck.dataset;
    var current = 0;

    document.body.classList.add("js-slides");
    slides.forEach(function (slide) { slide.setAttribute("tabindex", "-1"); });

    function indexOfHash() {
      var id = window.location.hash.slice(1);
      for (var i = 0; i < slides.length; i += 1) {
        if (slides[i].id === id) { return i; }
      }
      return -1;
    }

    function show(index, focus) {
      current = Math.max(0, Math.min(slides.length - 1, index));
      slides.forEach(function (slide, i) {
        var active = i === current;
        slide.classList.toggle("is-current", active);
        slide.hidden = !active;
      });
      if (counter) {
        counter.textContent = labels.labelSlide + " " + (current + 1) + " " + labels.labelOf + " " + slides.length;
      }
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "#" + slides[current].id);
      }
      if (focus) { slides[current].focus({preventScroll: true}); }
      window.scrollTo(0, 0);
    }

    function isControl(target) {
      return target && target.closest && target.closest("a, button, input, select, textarea, summary");
    }

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var key = event.key;
      if (key === "Escape") {
        if (document.fullscreenElement && document.exitFullscreen) { document.exitFullscreen(); }
        return;
      }
      if (key === " " && isControl(event.target)) { return; }  // Space activates the focused control
      var next = {
        ArrowRight: current + 1, PageDown: current + 1, " ": current + 1,
        ArrowLeft: current - 1, PageUp: current - 1,
        Home: 0, End: slides.length - 1
      }[key];
      if (next === undefined) { return; }
      event.preventDefault();
      show(next, true);
    });

    window.addEventListener("hashchange", function () {
      var index = indexOfHash();
      if (index >= 0 && index !== current) { show(index, true); }
    });

    if (button && document.fullscreenEnabled) {
      button.hidden = false;
      button.addEventListener("click", function () {
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else {
          document.documentElement.requestFullscreen();
        }
      });
      document.addEventListener("fullscreenchange", function () {
        var on = Boolean(document.fullscreenElement);
        button.textContent = on ? labels.labelLeave : labels.labelFullscreen;
      });
    }

    var first = indexOfHash();
    show(first >= 0 ? first : 0, false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
