// GraphiQL for order-query: queries over HTTP to the URL of this page, subscriptions over a
// WebSocket to the same URL (graphql-transport-ws, the graphql-ws client). When order-query
// requires a token for subscriptions (Subscriptions:Token), open the page as /graphql#token=...:
// the fragment stays in the browser.
(function () {
  'use strict';
  var url = window.location.origin + window.location.pathname;
  var subscriptionUrl = url.replace(/^http/, 'ws');
  var token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  var fetcher = GraphiQL.createFetcher({
    url: url,
    subscriptionUrl: subscriptionUrl,
    wsClient: graphqlWs.createClient({
      url: subscriptionUrl,
      connectionParams: token ? { token: token } : {},
    }),
  });
  var defaultQuery = [
    '# order(id) reads an order; add atLeastVersion to wait for your own write.',
    '# Run the subscription in a second tab to watch a customer\'s orders change.',
    '',
    'query Orders($customerId: String!) {',
    '  orders(customerId: $customerId, first: 10) {',
    '    totalCount',
    '    edges { node { id status total currency version updatedAt } }',
    '    pageInfo { hasNextPage endCursor }',
    '  }',
    '}',
    '',
    'subscription Changes($customerId: String!) {',
    '  customerOrdersChanged(customerId: $customerId) { id status total version updatedAt }',
    '}',
    '',
  ].join('\n');
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: 'variables',
      variables: '{ "customerId": "c-1" }',
      // Introspect deprecated arguments too (a renamed argument stays, deprecated, for a while),
      // and the schema's description. SchemaContractTests sends the query these options make.
      inputValueDeprecation: true,
      schemaDescription: true,
    }),
  );
})();
