/*
 * A points question (« répartissez 100 points »): say what is left to give as the numbers are
 * typed, in the question's status line (aria-live="polite": read out without interrupting). The
 * server writes the same line on each page and stays the judge of the answer when it is sent
 * (surveys/answering.py); counted alike: whole positive numbers, spaces ignored, anything else 0.
 * No inline script: loaded with the page's CSP nonce.
 */
(function () {
  "use strict";
  var format = new Intl.NumberFormat("fr-FR");

  function points(text) {
    var digits = text.replace(/[\s\u00a0\u202f]/g, "").replace(/^\+/, "");
    return /^\d{1,9}$/.test(digits) ? parseInt(digits, 10) : 0;
  }

  // As cnml.formatting.format_count: grouped by U+202F, a no-break space before the noun, an s from 2 on.
  function count(points) {
    return format.format(points) + "\u00a0point" + (points > 1 ? "s" : "");
  }

  function message(left) {
    if (left > 0) {
      return "Reste à répartir : " + count(left) + ".";
    }
    if (left === 0) {
      return "Tous les points sont répartis.";
    }
    return count(-left) + " de trop : retirez-en pour arriver au total.";
  }

  document.querySelectorAll("[data-points-total]").forEach(function (status) {
    var group = status.closest("fieldset");
    var total = parseInt(status.getAttribute("data-points-total"), 10);
    var inputs = group.querySelectorAll("[data-points-part]");
    var shown = status.textContent.trim();

    function update() {
      var given = 0;
      inputs.forEach(function (input) {
        given += points(input.value);
      });
      var text = message(total - given);
      // Only a change is written: the same words again would be read out again.
      if (text !== shown) {
        status.textContent = text;
        shown = text;
      }
    }

    inputs.forEach(function (input) {
      input.addEventListener("input", update);
    });
  });
})();
