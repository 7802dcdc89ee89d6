// GraphiQL for Hub: queries and mutations over HTTP, subscriptions over the same origin's
// WebSocket (graphql-transport-ws). Everything is served by Hub itself: nothing from the
// internet, so the IDE works offline and under a strict content-security policy.
"use strict";

const FIRST_TAB = `# Hub's GraphQL API. Run this with the ▶ button (or Ctrl-Enter); the book icon
# opens the whole schema. Subscriptions (articlePublished, eventUpdated) run here too.
query LatestArticles {
  articles(first: 5) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { title publishedAt agency { acronym } regions { name } electionStages { name } }
  }
}
`;

const scheme = location.protocol === "https:" ? "wss" : "ws";
const fetcher = GraphiQL.createFetcher({
  url: `${location.origin}/graphql`,
  wsClient: graphqlWs.createClient({ url: `${scheme}://${location.host}/graphql`, lazy: true }),
});

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery: FIRST_TAB, defaultEditorToolsVisibility: false }),
);
