// Progress of a batch of badges issued in the background: polls the batch's status JSON and
// updates the bar, the counts and the live region, like the CSV imports' page
// (import-progress.js). The page is rendered complete by the server, so a reload shows the same.
(function () {
  "use strict";
  var root = document.getElementById("issue-job");
  if (!root || root.dataset.finished === "true" || !window.fetch) { return; }
  var url = root.dataset.statusUrl;
  var bar = document.getElementById("issue-progress");
  var counts = document.getElementById("issue-counts");
  var live = document.getElementById("issue-status");
  var delay = 1000;
  var lastAnnounced = live.textContent.trim();

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function announce(text, kind) {
    live.className = "alert alert-" + kind;
    // Only changes of phase are announced; counts are in the bar and the line above.
    if (text !== lastAnnounced) {
      live.textContent = text;
      lastAnnounced = text;
    }
  }

  function update(data) {
    bar.max = Math.max(data.total, 1);
    bar.value = data.processed;
    bar.textContent = data.percent + "%";
    counts.textContent = data.processed + " of " + plural(data.total, "learner") + " done.";
    ["issued", "already", "not_eligible", "failed"].forEach(function (key) {
      var cell = root.querySelector('dd[data-key="' + key + '"]');
      if (cell) { cell.textContent = String(data[key]); }
    });
    if (data.status === "done") {
      announce("Done.", "success");
    } else if (data.status === "failed") {
      announce("Finished with problems: some learners could not be processed. Issue again " +
        "from the offering: nobody gets a badge twice.", "danger");
    } else {
      announce(data.status_label + "…", "info");
    }
  }

  function schedule() { window.setTimeout(poll, delay); }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        update(data);
        if (!data.finished) {
          delay = data.status === "pending" ? Math.min(delay * 1.5, 5000) : 1000;
          schedule();
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        schedule();
      });
  }

  schedule();
})();
