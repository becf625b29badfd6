// The facilitator's console: live participants with their connection state, phase
// controls, and each activity's controls (mounted by activities.js).
import { connect, statusBanner, phaseLabel } from "./ws.js";
import { errorText, ready, t } from "./i18n.js";
import { activityHost } from "./activities.js";

const app = document.getElementById("app");
const code = app.dataset.code;
const $ = (id) => document.getElementById(id);
const people = new Map(); // pid -> {name, online, away (Unix ms since when, or null)}
let client = null;
// Phones asking to take back a participant, by request id: {pid, name}.
const reclaims = new Map();
let joining = { open: true, max: null };
let lastActivity = null;
// The server's clock minus this page's (from the welcome), to count down grace periods right.
let clockOffset = 0;
const host = activityHost($("activities"), "console", {
  send: (message) => client && client.send(message),
  deckUrl: app.dataset.deckUrl,
  awaySince: (pid) => {
    const since = people.get(pid)?.away;
    // Never later than now: the offset is only known to within the welcome's trip.
    return since == null ? null : Math.min(since - clockOffset, Date.now());
  },
});

// A participant is connected (a socket), reconnecting (socket lost moments ago) or away (no
// socket for 20 s: stored by the server, counted out of the room's counters).
function presenceOf(person) {
  if (person.away != null && !person.online) return "away";
  return person.online ? "online" : "offline";
}

function presenceText(person) {
  const state = presenceOf(person);
  if (state !== "away") return t(state === "online" ? "console-online" : "console-offline");
  const since = new Date(person.away).toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
  return t("console-away", { since });
}

function renderPeople() {
  const list = $("participants");
  list.replaceChildren();
  for (const [pid, person] of people) {
    const item = document.createElement("li");
    item.className = presenceOf(person);
    const name = document.createElement("span");
    name.textContent = person.name;
    const state = document.createElement("small");
    state.className = "presence";
    state.textContent = ` · ${presenceText(person)}`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link";
    remove.textContent = t("console-remove");
    remove.setAttribute("aria-label", t("console-remove-label", { name: person.name }));
    remove.addEventListener("click", () => {
      if (confirm(t("console-remove-confirm", { name: person.name }))) client.send({ type: "participant.remove", pid });
    });
    item.append(name, state, " ", remove);
    list.append(item);
  }
  $("count").textContent = String(people.size);
  const connected = [...people.values()].filter((p) => presenceOf(p) !== "away").length;
  $("presence-summary").textContent = t("console-connected", { connected, total: people.size });
  renderJoining();
  host.setPeople(new Map([...people].map(([pid, p]) => [pid, p.name])));
}

function renderReclaims() {
  const list = $("reclaim-list");
  list.replaceChildren(
    ...[...reclaims].map(([request, r]) => {
      const item = document.createElement("li");
      const text = document.createElement("p");
      text.textContent = t("console-reclaim-request", { name: r.name });
      const accept = document.createElement("button");
      accept.type = "button";
      accept.textContent = t("console-reclaim-accept", { name: r.name });
      accept.addEventListener("click", () => client.send({ type: "reclaim.decide", request, accept: true }));
      const refuse = document.createElement("button");
      refuse.type = "button";
      refuse.className = "secondary";
      refuse.textContent = t("console-reclaim-refuse");
      refuse.addEventListener("click", () => client.send({ type: "reclaim.decide", request, accept: false }));
      item.append(text, accept, " ", refuse);
      return item;
    }),
  );
  $("reclaims").hidden = reclaims.size === 0;
}

// The newest session state: a phase change may arrive while a welcome is still mounting.
let latest = null;

// Whether phones may still join, and how many places are taken.
function renderJoining() {
  const state = $("joining-state");
  const parts = [];
  if (!joining.open) parts.push(t("console-joining-closed"));
  if (joining.max) parts.push(t("console-joining-full", { count: people.size, max: joining.max }));
  state.textContent = parts.join(" ");
  $("joining-toggle").textContent = t(joining.open ? "console-joining-close" : "console-joining-open");
}

// The activity the session last left, for "Back to …" (its state is kept on the server).
let shownPhase = null;
function renderPhase(session) {
  $("phase").textContent = phaseLabel(t, session.phase, session.activity);
  const phase = session.phase || {};
  const same = (a, b) => a && b && a.kind === b.kind && a.index === b.index;
  if (shownPhase && shownPhase.phase.kind === "activity" && !same(shownPhase.phase, phase)) {
    lastActivity = { index: shownPhase.phase.index, activity: shownPhase.activity };
  }
  shownPhase = { phase, activity: session.activity };
  const back = $("back-to-activity");
  const offer = lastActivity && phase.kind !== "closed" && !same({ kind: "activity", index: lastActivity.index }, phase);
  if (offer) back.textContent = t("console-back-to", { activity: t(`phase-${lastActivity.activity}`) });
  back.hidden = !offer;
  $("to-lobby").hidden = phase.kind === "lobby" || phase.kind === "closed";
  $("next-phase").hidden = phase.kind === "closed";
  document.body.classList.toggle("in-activity", phase.kind !== "lobby");
  host.show(session);
}

function onMessage(message) {
  if (host.route(message)) return;
  switch (message.type) {
    case "welcome": {
      if (Number.isFinite(message.now)) clockOffset = message.now - Date.now();
      people.clear();
      const online = new Set(message.online || []);
      for (const p of message.participants) people.set(p.pid, { name: p.name, online: online.has(p.pid), away: p.away ?? null });
      latest = message.session;
      if (message.session.joining) joining = message.session.joining;
      reclaims.clear();
      for (const r of message.reclaims || []) reclaims.set(r.request, r);
      renderReclaims();
      host.welcome(message).then(() => {
        renderPeople();
        renderPhase(latest);
      });
      break;
    }
    case "participant.joined":
      people.set(message.pid, { name: message.name, online: false, away: null });
      renderPeople();
      break;
    case "participant.removed":
      people.delete(message.pid);
      renderPeople();
      break;
    case "presence": {
      const person = people.get(message.pid);
      if (person) {
        person.online = message.online;
        renderPeople();
      }
      break;
    }
    case "participant.presence": {
      const person = people.get(message.pid);
      if (person) {
        person.away = message.away ?? null;
        renderPeople();
      }
      break;
    }
    case "reclaim.requested":
      reclaims.set(message.request, { pid: message.pid, name: message.name });
      renderReclaims();
      break;
    case "reclaim.decided":
    case "reclaim.withdrawn":
      reclaims.delete(message.request);
      renderReclaims();
      break;
    case "joining.changed":
      joining = message.joining;
      renderJoining();
      break;
    case "phase.changed":
      latest = { ...latest, phase: message.phase, activity: message.activity };
      renderPhase(latest);
      break;
    case "error":
      if (host.error(message)) break;
      $("net").textContent = errorText(message);
      $("net").className = "banner warn";
      $("net").hidden = false;
      break;
  }
}

await ready;
client = connect({ hello: () => ({ type: "staff", code }), onMessage, onStatus: statusBanner($("net"), t) });
// Leaving an activity under way asks first, and says how to come back: the activity's state
// is kept, and "Back to …" returns to it.
// Whether the facilitator still wants to leave the activity on screen (asked only when it
// is under way).
function leaveActivity() {
  const phase = latest && latest.phase;
  if (!phase || phase.kind !== "activity" || !host.underWay()) return true;
  const activity = t(`phase-${latest.activity}`);
  return confirm(t("console-end-confirm", { activity }));
}
$("next-phase").addEventListener("click", () => {
  if (leaveActivity()) client.send({ type: "phase.next" });
});
$("back-to-activity").addEventListener("click", () => {
  if (lastActivity && leaveActivity()) client.send({ type: "phase.set", phase: { kind: "activity", index: lastActivity.index } });
});
$("joining-toggle").addEventListener("click", () => client.send({ type: "joining.set", open: !joining.open }));
renderJoining();
$("to-lobby").addEventListener("click", () => {
  if (leaveActivity()) client.send({ type: "phase.set", phase: { kind: "lobby" } });
});
