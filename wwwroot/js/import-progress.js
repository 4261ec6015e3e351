// Polls the status of a running import and reloads the page when it has finished.
(function () {
    "use strict";
    var panel = document.querySelector("[data-status-url]");
    if (!panel) { return; }
    var url = panel.getAttribute("data-status-url");
    var bar = document.getElementById("import-progress");
    var text = document.getElementById("import-progress-text");
    function poll() {
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
            .then(function (r) { return r.json(); })
            .then(function (s) {
                if (!s.running) { window.location.reload(); return; }
                if (s.totalRows > 0) { bar.max = s.totalRows; bar.value = s.processedRows; }
                text.textContent = s.processedRows.toLocaleString("de-DE") + " Zeilen gelesen – " + s.label;
                window.setTimeout(poll, 1500);
            })
            .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1000);
})();
