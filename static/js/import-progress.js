// Progress of a CSV import: polls the job's status JSON and updates the bar, the counts and
// the live region, then shows the summary or the rows to correct. The page is rendered
// complete by the server too, so without JavaScript a reload shows the same.
(function () {
  "use strict";
  var root = document.getElementById("import-job");
  if (!root || root.dataset.finished === "true" || !window.fetch) { return; }
  var url = root.dataset.statusUrl;
  var bar = document.getElementById("import-progress");
  var counts = document.getElementById("import-counts");
  var live = document.getElementById("import-status");
  var delay = 1000;
  var lastAnnounced = "";

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function announce(text, kind) {
    live.className = "alert alert-" + kind;
    // Only changes of phase are announced; counts are in the bar and the line above.
    if (text !== lastAnnounced) {
      live.textContent = text;
      lastAnnounced = text;
    }
  }

  function showSummary(items) {
    var list = document.getElementById("import-summary-list");
    list.textContent = "";
    items.forEach(function (item) {
      var dt = document.createElement("dt");
      dt.className = "col-sm-5";
      dt.textContent = item.label;
      var dd = document.createElement("dd");
      dd.className = "col-sm-7";
      dd.dataset.key = item.key;
      dd.textContent = String(item.value);
      list.appendChild(dt);
      list.appendChild(dd);
    });
    document.getElementById("import-summary").hidden = items.length === 0;
  }

  function showErrors(errors, total) {
    var body = document.getElementById("import-errors-body");
    body.textContent = "";
    errors.forEach(function (error) {
      var row = document.createElement("tr");
      var line = document.createElement("td");
      line.textContent = error.line === null ? "Whole file" : String(error.line);
      var message = document.createElement("td");
      message.textContent = error.message;
      row.appendChild(line);
      row.appendChild(message);
      body.appendChild(row);
    });
    document.getElementById("import-error-count").textContent = String(total);
    document.getElementById("import-errors-more").hidden = total <= errors.length;
    document.getElementById("import-errors").hidden = total === 0;
  }

  function update(data) {
    bar.max = Math.max(data.total, 1);
    bar.value = data.processed;
    bar.textContent = data.percent + "%";
    counts.textContent = data.processed + " of " + plural(data.total, "row") + " imported.";
    if (data.status === "done") {
      announce("Done: the file was imported.", "success");
      showSummary(data.summary);
    } else if (data.status === "failed") {
      announce("Not imported: nothing was changed." + (data.error_count ?
        " " + plural(data.error_count, "problem") + " to correct, listed below." : ""), "danger");
      showSummary(data.summary);
      showErrors(data.errors, data.error_count);
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
          // Poll quickly while it moves, less often for a job that waits for a worker.
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
