// Draws every <canvas data-chart-source="table-id"> from the data table it names, so the chart and its
// accessible table can never disagree. Series differ by colour and by line style, never by colour alone.
(function () {
    "use strict";
    if (typeof Chart === "undefined") { return; }
    var palette = [
        { color: "#004b87", dash: [] },
        { color: "#b35900", dash: [6, 4] },
        { color: "#2e7d32", dash: [2, 3] },
        { color: "#6a1b9a", dash: [10, 3, 2, 3] }
    ];
    var points = ["circle", "rectRot", "triangle", "rect"];
    document.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
        var table = document.getElementById(canvas.getAttribute("data-chart-source"));
        if (!table) { return; }
        var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
        var rows = table.querySelectorAll("tbody tr");
        var labels = [];
        var series = [];
        rows.forEach(function (row) {
            var cells = row.querySelectorAll("th, td");
            labels.push(cells[0].textContent.trim());
            for (var i = 1; i < cells.length; i++) {
                if (!cells[i].hasAttribute("data-value")) { continue; }
                if (!series[i]) { series[i] = { label: headers[i], data: [] }; }
                var raw = cells[i].getAttribute("data-value");
                series[i].data.push(raw === "" ? null : Number(raw));
            }
        });
        var type = canvas.getAttribute("data-chart-type") || "line";
        var perPoint = type === "doughnut" || type === "pie";
        var datasets = series.filter(Boolean).map(function (s, n) {
            var style = palette[n % palette.length];
            if (perPoint) {
                var colours = s.data.map(function (_, i) { return palette[i % palette.length].color; });
                return { label: s.label, data: s.data, backgroundColor: colours, borderColor: "#ffffff", borderWidth: 2 };
            }
            return {
                label: s.label, data: s.data, borderColor: style.color, backgroundColor: style.color,
                borderDash: style.dash, pointStyle: points[n % points.length], pointRadius: 4, spanGaps: true, fill: false
            };
        });
        new Chart(canvas, {
            type: type,
            data: { labels: labels, datasets: datasets },
            options: {
                animation: false, responsive: true, maintainAspectRatio: false,
                locale: "de-DE",
                plugins: { legend: { labels: { usePointStyle: true } } },
                scales: perPoint ? {} : { y: { beginAtZero: true } }
            }
        });
    });
})();
