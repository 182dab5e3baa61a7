// Live arithmetic for the "Teaching and learning modality" section: the in-person share of a
// hybrid course against the guide's cap. The numbers come from courses/rules.py (json_script
// "template-rules"); the server checks the same rule (rules.check_hybrid) when it is saved.
(function () {
  "use strict";
  var out = document.getElementById("in-person-cap");
  var source = document.getElementById("template-rules");
  if (!out || !source) { return; }
  var rules = JSON.parse(source.textContent);
  var hours = document.querySelector('[name="in_person_hours"]');
  function fmt(n) { return String(Math.round(n * 10) / 10); }
  function modality() {
    var chosen = document.querySelector('[name="modality"]:checked');
    return chosen ? chosen.value : null;
  }
  function update() {
    var key = modality();
    var inPerson = parseFloat(hours.value);
    if (isNaN(inPerson)) { inPerson = 0; }
    var total = rules.total_hours;
    var cap = rules.hybrid_in_person_cap_percent;
    if (!key) { out.textContent = "Choose the teaching and learning modality."; return; }
    var m = rules.modalities[key];
    if (!m.in_person_allowed) {
      out.textContent = inPerson > 0
        ? m.label + " courses are taught fully online, so in-person hours should be 0; " +
          fmt(inPerson) + " were entered. Choose Hybrid if part of the course is taught in person."
        : m.label + " courses are taught fully online, with no in-person hours.";
      return;
    }
    if (!(total > 0)) {
      out.textContent = "Enter the course's learning hours first (Notional hours and credits): " +
        "the in-person share of a hybrid course is measured against them.";
      return;
    }
    var share = fmt(inPerson * 100 / total) + "%";
    var capHours = total * cap / 100;
    if (inPerson * 100 > total * cap) {
      out.textContent = "In-person teaching is " + share + " of the course's learning hours (" +
        fmt(inPerson) + " of " + fmt(total) + "); a hybrid course may have at most " + cap +
        "% in person (" + fmt(capHours) + " hours), so reduce it by " + fmt(inPerson - capHours) +
        " hours.";
    } else {
      out.textContent = "In-person teaching is " + share + " of the course's learning hours (" +
        fmt(inPerson) + " of " + fmt(total) + "), within the " + cap + "% limit for hybrid courses.";
    }
  }
  document.querySelectorAll('[name="modality"]').forEach(function (el) {
    el.addEventListener("change", update);
  });
  hours.addEventListener("input", update);
  update();
})();
