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
});
