// "Copy" beside a read-only field (a calendar address shown once): copies the field's value
// and says so in the status beside it. The button stays hidden without JavaScript, where
// the field can still be selected and copied by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.querySelector('[data-copy-status="' + button.dataset.copy + '"]');
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      const done = function () { if (status) status.textContent = button.dataset.copied; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          field.select();
        });
      } else {
        field.select();
        if (document.execCommand("copy")) done();
      }
    });
  });
})();
