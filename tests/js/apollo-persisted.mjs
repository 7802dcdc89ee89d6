// Apollo Client with its persisted-queries link against the URL given as the first argument:
// two clients (no shared cache) run the same query, hashed queries sent by GET. Prints one
// JSON line: each client's result and the requests it made ({method, sentText}).
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const url = process.argv[2];
const query = gql`
  query Province {
    region(code: "64") {
      name
    }
  }
`;

async function run() {
  const requests = [];
  const recordingFetch = async (uri, options) => {
    const sentText = options.method === "POST" ? JSON.parse(options.body).query !== undefined
      : new URL(uri).searchParams.has("query");
    requests.push({ method: options.method, sentText });
    return fetch(uri, options);
  };
  const link = new PersistedQueryLink({
    sha256: (text) => createHash("sha256").update(text).digest("hex"),
    useGETForHashedQueries: true,
  }).concat(new HttpLink({ uri: url, fetch: recordingFetch }));
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const result = await client.query({ query, fetchPolicy: "network-only" });
  return { data: result.data, requests };
}

const first = await run();
const second = await run();
console.log(JSON.stringify({ first, second }));
