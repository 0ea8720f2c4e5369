/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Registration: show the provider-only fields when "provider" is chosen.
  function syncRole(form) {
    var chosen = form.querySelector("[data-role-choice]:checked");
    var isProvider = chosen && chosen.value === "provider";
    form.querySelectorAll("[data-provider-only]").forEach(function (el) {
      el.hidden = !isProvider;
      el.querySelectorAll("select, input").forEach(function (input) { input.disabled = !isProvider; });
    });
  }

  // Menus built on <details>: close on outside click and on Escape.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) { menu.removeAttribute("open"); }
    });
  }

  // Anchor jumps clear the sticky header however many lines its links take (an administrator's
  // nine sections wrap in English): the stylesheet reads its height from --header-room.
  function makeRoomForHeader() {
    var header = document.querySelector(".site-header");
    if (!header || !window.ResizeObserver) { return; }
    var root = document.documentElement;
    var first = true;
    new ResizeObserver(function () {
      root.style.setProperty("--header-room", (header.offsetHeight + 16) + "px");
      var target = first && location.hash && document.getElementById(location.hash.slice(1));
      first = false;
      if (target) { target.scrollIntoView(); }  // the jump on arrival used the guess
    }).observe(header);
  }

  // Search filters: folded on phones unless some are chosen, so the results come first.
  function foldFilters() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 639px)").matches) { return; }
    document.querySelectorAll("details[data-fold-narrow]:not([data-chosen])").forEach(function (el) {
      el.removeAttribute("open");
    });
  }

  // Text with its dates (2027-03-31) in <time>, which the stylesheet keeps on one line; as
  // the server's whole_dates filter does on the page that asks without this script.
  function fillWithDates(el, text) {
    el.textContent = "";
    (text || "").split(/(?<!\d)(\d{4}-\d{2}(?:-\d{2})?)(?!\d)/).forEach(function (part, i) {
      if (i % 2) {
        var time = document.createElement("time");
        time.dateTime = part;
        time.textContent = part;
        el.appendChild(time);
      } else if (part) {
        el.appendChild(document.createTextNode(part));
      }
    });
  }

  // Irreversible actions ask once (data-confirm-*, see matchmaker/web/confirm.py); the form
  // then carries confirmed=1. Without this script the server asks on a page of its own.
  function askFirst(event) {
    var form = event.target;
    var dialog = document.getElementById("confirm-dialog");
    if (!form.matches("form[data-confirm]") || !dialog || !dialog.showModal) { return; }
    if (form.querySelector("input[name=confirmed]")) { return; }
    event.preventDefault();
    dialog.querySelector("#confirm-dialog-title").textContent = form.dataset.confirmTitle;
    fillWithDates(dialog.querySelector("#confirm-dialog-detail"), form.dataset.confirmDetail);
    dialog.querySelector("#confirm-dialog-ok").textContent = form.dataset.confirmButton;
    var warning = dialog.querySelector("#confirm-dialog-warning");
    fillWithDates(warning, form.dataset.confirmWarning);
    warning.hidden = !form.dataset.confirmWarning;
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue !== "confirm") { return; }
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirmed";
      confirmed.value = "1";
      form.appendChild(confirmed);
      form.submit();
    };
    dialog.showModal();
    dialog.querySelector("button[value=cancel]").focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("submit", askFirst);
    makeRoomForHeader();
    foldFilters();
    document.querySelectorAll("form[data-registration]").forEach(function (form) {
      syncRole(form);
      form.addEventListener("change", function (event) {
        if (event.target.matches("[data-role-choice]")) { syncRole(form); }
      });
    });
    document.addEventListener("click", function (event) {
      closeMenus(event.target.closest("details.menu"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        var open = document.querySelector("details.menu[open]");
        if (open) {
          open.removeAttribute("open");
          open.querySelector("summary").focus();
        }
      }
    });
  });
}());
