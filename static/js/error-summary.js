// A refused form's error summary (templates/includes/error_summary.html): make sure it has the
// focus once the page loads, and let its links move the focus into the field they name.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) { return; }
  function focusSummary() {
    if (document.activeElement !== summary) { summary.focus(); }
  }
  focusSummary();
  // Going to a fragment (a refused decision comes back to "#decision") moves the focus away
  // once the page has loaded; bring it back to the summary after that.
  window.addEventListener("load", function () { window.setTimeout(focusSummary, 0); });
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-field]");
    var field = link && document.getElementById(link.getAttribute("data-field"));
    if (!field) { return; }
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
})();
