// The verb check of the "Competencies / learning outcomes" section, as the leader types.
// It classifies each outcome as courses/outcome_verbs.py does, from the table, patterns and
// sentences that module ships with the page (json_script "outcome-verb-table"); the server
// checks again when the section is saved.
(function () {
  "use strict";
  var source = document.getElementById("outcome-verb-table");
  if (!source) { return; }
  var table = JSON.parse(source.textContent);
  var leadIns = table.lead_ins.map(function (p) { return new RegExp(p, "i"); });
  var vague = table.vague.map(function (v) {
    return { re: new RegExp("^(?:" + v.pattern + ")", "i"), suggestions: v.suggestions };
  });
  var adverb = new RegExp(table.adverb, "i");
  var firstWord = new RegExp("^(?:" + table.first_word + ")");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }
  function capitalise(word) { return word.charAt(0).toUpperCase() + word.slice(1); }

  function stripLeadIn(text) {
    var statement = text.trim();
    var changed = true;
    while (changed && statement) {
      changed = false;
      for (var i = 0; i < leadIns.length; i++) {
        var stripped = statement.replace(leadIns[i], "").replace(/^\s+/, "");
        if (stripped !== statement) { statement = stripped; changed = true; break; }
      }
    }
    var match = adverb.exec(statement);
    var word = match ? match[1].toLowerCase() : "";
    if (match && !(word in table.verb_forms) && table.ly_verbs.indexOf(word) < 0) {
      statement = statement.slice(match[0].length);
    }
    return statement;
  }

  function alternatives(verbs) {
    return verbs.slice(0, -1).join(", ") + " or " + verbs[verbs.length - 1];
  }

  // {state: "ok" | "error" | "advice", message} for one outcome, or null when it is empty.
  function check(text) {
    if (!text.trim()) { return null; }
    var statement = stripLeadIn(text);
    for (var i = 0; i < vague.length; i++) {
      var found = vague[i].re.exec(statement);
      if (found) {
        var phrase = found[0].toLowerCase().split(/\s+/).join(" ");
        return { state: "error", message: fill(table.messages.outcome_verb_vague, {
          phrase: capitalise(phrase), alternatives: alternatives(vague[i].suggestions) }) };
      }
    }
    var word = firstWord.exec(statement);
    if (!word) { return { state: "error", message: table.messages.outcome_verb_missing }; }
    var verb = table.verb_forms[word[0].toLowerCase()];
    if (!verb) {
      return { state: "advice", message: fill(table.messages.outcome_verb_not_in_table, {
        verb: capitalise(word[0]) }) };
    }
    var kinds = table.verb_types[verb].map(function (k) { return "'" + k + "'"; }).join(" or ");
    return { state: "ok", message: fill(table.messages.outcome_verb_ok, { verb: verb, kinds: kinds }) };
  }

  var LABELS = { ok: ["Met", "text-success"], error: ["To do", "text-danger"],
                 advice: ["Advice", "text-warning-emphasis"] };

  function show(field) {
    var out = document.getElementById(field.getAttribute("data-outcome-verb"));
    var result = check(field.value);
    out.textContent = "";
    if (!result) { return; }
    var label = document.createElement("span");
    label.className = "finding-label " + LABELS[result.state][1];
    label.textContent = LABELS[result.state][0] + ":";
    out.appendChild(label);
    out.appendChild(document.createTextNode(" " + result.message));
  }

  document.querySelectorAll("[data-outcome-verb]").forEach(function (field) {
    field.addEventListener("input", function () {
      // The server's error described the text as it was posted; from now on the live check
      // speaks for this outcome, so the error is not said twice.
      var error = document.getElementById(field.id + "-error");
      if (error) {
        error.remove();
        field.classList.remove("is-invalid");
        field.removeAttribute("aria-invalid");
        field.setAttribute("aria-describedby", field.getAttribute("data-outcome-verb"));
      }
      show(field);
    });
  });
})();
