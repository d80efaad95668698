// Small enhancements only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Ask before destructive actions (delete buttons), unless the page itself is the confirmation.
  document.querySelectorAll("button.danger:not([data-confirmed])").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm || "Really delete?")) { event.preventDefault(); }
    });
  });
  // Open the first action section that holds an error and focus its first invalid field.
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
  // Diagrams: zoom with the buttons (or the wheel) and pan by dragging, by moving the SVG's viewBox.
  document.querySelectorAll("[data-pan-zoom]").forEach(panZoom);
});

function panZoom(view) {
  var svg = view.querySelector("svg");
  var box = svg && svg.viewBox && svg.viewBox.baseVal;
  if (!box || !box.width) { return; }
  var home = [box.x, box.y, box.width, box.height];
  function show(x, y, w, h) { svg.setAttribute("viewBox", [x, y, w, h].join(" ")); }
  function zoom(factor) {
    var w = box.width * factor, h = box.height * factor;
    show(box.x + (box.width - w) / 2, box.y + (box.height - h) / 2, w, h);
  }
  var tools = document.querySelector("[aria-controls='" + view.id + "']");
  (tools ? tools.querySelectorAll("[data-zoom]") : []).forEach(function (button) {
    button.addEventListener("click", function () {
      var how = button.dataset.zoom;
      if (how === "fit") { show.apply(null, home); } else { zoom(how === "in" ? 0.8 : 1.25); }
    });
  });
  view.addEventListener("wheel", function (event) {
    if (!event.ctrlKey) { return; }  // plain wheel scrolls the page
    event.preventDefault();
    zoom(event.deltaY < 0 ? 0.9 : 1.1);
  }, { passive: false });
  var start = null;
  view.addEventListener("pointerdown", function (event) {
    start = { x: event.clientX, y: event.clientY, bx: box.x, by: box.y };
    view.setPointerCapture(event.pointerId);
    view.classList.add("panning");
  });
  view.addEventListener("pointermove", function (event) {
    if (!start) { return; }
    var scale = box.width / (svg.clientWidth || 1);
    show(start.bx - (event.clientX - start.x) * scale, start.by - (event.clientY - start.y) * scale, box.width, box.height);
  });
  function stop() { start = null; view.classList.remove("panning"); }
  view.addEventListener("pointerup", stop);
  view.addEventListener("pointercancel", stop);
}
