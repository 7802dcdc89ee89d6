// Follows articlePublished with a stock npm client, resuming as the README recommends, and
// prints one JSON line per event (and {"connected": n} each time it connects).
//   node follow.mjs ws|sse|sse-single URL COUNT
// graphql-ws: connectionParams is a function, evaluated on every (re)connect, sending the
// last cursor received as `resume`; graphql-sse (distinct connections, or one connection
// for all operations): the headers function sends it as Last-Event-ID. Either way the
// client's own retry sends the original subscription again.
import { createClient as createWsClient } from "graphql-ws";
import { createClient as createSseClient } from "graphql-sse";
import WebSocket from "ws";

const [transport, url, countText] = process.argv.slice(2);
const wanted = Number(countText);
const query = `subscription Articles {
  articlePublished { cursor kind article { slug } }
}`;
const retry = { retryAttempts: 240 }; // a minute of 250 ms pauses: a restart fits
const pause = () => new Promise((resolve) => setTimeout(resolve, 250));

let lastCursor = null;
let connects = 0;
const connected = () => console.log(JSON.stringify({ connected: ++connects }));

const client =
  transport === "ws"
    ? createWsClient({
        url,
        webSocketImpl: WebSocket,
        ...retry,
        retryWait: pause,
        shouldRetry: () => true,
        connectionParams: () => (lastCursor ? { resume: { Articles: lastCursor } } : {}),
        on: { connected },
      })
    : createSseClient({
        url,
        ...retry,
        retry: pause,
        singleConnection: transport === "sse-single",
        headers: () => (lastCursor ? { "Last-Event-ID": lastCursor } : {}),
        on: { connected },
      });

let received = 0;
for await (const result of client.iterate({ query, operationName: "Articles" })) {
  if (result.errors) {
    console.log(JSON.stringify({ errors: result.errors }));
    process.exit(1);
  }
  const change = result.data.articlePublished;
  lastCursor = change.cursor;
  console.log(JSON.stringify(change));
  if (++received === wanted) break;
}
client.dispose();
process.exit(0);
