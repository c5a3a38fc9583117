// The activity form shows the fields that fit the chosen indicator (docs/guide-office-staff.md,
// "Logging an activity": the indicator first, then the fields that fit it). Without JavaScript
// every field stays visible.
(function () {
  "use strict";
  const form = document.querySelector("[data-activity-form]");
  const configNode = document.getElementById("indicator-config");
  if (!form || !configNode) return;
  const config = JSON.parse(configNode.textContent);
  const indicator = form.querySelector("[name=indicator]");
  const description = document.getElementById("indicator-description");
  const picker = form.querySelector("[data-counterpart-field] select");

  function apply() {
    const current = config[indicator.value] || {};
    form.querySelectorAll("[data-when]").forEach(function (block) {
      const shown = Boolean(current[block.dataset.when]);
      block.hidden = !shown;
      block.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown;
      });
    });
    // A field the indicator requires drops its "(optional)" mark.
    form.querySelectorAll("[data-required-when]").forEach(function (block) {
      const required = Boolean(current[block.dataset.requiredWhen]);
      block.querySelectorAll(".optional").forEach(function (mark) {
        mark.hidden = required;
      });
    });
    if (description) description.textContent = current.description || "";
    if (picker) {
      picker.dataset.types = (current.counterpart_types || []).join(",");
      picker.dispatchEvent(new CustomEvent("counterpart-types-changed"));
    }
  }
  indicator.addEventListener("change", apply);
  apply();
})();
