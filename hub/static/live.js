// Live page: approved articles for a province as they arrive, over graphql-transport-ws.
// Keeps the last cursor and resumes from it after any disconnect, so nothing is missed.
"use strict";

const QUERY = `subscription Live($filter: ArticleLiveFilter, $after: String) {
  articlePublished(filter: $filter, after: $after) {
    cursor kind article { slug title publishedAt agency { name } }
  }
}`;
const FATAL = new Set([4400, 4401, 4403, 4406, 4409, 4429]);

const list = document.getElementById("articles");
const select = document.getElementById("region");
const status = document.getElementById("status");
let socket = null;
let cursor = null;
let region = new URLSearchParams(location.search).get("region") || "";
let retry = 500;

function show(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

async function graphql(query, variables) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors[0].message);
  return body.data;
}

function add(event) {
  const item = document.createElement("li");
  item.dataset.slug = event.article ? event.article.slug : "";
  item.dataset.kind = event.kind;
  const title = document.createElement("strong");
  title.textContent = event.article ? event.article.title : "(tidak lagi tersedia)";
  const meta = document.createElement("small");
  const agency = event.article ? event.article.agency.name : "";
  meta.textContent = ` ${event.kind.toLowerCase()} · ${agency}`;
  item.append(title, meta);
  list.prepend(item);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/graphql`, "graphql-transport-ws");
  socket = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init", payload: {} }));
  ws.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "connection_ack") {
      retry = 500;
      const filter = region ? { regionCode: region } : null;
      ws.send(JSON.stringify({
        id: "live", type: "subscribe",
        payload: { query: QUERY, variables: { filter, after: cursor } },
      }));
      show("live", "langsung");
    } else if (data.type === "ping") {
      ws.send(JSON.stringify({ type: "pong" }));
    } else if (data.type === "next") {
      const event = data.payload.data.articlePublished;
      cursor = event.cursor;
      add(event);
    } else if (data.type === "error") {
      const code = data.payload[0].extensions && data.payload[0].extensions.code;
      if (code === "CURSOR_EXPIRED") {
        resync();
      } else {
        show("error", data.payload[0].message);
      }
    }
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    if (FATAL.has(event.code)) {
      show("error", `terputus (${event.code})`);
      return;
    }
    show("reconnecting", "menyambung kembali…");
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  };
}

async function resync() {
  list.replaceChildren();
  cursor = (await graphql("{ liveCursor }")).liveCursor;
  restart();
}

function restart() {
  const old = socket;
  socket = null;
  if (old) old.close(1000);
  connect();
}

async function start() {
  const data = await graphql("{ regions(level: PROVINCE, first: 50) { nodes { code name } } }");
  for (const province of data.regions.nodes) {
    const option = new Option(province.name, province.code);
    select.add(option);
  }
  select.value = region;
  select.onchange = async () => {
    region = select.value;
    history.replaceState(null, "", region ? `?region=${region}` : location.pathname);
    await resync();
  };
  cursor = (await graphql("{ liveCursor }")).liveCursor;
  connect();
}

start().catch((error) => show("error", error.message));
