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
    // The label holds a visually hidden part naming the field ("Copy: First
    // name"), so it is kept and restored as markup (ours, never user input).
    var label = button.dataset.labelHtml || button.innerHTML;
    button.dataset.labelHtml = label;
    function done(text) {
      button.textContent = text;
      announce(text);
      window.setTimeout(function () { button.innerHTML = label; }, 2000);
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
  // Error summary: a form that came back with errors gets focus on its
  // summary, so a screen reader reads the errors first and a keyboard user
  // starts from there. Its links move focus to the field, showing its label.
  function onErrorLink(event) {
    var field = document.getElementById(event.currentTarget.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    var fieldset = field.closest("fieldset");
    var label = fieldset ? fieldset.querySelector("legend") : document.querySelector("label[for='" + field.id + "']");
    field.focus({ preventScroll: true });
    (label || field).scrollIntoView({ block: "start" });
  }
  // The state, province or Land field matters only where the law or the
  // authority depends on it (the US, Canada, Germany), and shows only that
  // country's group. Without JavaScript it stays visible, every group in it.
  function setUpSubdivision() {
    var country = document.querySelector("select[data-subdivision-countries]");
    if (!country) { return; }
    var select = country.form && country.form.querySelector("select[name$='-subdivision']");
    var wrapper = select && (select.closest(".mb-3") || select.parentElement);
    if (!wrapper) { return; }
    var wanted = country.dataset.subdivisionCountries.split(" ");
    var groups = JSON.parse(select.dataset.groups || "{}");
    function update() {
      var show = wanted.indexOf(country.value) !== -1;
      wrapper.hidden = !show;
      select.querySelectorAll("optgroup").forEach(function (group) {
        var mine = group.label === groups[country.value];
        group.hidden = !mine;
        group.disabled = !mine;
      });
      var chosen = select.selectedOptions[0];
      if (!show || (chosen && chosen.parentElement.disabled)) { select.value = ""; }
    }
    country.addEventListener("change", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    setUpSubdivision();
    document.querySelectorAll(".copy-button").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", onCopy);
    });
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.querySelectorAll("a[href^='#']").forEach(function (link) {
        link.addEventListener("click", onErrorLink);
      });
      summary.focus();
    }
  });
})();
