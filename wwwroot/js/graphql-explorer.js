// GraphiQL on /schnittstellen/explorer: queries go to /graphql with the session cookie (same origin, application/json).
(function () {
    'use strict';
    var host = document.getElementById('graphiql');
    if (!host || !window.GraphiQL || !window.React || !window.ReactDOM) {
        return;
    }

    // GraphiQL's CodeMirror editors have unlabelled text areas and scroll areas without keyboard access; both are
    // added whenever GraphiQL renders them.
    var labels = [
        ['.graphiql-query-editor textarea', 'GraphQL-Abfrage'],
        ['.graphiql-editor-tool .graphiql-editor:nth-child(1) textarea', 'Variablen (JSON)'],
        ['.graphiql-editor-tool .graphiql-editor:nth-child(2) textarea', 'HTTP-Header (JSON)'],
        ['.result-window textarea', 'Ergebnis'],
    ];
    function improve() {
        labels.forEach(function (entry) {
            host.querySelectorAll(entry[0]).forEach(function (area) {
                if (!area.hasAttribute('aria-label')) {
                    area.setAttribute('aria-label', entry[1]);
                }
            });
        });
        host.querySelectorAll('.CodeMirror-scroll:not([tabindex="0"])').forEach(function (scroll) {
            scroll.setAttribute('tabindex', '0');
            scroll.setAttribute('aria-label', 'Editorbereich (mit Pfeiltasten scrollen)');
        });
    }
    new MutationObserver(improve).observe(host, { childList: true, subtree: true });

    var fetcher = window.GraphiQL.createFetcher({ url: host.dataset.endpoint });
    var root = window.ReactDOM.createRoot(host);
    root.render(window.React.createElement(window.GraphiQL, {
        fetcher: fetcher,
        defaultQuery: host.dataset.defaultQuery,
        defaultEditorToolsVisibility: false,
        shouldPersistHeaders: false,
    }));
}());
