// Follows a running retrain on the models page: polls its status and reloads the page when it has finished.
(function () {
  "use strict";
  var box = document.getElementById("status-latih");
  if (!box || box.getAttribute("data-running") !== "ya") {
    return;
  }
  var status = document.getElementById("job-status");
  var labels = { queued: "Menunggu", running: "Sedang berjalan", succeeded: "Selesai", failed: "Gagal" };
  function poll() {
    fetch("/ui/model/latih-ulang", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) {
          return;
        }
        if (job.running) {
          var last = job.messages.length ? " — " + job.messages[job.messages.length - 1] : "";
          status.textContent = (labels[job.status] || job.status) + last;
          window.setTimeout(poll, 3000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 2000);
})();
