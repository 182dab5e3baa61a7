// Copy buttons for share links (templates/badges/backpack_share.html) and embed codes (the
// backpack's <textarea>s). Without JavaScript the text stays in a read-only field to select and
// copy by hand; with it, a Copy button appears. data-copied names what was copied.
(function () {
  "use strict";

  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    // Plain http (a development server): the older way, which needs the text selected.
    return new Promise(function (resolve, reject) {
      input.focus();
      input.select();
      try {
        if (document.execCommand("copy")) { resolve(); } else { reject(new Error("refused")); }
      } catch (err) { reject(err); }
    });
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    var copied = button.getAttribute("data-copied") || "Link copied.";
    if (!input) { return; }
    button.hidden = false;
    input.addEventListener("focus", function () { input.select(); });
    button.addEventListener("click", function () {
      copyText(input).then(function () {
        if (status) { status.textContent = copied; }
      }, function () {
        input.focus();
        input.select();
        if (status) { status.textContent = "Could not copy: the text is selected, press Ctrl+C (⌘C on a Mac)."; }
      });
    });
  });
})();
