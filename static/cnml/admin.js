/*
 * Names the admin's form controls that Django's widgets leave unnamed (axe-core, RGAA):
 * - a control in a table cell (tabular inlines, list_editable changelists) is named by its column
 *   header and, when the row has one, the row's object;
 * - an empty column header (inline's object and delete columns) gets a text for screen readers;
 * - select2 boxes (autocomplete_fields) are named by their field's label;
 * - the filter_horizontal search icon's aria-label is kept as an image's name (role="img");
 * - a tabular inline wider than the screen scrolls in its box: the box is then a region named by
 *   the inline's heading that the keyboard can reach (as static/cnml/tables.js does for tables).
 * Widgets are built by Django's scripts at load time and when a formset row is added: a
 * MutationObserver names what they add. No inline script (strict CSP).
 */
(function () {
  "use strict";
  var CONTROLS = "input:not([type=hidden]), select, textarea";

  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function hasName(control) {
    if (control.getAttribute("aria-label") || control.getAttribute("aria-labelledby")) {
      return true;
    }
    if (control.closest("label")) {
      return true;
    }
    return Boolean(control.id && document.querySelector('label[for="' + control.id + '"]'));
  }

  function nameCellControl(control) {
    var cell = control.closest("td, th");
    var table = cell && cell.closest("table");
    if (!table || hasName(control) || !table.tHead) {
      return;
    }
    var header = table.tHead.rows[0].cells[cell.cellIndex];
    // A sortable changelist column keeps its title in .text (beside its sorting links).
    var column = text(header && (header.querySelector(".text") || header));
    if (!column) {
      return;
    }
    var row = cell.parentElement;
    // The row's object: an inline's first cell, a changelist row's header cell.
    var rowLabel = text(row.querySelector("td.original p")) || text(row.querySelector("th"));
    control.setAttribute("aria-label", rowLabel ? column + " – " + rowLabel : column);
  }

  function nameEmptyHeaders(root) {
    root.querySelectorAll("thead th").forEach(function (header) {
      if (text(header) || header.querySelector(".cnml-admin-sr, input, select")) {
        return;
      }
      var span = document.createElement("span");
      span.className = "visually-hidden cnml-admin-sr";
      span.textContent = header.classList.contains("original") ? "Élément" : "Actions";
      header.appendChild(span);
    });
  }

  function nameSelect2(root) {
    root.querySelectorAll(".select2-container").forEach(function (container) {
      var select = container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") {
        return;
      }
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var name = text(label).replace(/\s*:$/, "") || select.getAttribute("aria-label") || select.name;
      container.querySelectorAll("[role=combobox], [role=textbox], .select2-search__field").forEach(function (part) {
        part.removeAttribute("aria-labelledby");
        part.setAttribute("aria-label", name);
      });
      // A multiple choice lists its choices in a <ul> that also holds spans: not a list for assistive tools.
      container.querySelectorAll("ul.select2-selection__rendered").forEach(function (list) {
        list.setAttribute("role", "none");
        Array.prototype.forEach.call(list.children, function (item) {
          item.setAttribute("role", "none");
        });
      });
    });
  }

  function measureInline(group) {
    var overflows = group.scrollWidth > group.clientWidth + 1;
    if (overflows) {
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "region");
      group.setAttribute("aria-labelledby", group.id.replace(/-group$/, "-heading"));
    } else {
      group.removeAttribute("tabindex");
      group.removeAttribute("role");
      group.removeAttribute("aria-labelledby");
    }
  }

  function watchInlines() {
    var groups = document.querySelectorAll(".inline-group[data-inline-type=tabular]");
    groups.forEach(measureInline);
    if (window.ResizeObserver) {
      var observer = new window.ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          measureInline(entry.target);
        });
      });
      groups.forEach(function (group) {
        observer.observe(group);
      });
    }
  }

  function fix(root) {
    if (!root.querySelectorAll) {
      return;
    }
    root.querySelectorAll("td " + CONTROLS.split(", ").join(", td ")).forEach(nameCellControl);
    nameEmptyHeaders(root);
    nameSelect2(root);
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function start() {
    fix(document);
    watchInlines();
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) {
            fix(node.parentElement || node);
          }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
