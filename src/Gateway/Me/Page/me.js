// The /me page: every string from the API is rendered with textContent, never as HTML.
"use strict";

const state = { token: null, user: null };
const $ = (id) => document.getElementById(id);

function readCredentials() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token") || sessionStorage.getItem("clarity.token");
  const user = params.get("user") || sessionStorage.getItem("clarity.user");
  if (params.has("token")) {
    // Keep the token out of the address bar and history; the tab keeps it for reloads.
    sessionStorage.setItem("clarity.token", params.get("token"));
    if (params.get("user")) sessionStorage.setItem("clarity.user", params.get("user"));
    history.replaceState(null, "", location.pathname);
  }
  return { token, user };
}

// An end-user token (cu1.<payload>.<signature>) names its user in its payload; the server checks
// the signature on every call, so reading it here only saves asking who we are.
function userFromToken(token) {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== "cu1") return null;
  try {
    const json = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(parts[1].length / 4) * 4, "="));
    const payload = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    return typeof payload.u === "string" ? payload.u : null;
  } catch {
    return null;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + state.token };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  if (response.status === 401) throw new Error("Your link has expired or is not valid. Ask for a new one.");
  if (response.status === 403) throw new Error("This link does not allow that.");
  if (!response.ok) {
    let detail = "";
    try { detail = (await response.json()).detail || ""; } catch { /* not JSON */ }
    throw new Error("Something went wrong (" + response.status + "). " + detail);
  }
  return response.status === 204 ? null : response;
}

const userPath = () => "/v1/users/" + encodeURIComponent(state.user);

function say(message) {
  $("status").textContent = message;
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("aria-") || key === "role") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// How sure Clarity is of the sentence as written (confidence is that of the kind's proposition).
function sureness(belief) {
  return belief.holds === false ? 1 - belief.confidence : belief.confidence;
}

function sureWords(p) {
  if (p >= 0.9) return "Very sure";
  if (p >= 0.7) return "Fairly sure";
  if (p >= 0.5) return "Somewhat sure";
  return "Not sure";
}

const actions = {
  view: "You looked at an item",
  click: "You clicked on an item",
  add_to_cart: "You added an item to your cart",
  purchase: "You bought an item",
  return: "You returned an item",
  rating: "You rated an item",
  consume: "You watched, read or played something",
  impression: "You were shown an item and passed it by",
  dismiss: "You said you were not interested in an item",
};

function trailSentence(entry) {
  const what = actions[entry.type] || "Something happened";
  const day = String(entry.occurredAt).slice(0, 10);
  const direction = entry.effect >= 0 ? "counts for this" : "counts against this";
  const note = entry.note ? " (" + entry.note + ")" : "";
  return what + " on " + day + ": " + direction + note + ".";
}

function sourceSentence(belief) {
  if (belief.verdict === "rejected") return "You said this is wrong. It no longer affects what you are shown.";
  if (belief.verdict === "confirmed") return "You confirmed this.";
  if (belief.verdict === "stated") return "You told Clarity this.";
  const n = belief.observations + belief.contradictions;
  return "Inferred from " + n + (n === 1 ? " thing you did" : " things you did") + ", most recently on " + String(belief.lastObservedAt).slice(0, 10) + ".";
}

function renderBelief(belief) {
  const rejected = belief.verdict === "rejected";
  const item = el("li", { class: "belief" + (rejected ? " rejected" : "") });
  item.dataset.beliefId = belief.id;
  const statementId = "statement-" + belief.id;
  item.append(el("p", { class: "statement", id: statementId, text: belief.statement }));
  if (!rejected) {
    const p = sureness(belief);
    const percent = Math.round(p * 100);
    const bar = el("div", { class: "bar", role: "img", "aria-label": "Confidence " + percent + "%" });
    const fill = el("span");
    fill.style.width = percent + "%";
    bar.append(fill);
    item.append(bar, el("p", { class: "sure", text: sureWords(p) + ": " + percent + "%" }));
  }
  item.append(el("p", { class: "source", text: sourceSentence(belief) }));

  const details = el("details", {}, el("summary", { text: "Why Clarity thinks so" }));
  const trail = el("ol", { class: "trail", "aria-label": "Signals behind this, newest first" });
  details.append(trail);
  details.addEventListener("toggle", () => { if (details.open && !trail.childElementCount) loadTrail(belief.id, trail); });
  item.append(details);

  const buttons = el("div", { class: "actions" });
  const button = (label, action, text) => {
    const b = el("button", { type: "button", text });
    b.setAttribute("aria-describedby", statementId);
    b.dataset.action = action;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", () => correct(belief, action));
    return b;
  };
  if (belief.verdict !== "confirmed" && belief.verdict !== "stated") buttons.append(button("Confirm: this is right", "confirm", "That's right"));
  if (!rejected) buttons.append(button("Reject: this is wrong", "reject", "That's wrong"));
  buttons.append(button("Forget this belief", "forget", "Forget this"));
  item.append(buttons);
  return item;
}

async function loadTrail(beliefId, list) {
  try {
    const belief = await (await api("GET", userPath() + "/beliefs/" + encodeURIComponent(beliefId))).json();
    const entries = belief.trail || [];
    if (!entries.length) list.append(el("li", { text: "Nothing you did counts for this any more." }));
    for (const entry of entries) list.append(el("li", { text: trailSentence(entry) }));
  } catch (error) {
    list.append(el("li", { text: error.message }));
  }
}

async function correct(belief, action) {
  try {
    if (action === "forget") {
      await api("DELETE", userPath() + "/beliefs/" + encodeURIComponent(belief.id));
      say("Forgotten: " + belief.statement);
    } else {
      await api("POST", userPath() + "/beliefs/" + encodeURIComponent(belief.id) + "/" + action);
      say((action === "confirm" ? "Confirmed: " : "Rejected: ") + belief.statement);
    }
    await refresh();
  } catch (error) {
    say(error.message);
  }
}

function renderStatement(statement, index) {
  const fieldset = el("fieldset", {});
  fieldset.dataset.statementId = statement.id;
  fieldset.append(el("legend", { text: statement.text }));
  const name = "answer-" + index;
  const choices = [["selected", "Yes, that's me"], ["rejected", "No"], ["", "Skip"]];
  for (const [value, label] of choices) {
    const input = el("input", { type: "radio", name, value });
    input.checked = (statement.answer || "") === value;
    fieldset.append(el("label", {}, input, document.createTextNode(label)));
  }
  return fieldset;
}

async function saveStatements(event) {
  event.preventDefault();
  const selected = [];
  const rejected = [];
  for (const fieldset of $("statement-list").querySelectorAll("fieldset")) {
    const choice = fieldset.querySelector("input:checked");
    if (choice && choice.value === "selected") selected.push(fieldset.dataset.statementId);
    if (choice && choice.value === "rejected") rejected.push(fieldset.dataset.statementId);
  }
  if (!selected.length && !rejected.length) {
    say("Choose Yes or No for at least one statement.");
    return;
  }
  try {
    // The API takes at most 20 answers per request.
    const all = selected.map((id) => [id, true]).concat(rejected.map((id) => [id, false]));
    for (let i = 0; i < all.length; i += 20) {
      const chunk = all.slice(i, i + 20);
      await api("POST", userPath() + "/statements", {
        selected: chunk.filter((a) => a[1]).map((a) => a[0]),
        rejected: chunk.filter((a) => !a[1]).map((a) => a[0]),
      });
    }
    say("Saved your answers.");
    await refresh();
  } catch (error) {
    say(error.message);
  }
}

async function exportData() {
  try {
    const blob = await (await api("GET", userPath() + "/export")).blob();
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: "clarity-export.json" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
    say("Your data was downloaded.");
  } catch (error) {
    say(error.message);
  }
}

function askErase() {
  $("erase-confirm").hidden = false;
  $("erase-no").focus();
}

function cancelErase() {
  $("erase-confirm").hidden = true;
  $("erase").focus();
}

async function erase() {
  try {
    await api("DELETE", userPath());
    $("erase-confirm").hidden = true;
    await refresh();
    say("Everything Clarity stored about you was erased.");
    $("main").focus();
  } catch (error) {
    say(error.message);
  }
}

async function refresh() {
  const [model, statements] = await Promise.all([
    api("GET", userPath() + "/self-model").then((r) => r.json()),
    api("GET", "/v1/statements?userId=" + encodeURIComponent(state.user)).then((r) => r.json()),
  ]);
  const list = $("beliefs");
  list.replaceChildren(...model.beliefs.map(renderBelief));
  $("beliefs-empty").hidden = model.beliefs.length > 0;
  $("statement-list").replaceChildren(...statements.statements.map(renderStatement));
  document.body.dataset.ready = "true";
}

async function start() {
  const { token, user } = readCredentials();
  state.token = token;
  if (!token) {
    say("Open this page from the link you were given: it carries your access.");
    return;
  }
  try {
    state.user = user || userFromToken(token);
    if (!state.user) {
      say("This link does not say whose page this is. Ask for a new link.");
      return;
    }
    $("statements").addEventListener("submit", saveStatements);
    $("export").addEventListener("click", exportData);
    $("erase").addEventListener("click", askErase);
    $("erase-no").addEventListener("click", cancelErase);
    $("erase-yes").addEventListener("click", erase);
    $("erase-confirm").addEventListener("keydown", (e) => { if (e.key === "Escape") cancelErase(); });
    await refresh();
  } catch (error) {
    say(error.message);
  }
}

start();
