// Bulk migration: post the next batch as soon as one is done and update the progress bar.
// Without this file the page shows a "Continue" button that does the same one batch per press.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-auto-continue]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var button = form.querySelector("button[type=submit]");
  var status = document.getElementById("migration-status");
  var bar = document.getElementById("migration-bar");

  function text(id, value) {
    var node = document.getElementById(id);
    if (node) { node.textContent = String(value); }
  }

  function show(p) {
    bar.max = p.total || 1;
    bar.value = p.total ? p.done : 1;
    bar.textContent = p.percent + " %";
    text("p-done", p.done);
    text("p-total", p.total);
    text("p-percent", p.percent);
    text("p-moved", p.moved);
    text("p-not-moved", p.not_moved);
    text("p-remaining", p.remaining);
    text("p-rate", p.rate.toFixed(1));
    text("p-eta", p.eta_seconds === null ? "–" : p.eta_seconds);
  }

  function fail() {
    button.hidden = false;
    status.textContent = form.dataset.errorText;
  }

  function step() {
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (p) {
      show(p);
      Object.keys(p.next).forEach(function (name) {
        var input = form.elements.namedItem(name);
        if (input) { input.value = p.next[name] === null ? "" : String(p.next[name]); }
      });
      if (p.finished) {
        form.hidden = true;
        document.getElementById("migration-finished").hidden = false;
      } else {
        step();
      }
    }).catch(fail);
  }

  button.hidden = true;
  step();
});
