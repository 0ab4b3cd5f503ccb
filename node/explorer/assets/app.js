// The Artel explorer: pages a member reads in the browser, built from the
// node's /v1 API (docs/operator.md). A member's records are private: the
// page signs each such read with the key file the member loads
// (tweetnacl, Ed25519), exactly as `artel statement --key` does.
"use strict";

const T = {
  en: {
    load_key: "Load key", forget_key: "Forget key", footer: "Every line names the article and charter version that produced it.",
    platform: "The platform", ledger: "Ledger", date: "Date", height: "Height", members: "Memberships",
    cooperatives: "Cooperatives", charters: "Charters", charter: "Charter", network: "Guarantor network",
    platform_charter: "the platform's charter", cooperative: "Cooperative", version: "Version",
    versions: "Versions", in_force: "in force", pending: "from", effective: "effective",
    parameters: "Parameters in force", who_may: "Who may do what", changes: "What changed from version",
    no_changes: "No changes to parameters, rules or texts.", approved_by: "Signed and approved by",
    signed: "signed", approved: "approved", person: "person", key: "key", article: "Article",
    member: "Member", open_member: "Open a member's page", open: "Open", balance: "Balance",
    statement: "Statement", amount: "Amount", article_col: "Article", events: "Notices and events",
    no_events: "No events name this member.", private: "This member's records are private.",
    private_hint: "Load the member's key file (or its cooperative's) to read them; the key stays in this tab.",
    not_found: "Not found", error: "Error", participants: "Participants", centre: "Participant",
    levels: "Levels", draw: "Draw", guarantors: "Guarantors", vouches_for: "Vouches for", level: "Level",
    pick_centre: "Pick a participant to draw their neighbourhood.", your_memberships: "Your memberships",
    code_changed: "The charter's code changed", rule: "rule", added: "added", removed: "removed", changed: "changed",
    rights: "rights", text: "text", title: "title", not_taken: "not yet taken", contribution: "contribution",
    admitted: "in cooperative", key_loaded: "Key", bad_key: "This file holds no key (expected the hex seed artel keygen writes).",
    sealed_key: "A sealed key file is for the command line; load the plain key file here.",
    no_nacl: "This node cannot sign in the browser (tweetnacl is not installed on it).",
    truncated: "The drawing was cut at 200 participants.", loading: "Loading…",
    charter_text_of: "as it stood in version", more: "More lines follow.", guarantees: "Guarantees",
  },
  ru: {
    load_key: "Загрузить ключ", forget_key: "Забыть ключ", footer: "Каждая строка указывает статью и редакцию устава, по которой она сделана.",
    platform: "Платформа", ledger: "Реестр", date: "Дата", height: "Высота", members: "Членств",
    cooperatives: "Кооперативов", charters: "Уставы", charter: "Устав", network: "Сеть поручителей",
    platform_charter: "устав платформы", cooperative: "Кооператив", version: "Редакция",
    versions: "Редакции", in_force: "действует", pending: "с", effective: "вступает в силу",
    parameters: "Действующие параметры", who_may: "Кто что может", changes: "Что изменилось по сравнению с редакцией",
    no_changes: "Параметры, правила и тексты не изменились.", approved_by: "Подписали и одобрили",
    signed: "подписал", approved: "одобрил", person: "лицо", key: "ключ", article: "Статья",
    member: "Пайщик", open_member: "Открыть страницу пайщика", open: "Открыть", balance: "Остаток",
    statement: "Выписка", amount: "Сумма", article_col: "Статья", events: "Уведомления и события",
    no_events: "Событий с этим пайщиком нет.", private: "Записи пайщика закрыты.",
    private_hint: "Загрузите файл ключа пайщика (или его кооператива), чтобы их прочитать; ключ остаётся в этой вкладке.",
    not_found: "Не найдено", error: "Ошибка", participants: "Участники", centre: "Участник",
    levels: "Уровней", draw: "Нарисовать", guarantors: "Поручители", vouches_for: "Поручается за", level: "Уровень",
    pick_centre: "Выберите участника, чтобы нарисовать его окружение.", your_memberships: "Ваши членства",
    code_changed: "Код устава изменился", rule: "правило", added: "добавлено", removed: "удалено", changed: "изменено",
    rights: "права", text: "текст", title: "заголовок", not_taken: "ещё не списано", contribution: "взнос",
    admitted: "в кооперативе", key_loaded: "Ключ", bad_key: "В файле нет ключа (ожидается hex-seed, который пишет artel keygen).",
    sealed_key: "Запечатанный файл ключа — для командной строки; загрузите здесь обычный файл ключа.",
    no_nacl: "Этот узел не может подписывать в браузере (tweetnacl не установлен).",
    truncated: "Рисунок обрезан на 200 участниках.", loading: "Загрузка…",
    charter_text_of: "в редакции", more: "Есть ещё строки.", guarantees: "Поручительства",
  },
};

let lang = localStorage.getItem("artel.lang") === "ru" ? "ru" : "en";
const t = (k) => T[lang][k] || T.en[k] || k;

// ---- the DOM, without innerHTML for anything the ledger says

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}
const link = (href, ...children) => h("a", { href, "data-link": true }, ...children);

// ---- money and bytes

function money(minor, scale, currency, sign) {
  const neg = minor < 0;
  let digits = String(Math.abs(minor));
  if (scale > 0) digits = digits.padStart(scale + 1, "0");
  let whole = scale > 0 ? digits.slice(0, digits.length - scale) : digits;
  const frac = scale > 0 ? digits.slice(digits.length - scale) : "";
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  const text = whole + (frac ? (lang === "ru" ? "," : ".") + frac : "");
  return (neg ? "-" : sign && minor > 0 ? "+" : "") + text + (currency ? "\u00a0" + currency : "");
}
const fromHex = (s) => Uint8Array.from(s.match(/../g) || [], (b) => parseInt(b, 16));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const utf8 = (s) => new TextEncoder().encode(s);
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
function u64le(n) {
  const b = new Uint8Array(8);
  for (let i = 0; i < 8; i++) { b[i] = n % 256; n = Math.floor(n / 256); }
  return b;
}

// ---- the member's key: kept in this tab only (sessionStorage)

let key = null;
function loadKey(seedHex) {
  if (typeof nacl === "undefined") throw new Error(t("no_nacl"));
  key = nacl.sign.keyPair.fromSeed(fromHex(seedHex));
  sessionStorage.setItem("artel.key", seedHex);
}
try { const s = sessionStorage.getItem("artel.key"); if (s) loadKey(s); } catch (e) { key = null; }

let ledgerId = null;
async function api(target) {
  const headers = {};
  if (key) {
    if (!ledgerId) ledgerId = (await (await fetch("/v1/status")).json()).ledger_id;
    const expires = Math.floor(Date.now() / 1000) + 120;
    const message = concat(utf8("artel/read/v1\0"), fromHex(ledgerId), u64le(expires), utf8(target));
    const sig = nacl.sign.detached(message, key.secretKey);
    headers.Authorization = `Artel-Read key=${toHex(key.publicKey)}, expires=${expires}, sig=${toHex(sig)}`;
  }
  const r = await fetch(target, { headers });
  let body = null;
  try { body = await r.json(); } catch (e) { body = { error: { code: "bad_answer", message: String(e) } }; }
  return { status: r.status, body };
}
class ApiError extends Error {
  constructor(answer) { super(answer.body.error ? answer.body.error.message : "HTTP " + answer.status); this.answer = answer; }
}
async function get(target) {
  const a = await api(target);
  if (a.status !== 200) throw new ApiError(a);
  return a.body;
}

// ---- charters: modules cached per (cooperative, version)

const charterCache = new Map();
function charterVersion(coop, version) {
  const k = coop + "/" + version;
  if (!charterCache.has(k)) charterCache.set(k, get(`/v1/charter/${version}?coop=${coop}`));
  return charterCache.get(k);
}
// An article's text in the page's language, a paragraph per blank line.
function paragraphs(texts) {
  const text = texts[lang] !== undefined ? texts[lang] : Object.values(texts)[0] || "";
  return text.split(/\n\s*\n/).map((p) => h("p", {}, p));
}
const inLang = (m) => (m && (m[lang] || m.en || Object.values(m)[0])) || "";

// ---- pages

const main = document.getElementById("main");
function show(...nodes) {
  main.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
  window.scrollTo(0, 0);
}

function errorBox(e) {
  if (e instanceof ApiError) {
    const code = e.answer.body.error ? e.answer.body.error.code : "";
    const title = e.answer.status === 404 ? t("not_found") : t("error") + " " + e.answer.status;
    return h("div", { class: "error", id: "error", "data-code": code }, h("strong", {}, title + ": "), e.message);
  }
  return h("div", { class: "error", id: "error" }, String(e.message || e));
}

async function home() {
  const s = await get("/v1/status");
  const rows = [];
  for (const c of s.charters) {
    const ch = await get(`/v1/charter?coop=${c.cooperative}`);
    const name = ch.versions.length ? ch.versions[ch.versions.length - 1].name : "";
    rows.push(h("tr", {},
      h("td", {}, c.cooperative === 0 ? t("platform") : `${t("cooperative")} ${c.cooperative}` + (ch.name ? ` — ${ch.name}` : "")),
      h("td", {}, link(`/charter/${c.cooperative}`, name), ` (${t("version")} ${c.version})`),
      h("td", {}, c.cooperative === 0 ? "" : link(`/network/${c.cooperative}`, t("network")))));
  }
  let input;
  const open = h("form", { class: "inline", onsubmit: (ev) => { ev.preventDefault(); if (input.value) go(`/member/${input.value}`); } },
    h("label", {}, t("open_member") + " "), input = h("input", { type: "number", min: "1", id: "member-id" }), h("button", {}, t("open")));
  show(h("h1", {}, t("platform")),
    h("p", { class: "muted" }, `${t("ledger")} ${s.ledger_id.slice(0, 16)}… · ${t("date")} ${s.date} · ${t("height")} ${s.height} · ` +
      `${t("cooperatives")} ${s.cooperatives} · ${t("members")} ${s.members}`),
    h("h2", {}, t("charters")), h("div", { class: "scroll" }, h("table", { id: "charters" }, rows)), open);
}

function parametersTable(doc) {
  return h("div", { class: "scroll" }, h("table", { id: "parameters" },
    doc.parameters.map((p) => h("tr", {}, h("td", {}, h("code", {}, p.name)), h("td", { class: "num" }, p.display)))));
}

function articleBox(a, withRules) {
  return h("section", { class: "article", id: `article-${a.number}` },
    h("h3", {}, `${t("article")} ${a.number}. ${inLang(a.titles)}`),
    paragraphs(a.texts),
    withRules && a.rules.length ? [h("div", { class: "muted" }, t("who_may") + ":"),
      h("ul", { class: "rights" }, a.rules.map((r) => h("li", { "data-rule": r.name },
        h("code", {}, `${r.name}(${r.params.map((p) => p.name).join(", ")})`), " — ", inLang(r.rights))))] : null);
}

function changesBox(c, from) {
  const items = [];
  for (const f of c.header) items.push(`${f.field}: ${f.from} → ${f.to}`);
  for (const p of c.parameters)
    items.push(`${p.name}: ${p.from ? p.from.display : "—"} → ${p.to ? p.to.display : "—"} (${t(p.change)})`);
  for (const r of c.rules)
    items.push(`${t("rule")} ${r.name}: ${t(r.change)}` + (r.change === "changed" && r.rights ? ` (${t("rights")}: ${r.rights.from} → ${r.rights.to})` :
      r.change !== "changed" ? ` (${r.rights})` : ` (${r.what.join(", ")})`));
  for (const a of c.articles)
    items.push(`${t("article")} ${a.number}: ${t(a.change)}` + (a.change === "changed" ? ` (${[...a.titles.map((l) => t("title") + " " + l), ...a.texts.map((l) => t("text") + " " + l)].join(", ")})` : ""));
  if (c.code.changed) items.push(t("code_changed"));
  return [h("h2", {}, `${t("changes")} ${from}`),
    items.length ? h("ul", { id: "changes" }, items.map((i) => h("li", {}, i))) : h("p", { id: "changes" }, t("no_changes"))];
}

async function charterPage(coop, version) {
  const list = await get(`/v1/charter?coop=${coop}`);
  const v = version || list.version;
  const c = await charterVersion(coop, v);
  const doc = c.document;
  const versions = h("p", { class: "versions" }, t("versions") + ": ",
    list.versions.map((x, i) => [i ? " · " : "", link(`/charter/${coop}/${x.version}`, `v${x.version}`),
      ` (${x.version === list.version ? t("in_force") + ", " : x.version > list.version ? t("pending") + " " : ""}${x.effective_date})`]));
  for (const a of versions.querySelectorAll("a")) if (a.textContent === `v${v}`) a.className = "current";
  show(h("h1", {}, doc.header.name),
    h("p", { class: "muted" }, `${coop === 0 ? t("platform_charter") : t("cooperative") + " " + coop + (list.name ? " — " + list.name : "")} · ` +
      `${t("version")} ${v} · ${c.in_force ? t("in_force") : t("effective") + " " + c.effective_date} · ${doc.header.currency}`),
    versions,
    h("h2", {}, t("parameters")), parametersTable(doc),
    doc.articles.map((a) => articleBox(a, true)),
    doc.rules.length ? h("ul", { class: "rights" }, doc.rules.map((r) => h("li", {}, h("code", {}, r.name), " — ", inLang(r.rights)))) : null,
    c.changes ? changesBox(c.changes, v - 1) : null,
    h("h2", {}, t("approved_by")),
    h("ul", { id: "approved" }, c.approved_by.map((a) => h("li", {}, `${t(a.role)}: ${a.person !== null ? t("person") + " " + a.person + ", " : ""}${t("key")} ${a.key.slice(0, 12)}…`))));
}

async function citation(line, cell) {
  const open = cell.querySelector(".cite-text");
  if (open) { open.remove(); return; }
  const c = await charterVersion(line.charter_coop, line.charter_version);
  const a = c.document.articles.find((x) => x.number === line.cites.number);
  cell.append(h("div", { class: "cite-text" },
    h("strong", {}, `${t("article")} ${a.number}. ${inLang(a.titles)}`), ` (${c.document.header.name}, ${t("charter_text_of")} ${line.charter_version})`,
    paragraphs(a.texts)));
}

async function memberPage(m) {
  const st = await api(`/v1/accounts/share:${m}/statement`);
  if (st.status === 401 || st.status === 403) {
    show(h("h1", {}, `${t("member")} ${m}`),
      h("div", { class: "error", id: "private", "data-code": st.body.error.code }, h("p", {}, h("strong", {}, t("private"))), h("p", {}, t("private_hint")), h("p", { class: "muted" }, st.body.error.message)));
    return;
  }
  if (st.status !== 200) throw new ApiError(st);
  const a = st.body;
  const cur = (v, sign) => money(v, a.scale || 0, a.currency || "", sign);
  const lines = a.statement.map((l) => {
    const cell = h("td", {});
    if (l.cites) cell.append(h("button", { class: "cite", onclick: () => citation(l, cell) },
      `${t("article")} ${l.cites.number}. ${inLang(l.cites.titles)}`), h("div", { class: "muted" }, `${l.cites.charter}, v${l.charter_version}`));
    else cell.append(l.kind);
    if (l.contribution && l.contribution.description)
      cell.append(h("div", { class: "muted" }, `${t("contribution")}: ${l.contribution.description}`));
    if (l.tx === null) cell.append(h("div", { class: "muted" }, t("not_taken")));
    return h("tr", { "data-seq": l.seq }, h("td", { class: "date" }, l.date), h("td", { class: "num amount" + (l.amount < 0 ? " neg" : "") }, cur(l.amount, true)),
      h("td", { class: "num" }, cur(l.balance)), cell);
  });
  const ev = await api(`/v1/members/${m}/events`);
  const events = ev.status === 200 ? ev.body.events : [];
  // Guarantees given and received: the network's shape is public.
  const g = await api(`/v1/networks/${a.member.cooperative}/graph?member=${m}&levels=1`);
  let guarantees = null;
  if (g.status === 200) {
    const me = g.body.nodes.find((n) => n.member === m);
    const vouched = g.body.nodes.filter((n) => n.guarantors.includes(m)).map((n) => n.member);
    if (me && (me.guarantors.length || vouched.length))
      guarantees = [h("h2", {}, t("guarantees")),
        h("ul", { id: "guarantees" },
          h("li", { "data-kind": "guarantors" }, t("guarantors") + ": ",
            me.guarantors.length ? me.guarantors.map((x, i) => [i ? ", " : "", link(`/member/${x}`, `${t("member")} ${x}`)]) : "—"),
          h("li", { "data-kind": "vouches" }, t("vouches_for") + ": ",
            vouched.length ? vouched.map((x, i) => [i ? ", " : "", link(`/member/${x}`, `${t("member")} ${x}`)]) : "—")),
        h("p", {}, link(`/network/${a.member.cooperative}?member=${m}&levels=2`, t("network")))];
  }
  show(h("h1", {}, `${t("member")} ${m}`),
    h("p", { class: "muted" }, t("admitted") + " ", link(`/charter/${a.member.cooperative}`, `${t("cooperative")} ${a.member.cooperative}`),
      ` · ${t("person")} ${a.member.person} · ${t("date")} ${a.date}`),
    h("p", {}, t("balance") + ": ", h("span", { class: "big", id: "balance" }, cur(a.balance))),
    h("h2", {}, t("statement")),
    h("div", { class: "scroll" }, h("table", { id: "statement" },
      h("tr", {}, h("th", {}, t("date")), h("th", { class: "num" }, t("amount")), h("th", { class: "num" }, t("balance")), h("th", {}, t("article_col"))), lines)),
    a.next !== undefined ? h("p", { class: "muted" }, t("more")) : null,
    guarantees,
    h("h2", {}, t("events")),
    events.length ? h("ul", { id: "events" }, events.map((e) => h("li", {}, h("strong", {}, e.event), " ",
      e.values.map((v) => `${v.name} = ${v.type === "money" ? cur(v.value) : v.value}`).join(", "), h("span", { class: "muted" }, ` (${t("charter")} ${e.cooperative} v${e.charter_version})`))))
      : h("p", { class: "muted" }, t("no_events")));
}

async function networkPage(coop, params) {
  const member = params.get("member"), levels = params.get("levels") || "2";
  let mi, li;
  const form = h("form", { class: "inline", onsubmit: (ev) => { ev.preventDefault(); go(`/network/${coop}?member=${mi.value}&levels=${li.value}`); } },
    h("label", {}, t("centre") + " "), mi = h("input", { type: "number", min: "1", value: member || "", name: "member" }),
    h("label", {}, t("levels") + " "), li = h("input", { type: "number", min: "1", max: "16", value: levels, name: "levels" }),
    h("button", {}, t("draw")));
  const q = member ? `?member=${member}&levels=${levels}` : "";
  const g = await get(`/v1/networks/${coop}/graph${q}`);
  const table = h("div", { class: "scroll" }, h("table", { id: "participants" },
    h("tr", {}, h("th", {}, t("member")), h("th", {}, t("guarantors")), h("th", { class: "num" }, t("vouches_for")), member ? h("th", { class: "num" }, t("level")) : null),
    g.nodes.map((n) => h("tr", {}, h("td", {}, link(`/network/${coop}?member=${n.member}&levels=${levels}`, `${t("member")} ${n.member}`)),
      h("td", {}, n.guarantors.map((x, i) => [i ? ", " : "", link(`/member/${x}`, String(x))])),
      h("td", { class: "num" }, n.vouches_for), member ? h("td", { class: "num" }, n.level) : null))));
  let drawing = h("p", { class: "muted" }, t("pick_centre"));
  if (member) {
    const r = await fetch(`/graph.svg?coop=${coop}&member=${member}&levels=${levels}`);
    drawing = h("div", { class: "graph", id: "graph" });
    if (r.ok) drawing.innerHTML = await r.text();  // Graphviz's SVG of ledger numbers, from this node
    else drawing = errorBox(new ApiError({ status: r.status, body: await r.json() }));
  }
  show(h("h1", {}, `${t("network")} — ${t("cooperative")} ${coop}`), form, drawing,
    g.truncated ? h("p", { class: "muted" }, t("truncated")) : null,
    h("h2", {}, t("participants")), table);
}

// ---- routing: real paths (the node answers 404 for unknown ones)

async function route() {
  const url = new URL(location.href);
  const parts = url.pathname.split("/").filter(Boolean);
  document.documentElement.lang = lang;
  document.getElementById("lang").textContent = lang === "en" ? "RU" : "EN";
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  main.replaceChildren(h("p", { class: "muted" }, t("loading")));
  try {
    if (parts.length === 0) await home();
    else if (parts[0] === "charter" && parts.length <= 3 && parts.length >= 2) await charterPage(Number(parts[1]), parts[2] ? Number(parts[2]) : 0);
    else if (parts[0] === "member" && parts.length === 2) await memberPage(Number(parts[1]));
    else if (parts[0] === "network" && parts.length === 2) await networkPage(Number(parts[1]), url.searchParams);
    else show(h("h1", {}, t("not_found")), h("div", { class: "error", id: "error", "data-code": "not_found" }, url.pathname));
  } catch (e) {
    show(errorBox(e));
  }
  document.body.dataset.ready = "1";  // for tests: the page is drawn
}
function go(path) { history.pushState(null, "", path); document.body.dataset.ready = ""; route(); }

document.addEventListener("click", (ev) => {
  const a = ev.target.closest("a[data-link]");
  if (a && a.origin === location.origin && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); go(a.pathname + a.search); }
});
window.addEventListener("popstate", route);

async function showWho() {
  const who = document.getElementById("whoami");
  document.getElementById("forget").hidden = !key;
  who.replaceChildren();
  if (!key) return;
  const k = toHex(key.publicKey);
  who.append(`${t("key_loaded")} ${k.slice(0, 8)}… `);
  try {
    const s = await get(`/v1/signers/${k}`);
    for (const m of s.memberships) who.append(" ", link(`/member/${m.member}`, `${t("member")} ${m.member}`));
  } catch (e) { /* an unknown key reads nothing private */ }
}

document.getElementById("keyfile").addEventListener("change", async (ev) => {
  const f = ev.target.files[0];
  if (!f) return;
  const text = (await f.text()).trim();
  try {
    if (text.startsWith("artel-sealed-key")) throw new Error(t("sealed_key"));
    if (!/^[0-9a-fA-F]{64}$/.test(text.split(/\s+/)[0])) throw new Error(t("bad_key"));
    loadKey(text.split(/\s+/)[0].toLowerCase());
    await showWho();
    document.body.dataset.ready = "";
    await route();
  } catch (e) {
    show(errorBox(e));
  }
  ev.target.value = "";
});
document.getElementById("forget").addEventListener("click", () => {
  key = null; sessionStorage.removeItem("artel.key"); showWho(); route();
});
document.getElementById("lang").addEventListener("click", () => {
  lang = lang === "en" ? "ru" : "en"; localStorage.setItem("artel.lang", lang); route(); showWho();
});
showWho();
route();
