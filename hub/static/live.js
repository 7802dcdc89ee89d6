// The live page: the latest approved articles for a province and an election stage, then new
// approvals, corrections and retractions on top as they happen (graphql-transport-ws). The
// page reads the stream position before the list, so nothing falls between the two, and
// resumes from its last cursor after any disconnect, so nothing is missed.
"use strict";

const FIELDS = `slug title summary publishedAt canonicalUrl status correctionNote retractionReason
  agency { name acronym } regions { code level } electionStages { name }`;
const LATEST = `query Latest($filter: ArticleFilter) {
  articles(filter: $filter, first: 20) { nodes { ${FIELDS} } }
}`;
const LIVE = `subscription Live($filter: ArticleLiveFilter, $after: String) {
  articlePublished(filter: $filter, after: $after) { cursor kind article { ${FIELDS} } }
}`;
const CHOICES = `{
  regions(level: PROVINCE, first: 50) { nodes { code name } }
  electionStages(first: 50) { nodes { code name } }
}`;
const FATAL = new Set([4400, 4401, 4403, 4406, 4409, 4429]);
const KINDS = { APPROVED: "terbit", CORRECTED: "dikoreksi", RETRACTED: "ditarik" };

// Indonesia's three time zones by province code (Keppres 41/1987; the Papua provinces of
// 2022 keep WIT): what a reader in the article's region sees on the clock.
const WITA = ["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"];
const WIT = ["81", "82", "91", "92", "93", "94", "95", "96"];
function zoneOf(article) {
  const province = (article.regions.find((r) => r.level === "PROVINCE") || article.regions[0] || {}).code;
  const code = (province || "").split(".")[0];
  if (WIT.includes(code)) return ["Asia/Jayapura", "WIT"];
  if (WITA.includes(code)) return ["Asia/Makassar", "WITA"];
  return ["Asia/Jakarta", "WIB"];
}
function localTime(article) {
  if (!article.publishedAt) return "";
  const [timeZone, label] = zoneOf(article);
  const text = new Intl.DateTimeFormat("id-ID", {
    timeZone, day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
  }).format(new Date(article.publishedAt));
  return `${text} ${label}`;
}

const list = document.getElementById("articles");
const regionSelect = document.getElementById("region");
const stageSelect = document.getElementById("stage");
const status = document.getElementById("status");
const params = new URLSearchParams(location.search);
let region = params.get("region") || "";
let stage = params.get("stage") || "";
let socket = null;
let cursor = null;
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

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function render(article, kind) {
  const item = element("li");
  item.dataset.slug = article.slug;
  item.dataset.status = article.status.toLowerCase();
  const title = element("a", "title", article.title);
  // The source's own page when the agency gave one; otherwise the article in the API.
  title.href = article.canonicalUrl
    || `/graphql?query=${encodeURIComponent(`{ article(slug: "${article.slug}") { ${FIELDS} body } }`)}`;
  const meta = element("div", "meta");
  const badge = element("span", "kind", KINDS[kind] || KINDS.APPROVED);
  badge.dataset.kind = kind;
  const when = element("time", null, localTime(article));
  when.dateTime = article.publishedAt || "";
  meta.append(badge, element("span", "agency", article.agency.acronym || article.agency.name), when);
  if (article.electionStages.length) meta.append(element("span", null, article.electionStages[0].name));
  item.append(title, meta);
  if (article.summary) item.append(element("p", "summary", article.summary));
  if (article.retractionReason) item.append(element("p", "notice", article.retractionReason));
  else if (article.correctionNote) item.append(element("p", "notice", article.correctionNote));
  return item;
}

function kindOf(article) {
  if (article.status === "RETRACTED") return "RETRACTED";
  return article.correctionNote ? "CORRECTED" : "APPROVED";
}

function place(article, kind, fresh) {
  const item = render(article, kind);
  const existing = list.querySelector(`li[data-slug="${CSS.escape(article.slug)}"]`);
  if (existing) existing.remove();
  if (fresh) {
    item.classList.add("fresh");
    list.prepend(item);
  } else {
    list.append(item);
  }
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
      const filter = region || stage ? { regionCode: region || null, stageCode: stage || null } : null;
      ws.send(JSON.stringify({
        id: "live", type: "subscribe",
        payload: { query: LIVE, variables: { filter, after: cursor } },
      }));
      show("live", "langsung");
    } else if (data.type === "ping") {
      ws.send(JSON.stringify({ type: "pong" }));
    } else if (data.type === "next") {
      const event = data.payload.data.articlePublished;
      cursor = event.cursor;
      if (event.article) place(event.article, event.kind, true);
    } else if (data.type === "error") {
      const code = data.payload[0].extensions && data.payload[0].extensions.code;
      if (code === "CURSOR_EXPIRED") reload();
      else show("error", data.payload[0].message);
    }
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    if (FATAL.has(event.code)) {
      show("error", `terputus (${event.code})`);
      return;
    }
    // A restarting or busy server names when to come back (spreading the reconnects).
    const asked = /reconnect in ([0-9.]+) s/.exec(event.reason || "");
    const wait = asked ? Math.max(250, parseFloat(asked[1]) * 1000) : retry;
    show("reconnecting", `terputus, menyambung kembali dalam ${Math.round(wait / 1000) || 1} detik…`);
    setTimeout(connect, wait);
    if (!asked) retry = Math.min(retry * 2, 10000);
  };
}

// The stream position first, then the list: an approval in between is in both (placed once).
// A newer choice of filters supersedes a reload still under way.
let generation = 0;
async function reload() {
  const mine = ++generation;
  const old = socket;
  socket = null;
  if (old) old.close(1000);
  show("connecting", "memuat…");
  const position = (await graphql("{ liveCursor }")).liveCursor;
  const filter = { region: region || null, electionStage: stage || null };
  const data = await graphql(LATEST, { filter });
  if (mine !== generation) return;
  cursor = position;
  list.replaceChildren();
  for (const article of data.articles.nodes) place(article, kindOf(article), false);
  document.getElementById("note").textContent = data.articles.nodes.length
    ? "Berita yang sudah disetujui, terbaru di atas; berita baru muncul otomatis."
    : "Belum ada berita untuk pilihan ini; berita baru muncul otomatis.";
  connect();
}

function remember() {
  const query = new URLSearchParams();
  if (region) query.set("region", region);
  if (stage) query.set("stage", stage);
  history.replaceState(null, "", query.toString() ? `?${query}` : location.pathname);
}

async function start() {
  const choices = await graphql(CHOICES);
  for (const province of choices.regions.nodes) regionSelect.add(new Option(province.name, province.code));
  for (const item of choices.electionStages.nodes) stageSelect.add(new Option(item.name, item.code));
  regionSelect.value = region;
  stageSelect.value = stage;
  regionSelect.onchange = () => { region = regionSelect.value; remember(); reload(); };
  stageSelect.onchange = () => { stage = stageSelect.value; remember(); reload(); };
  await reload();
}

start().catch((error) => show("error", error.message));
