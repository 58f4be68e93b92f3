// Mounts GraphiQL on #graphiql. The Go handler puts the GraphQL endpoint and
// the default query in the element's data- attributes, so this file stays
// static and the page needs no inline script.
(function () {
  'use strict';

  var root = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({ url: root.dataset.endpoint });

  // Our own label instead of GraphiQL's logo, which links to GitHub.
  var logo = React.createElement(GraphiQL.Logo, null, 'fundhub');

  var app = React.createElement(
    GraphiQL,
    { fetcher: fetcher, defaultQuery: root.dataset.defaultQuery },
    logo
  );

  ReactDOM.createRoot(root).render(app);
})();
