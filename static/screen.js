// The projector: join code and QR, the names arriving, then each activity's big screen.
import { connect, statusBanner, phaseLabel } from "./ws.js";
import { ready, t } from "./i18n.js";
import { activityHost } from "./activities.js";

const app = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const names = new Map();
// Participants away (no socket for 20 s): listed apart, not counted as players.
const away = new Set();
const host = activityHost($("activities"), "screen", { send: () => false, deckUrl: app.dataset.deckUrl });

function renderNames() {
  const list = $("participants");
  list.replaceChildren(
    ...[...names].map(([pid, name]) => {
      const item = document.createElement("li");
      item.textContent = name;
      if (away.has(pid)) {
        item.className = "away";
        const state = document.createElement("small");
        state.className = "presence";
        state.textContent = ` · ${t("screen-away")}`;
        item.append(state);
      }
      return item;
    }),
  );
  $("count").textContent = t("screen-participants", { count: names.size - away.size });
  host.setPeople(new Map(names));
}

// The newest session state: a phase change may arrive while a welcome is still mounting.
let latest = null;

// Whether the join panel is shown over an activity (a late arrival asked for the QR code).
let joinOpen = false;
let lobby = true;

function renderJoin() {
  const open = lobby || joinOpen;
  $("join-panel").hidden = !open;
  $("join-chip").hidden = lobby;
  $("join-chip").setAttribute("aria-expanded", String(joinOpen));
  document.body.classList.toggle("join-open", !lobby && joinOpen);
}

function toggleJoin(open) {
  joinOpen = open;
  renderJoin();
}

function renderPhase(session) {
  $("phase").textContent = phaseLabel(t, session.phase, session.activity);
  lobby = session.phase.kind === "lobby";
  if (lobby) joinOpen = false;
  document.body.classList.toggle("in-lobby", lobby);
  renderJoin();
  $("people-panel").hidden = !lobby;
  // During an activity the boards need the whole screen.
  document.body.classList.toggle("in-activity", session.phase.kind === "activity");
  host.show(session);
}

$("join-chip").addEventListener("click", () => toggleJoin(!joinOpen));
$("join-panel").addEventListener("click", () => {
  if (!lobby) toggleJoin(false);
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && joinOpen) toggleJoin(false);
  else if ((event.key === "j" || event.key === "J") && !lobby && !event.ctrlKey && !event.metaKey && !event.altKey) toggleJoin(!joinOpen);
});

await ready;
connect({
  hello: () => ({ type: "screen", code: app.dataset.code, key: app.dataset.key }),
  onStatus: statusBanner($("net"), t),
  onMessage(message) {
    if (host.route(message)) return;
    switch (message.type) {
      case "welcome":
        names.clear();
        away.clear();
        for (const p of message.participants) {
          names.set(p.pid, p.name);
          if (p.away != null) away.add(p.pid);
        }
        latest = message.session;
        host.welcome(message).then(() => {
          renderNames();
          renderPhase(latest);
        });
        break;
      case "participant.joined":
        names.set(message.pid, message.name);
        renderNames();
        break;
      case "participant.removed":
        names.delete(message.pid);
        away.delete(message.pid);
        renderNames();
        break;
      case "participant.presence":
        if (message.away != null) away.add(message.pid);
        else away.delete(message.pid);
        renderNames();
        break;
      case "phase.changed":
        latest = { ...latest, phase: message.phase, activity: message.activity };
        renderPhase(latest);
        break;
    }
  },
});
