// A form that comes back with errors puts the focus on its error summary, so that a screen
// reader reads it out and the keyboard starts from its links to the fields at fault
// (templates/includes/error_summary.html; docs/guide-office-staff.md, "Logging an activity").
// A summary inside a dialog is left to the dialog's own script.
(function () {
  "use strict";
  const summaries = Array.from(document.querySelectorAll("[data-error-summary]"));
  const summary = summaries.find(function (node) {
    return !node.closest("dialog");
  });
  if (summary && !summary.contains(document.activeElement)) summary.focus();
})();
