/*
 * Tables wider than their box ({% fr_table %}): mark them (data-cnml-overflows) so that their
 * "faites défiler" hint shows and their scroll region stays reachable with the keyboard; a table
 * that fits loses both. Watched with ResizeObserver: a table shown later (a tab, an accordion) or
 * a rotated phone is measured again. Without this script the hint shows on every narrow screen.
 * No inline script: loaded with the page's CSP nonce.
 */
(function () {
  "use strict";
  function measure(box) {
    var table = box.closest(".fr-table");
    if (!table || box.clientWidth === 0) {
      return;
    }
    var overflows = box.scrollWidth > box.clientWidth + 1;
    table.toggleAttribute("data-cnml-overflows", overflows);
    table.toggleAttribute("data-cnml-fits", !overflows);
    if (overflows) {
      box.setAttribute("tabindex", "0");
    } else {
      box.removeAttribute("tabindex");
    }
  }
  var boxes = document.querySelectorAll(".fr-table__container[role='region']");
  boxes.forEach(measure);
  if (window.ResizeObserver) {
    var observer = new window.ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        measure(entry.target);
      });
    });
    boxes.forEach(function (box) {
      observer.observe(box);
    });
  } else {
    window.addEventListener("resize", function () {
      boxes.forEach(measure);
    });
  }
})();
