// Live arithmetic for the "Notional hours and credits" section of the course template.
// The server checks the same rule (courses/rules.py), whose numbers the page ships
// (json_script "template-rules"); this only explains it while typing.
(function () {
  "use strict";
  var out = document.getElementById("hours-arithmetic");
  var source = document.getElementById("template-rules");
  if (!out || !source) { return; }
  var rules = JSON.parse(source.textContent);
  var minCredits = rules.credits[0], maxCredits = rules.credits[1];
  function value(name) {
    var el = document.querySelector('[data-hours="' + name + '"]');
    var n = el ? parseFloat(el.value) : NaN;
    return isNaN(n) ? null : n;
  }
  function fmt(n) { return Math.round(n * 10) / 10; }
  function update() {
    var credits = value("credits");
    var teaching = value("teaching_hours") || 0;
    var study = value("self_study_hours") || 0;
    var other = value("other_hours") || 0;
    var total = teaching + study + other;
    if (credits === null || credits < minCredits || credits > maxCredits || credits % 1 !== 0) {
      out.textContent = "Credits must be a whole number from " + minCredits + " to " + maxCredits +
        ". The hours add up to " + fmt(total) + ".";
      return;
    }
    var low = rules.hours_per_credit[0] * credits, high = rules.hours_per_credit[1] * credits;
    var words = credits + " credit" + (credits === 1 ? " needs " : "s need ") + low + "–" + high +
      " hours; the hours entered add up to " + fmt(total) + " (" + fmt(teaching) + " teaching + " +
      fmt(study) + " self-study + " + fmt(other) + " other)";
    if (total < low) { words += ", " + fmt(low - total) + " short."; }
    else if (total > high) { words += ", " + fmt(total - high) + " over."; }
    else { words += ": they fit."; }
    out.textContent = words;
  }
  document.querySelectorAll("[data-hours]").forEach(function (el) {
    el.addEventListener("input", update);
  });
  update();
})();
