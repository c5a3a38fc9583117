// While a published report is generated, show how far it is and reload when it is ready.
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box) return;
  var bar = document.getElementById("report-progress-bar");
  var text = document.getElementById("report-progress-text");
  var url = box.getAttribute("data-status-url");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.state === "done" || status.state === "failed") {
          window.location.assign(status.url);
          return;
        }
        if (status.percent !== null) {
          bar.value = status.percent;
          text.textContent = status.label + " · " + status.percent + "%";
        } else {
          text.textContent = status.label;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
