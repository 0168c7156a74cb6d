// Copy buttons. Without JavaScript the buttons stay hidden and the read-only
// text areas can still be selected and copied by hand.
(function () {
  "use strict";
  function announce(text) {
    var status = document.getElementById("copy-status");
    if (status) { status.textContent = ""; status.textContent = text; }
  }
  function selectText(area) {
    area.focus();
    area.select();
    area.setSelectionRange(0, area.value.length);
  }
  function onCopy(event) {
    var button = event.currentTarget;
    var area = document.getElementById(button.dataset.copyTarget);
    if (!area) { return; }
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    function done(text) {
      button.textContent = text;
      announce(text);
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(
        function () { done(button.dataset.copied || "Copied"); },
        function () { selectText(area); done(button.dataset.selected || "Selected: press Ctrl+C"); }
      );
    } else {
      selectText(area);
      done(button.dataset.selected || "Selected: press Ctrl+C");
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".copy-button").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", onCopy);
    });
  });
})();
