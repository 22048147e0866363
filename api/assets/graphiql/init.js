// Starts GraphiQL on index.html. Loaded as a file (not inline) so the page works under the server's
// Content-Security-Policy (script-src 'self'). Needs the globals React, ReactDOM (React 18 UMD builds) and
// GraphiQL (graphiql 3 UMD build), loaded before this file by index.html.
(function () {
  'use strict';

  // Shown in the query editor on a first visit. GraphiQL keeps the last query (and tabs) in localStorage
  // and shows that instead on later visits, so a fresh browser profile always starts from this example.
  var defaultQuery = [
    "# Ofsted's outcome profile: the 2023 framework's full inspections of 2023.",
    '# The data runs to the newest publication it holds (dataRunsTo): a report',
    '# published after that date is not in it yet, and counts without a date are',
    '# taken at that date, not today.',
    '# Press the run button (or Ctrl-Enter) to run it.',
    '{',
    '  dataset { dataRunsTo }',
    '  outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) {',
    '    total',
    '    outcomes { outcome count share }',
    '  }',
    '}',
    '',
  ].join('\n');

  // Same origin as the page: the API's GraphQL endpoint is where this page itself is served (GET /graphql
  // with Accept: text/html gives the page, POST /graphql runs queries). No subscriptions, so no WebSocket.
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + '/graphql' });

  // A page's figure links here with its query (/graphiql?query=...): open that query instead of the last one.
  var linked = new URLSearchParams(window.location.search).get('query');
  var props = { fetcher: fetcher, defaultQuery: defaultQuery, defaultEditorToolsVisibility: false };
  if (linked) {
    props.query = linked;
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, props));
})();
