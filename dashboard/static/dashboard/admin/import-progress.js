/*
 * Progress of an extract import in the admin: while the import runs, ask the
 * server every two seconds how many rows each file has read, update the table
 * in place, and reload the page once the import is finished (to show its
 * outcome, errors and quality report), and again once its recompute is. No inline script: loaded with the page's
 * CSP nonce from the static files.
 */
(function () {
  "use strict";
  // A failed import: its alert, first on the page, takes the focus so that it is read at once.
  var failure = document.querySelector(".extract-import-alert[role='alert']");
  if (failure) {
    failure.focus();
  }
  var box = document.querySelector("[data-import-progress-url]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-import-progress-url");
  var step = box.querySelector("[data-step]");
  var cells = box.querySelectorAll("[data-file]");

  function schedule(delay) {
    window.setTimeout(poll, delay);
  }

  function poll() {
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          schedule(5000);
          return;
        }
        if (data.finished) {
          window.location.reload();
          return;
        }
        Array.prototype.forEach.call(cells, function (cell) {
          var count = data.rows[cell.getAttribute("data-file")];
          if (count !== undefined) {
            cell.textContent = count;
          }
        });
        if (step) {
          step.textContent = data.step || data.status_label;
        }
        schedule(2000);
      })
      .catch(function () {
        schedule(5000);
      });
  }

  schedule(1000);
})();
