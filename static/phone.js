// The participant's phone: join with a name, then follow the session. The resume token
// lives in localStorage so a locked screen, a dropped network or a server restart never
// costs the participant their place.
import { connect, statusBanner, phaseLabel } from "./ws.js";
import { errorText, ready, t } from "./i18n.js";
import { activityHost } from "./activities.js";

const app = document.getElementById("app");
const code = app.dataset.code;
const tokenKey = `atelier:token:${code}`;
const $ = (id) => document.getElementById(id);

let client = null;
let pendingName = null;
// Set when this phone asks to take back the participant of that name (see "name_taken").
let reclaiming = false;
const host = activityHost($("activities"), "phone", {
  send: (message) => client && client.send(message),
  deckUrl: app.dataset.deckUrl,
});

function show(section) {
  for (const id of ["join", "lobby", "removed", "reclaim-wait"]) $(id).hidden = id !== section;
  if (section !== "join") $("name-taken").hidden = true;
}

function hello() {
  const token = localStorage.getItem(tokenKey);
  if (token) return { type: "resume", token };
  if (reclaiming) return { type: "reclaim", code, name: pendingName };
  return { type: "join", code, name: pendingName };
}

// Another participant has this name: offer to take it back (it may be this person on a new
// phone) or to join with the suggested name.
function nameTaken(name, suggestion) {
  $("join-error").textContent = "";
  $("name-taken-text").textContent = t("phone-name-taken", { name });
  $("reclaim").textContent = t("phone-reclaim", { name });
  $("use-suggestion").textContent = t("phone-use-suggestion", { name: suggestion });
  $("use-suggestion").dataset.name = suggestion;
  $("name-taken").hidden = false;
  show("join");
  $("name-taken").hidden = false;
}

function start() {
  if (client) client.stop();
  client = connect({ hello, onMessage, onStatus: statusBanner($("net"), t) });
}

function stop() {
  if (client) client.stop();
  client = null;
}

// The newest session state: a phase change may arrive while a welcome is still mounting.
let latest = null;
let previousPhase = null;

function renderPhase(session) {
  const inActivity = session.phase.kind === "activity";
  $("phase-text").textContent =
    session.phase.kind === "lobby"
      ? t("phone-waiting")
      : session.phase.kind === "closed"
        ? t("phone-closed")
        : t("phone-now", { phase: phaseLabel(t, session.phase, session.activity) });
  $("phase-text").hidden = inActivity;
  // A new phase is a new screen: it starts at its top (and a shorter screen does not pull the
  // footer up into view).
  if (previousPhase && previousPhase !== JSON.stringify(session.phase)) window.scrollTo(0, 0);
  const shown = host.show(session);
  // A new phase moves the focus to its heading, so screen readers start there.
  if (previousPhase && previousPhase !== JSON.stringify(session.phase)) {
    const heading = document.querySelector(`#activity-${shown} h2, #activity-${shown} h1`);
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: false });
    }
  }
  previousPhase = JSON.stringify(session.phase);
  // The lobby's lines stay for the lobby, and for the end: "the workshop is over" above the
  // badge and the feedback form (the closed phase mounts the badge desk, which hid them).
  $("lobby").hidden = Boolean(shown) && !["lobby", "closed"].includes(session.phase.kind);
}

function onMessage(message) {
  if (host.route(message)) return;
  switch (message.type) {
    case "reclaim.waiting":
      $("reclaim-wait-text").textContent = t("phone-reclaim-waiting", { name: message.name });
      show("reclaim-wait");
      break;
    case "welcome":
      reclaiming = false;
      if (message.token) localStorage.setItem(tokenKey, message.token);
      $("hello").textContent = t("phone-hello", { name: message.you.name });
      // The lobby only in the lobby phase: after a reconnection during an activity it must not
      // flash above the game (and push it down) while the modules mount again.
      show(message.session.phase.kind === "lobby" ? "lobby" : null);
      latest = message.session;
      // The lobby's line at once: the participant sees they are in while the activities'
      // modules still load (on a slow network they take seconds; the lobby does not need them).
      if (latest.phase.kind === "lobby") $("phase-text").textContent = t("phone-waiting");
      host.welcome(message).then(() => renderPhase(latest));
      break;
    case "phase.changed":
      latest = { ...latest, phase: message.phase, activity: message.activity };
      renderPhase(latest);
      break;
    case "bye":
      if (["removed", "erased", "replaced"].includes(message.reason)) {
        // This phone's place is gone, and it says why (a person asked for erasure, the
        // facilitator removed them, or they took their place back on another phone); the
        // button starts again with a name.
        localStorage.removeItem(tokenKey);
        stop();
        $("removed-text").hidden = message.reason !== "removed";
        $("erased-text").hidden = message.reason !== "erased";
        $("replaced-text").hidden = message.reason !== "replaced";
        show("removed");
      } else if (message.reason === "reclaim_refused") {
        reclaiming = false;
        stop();
        $("join-error").textContent = t("phone-reclaim-refused");
        show("join");
      }
      break;
    case "error":
      if (host.error(message)) break;
      if (["unknown_token", "removed"].includes(message.code)) {
        // This phone's place is gone: ask for a name again.
        localStorage.removeItem(tokenKey);
        stop();
        show("join");
      } else if (message.code === "name_taken") {
        stop();
        nameTaken(pendingName, message.suggestion || "");
      } else if (["bad_name", "unknown_code", "unknown_name", "busy", "session_closed", "joining_closed", "session_full"].includes(message.code)) {
        reclaiming = false;
        stop();
        $("join-error").textContent = errorText(message);
        show("join");
      }
      break;
  }
}

$("join-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("name").value.trim();
  if (!name) return;
  $("join-error").textContent = "";
  $("name-taken").hidden = true;
  reclaiming = false;
  pendingName = name;
  start();
});

$("rejoin").addEventListener("click", () => show("join"));
$("reclaim").addEventListener("click", () => {
  reclaiming = true;
  $("name-taken").hidden = true;
  start();
});
$("use-suggestion").addEventListener("click", () => {
  $("name").value = $("use-suggestion").dataset.name;
  $("name-taken").hidden = true;
  pendingName = $("name").value;
  start();
});
$("reclaim-cancel").addEventListener("click", () => {
  reclaiming = false;
  stop();
  show("join");
});

await ready;
if (localStorage.getItem(tokenKey)) {
  start();
} else {
  show("join");
}
