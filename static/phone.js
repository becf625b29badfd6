// The participant's phone: join with a name, then follow the session. The resume token
// lives in localStorage so a locked screen, a dropped network or a server restart never
// costs the participant their place.
import { connect, statusBanner, phaseLabel } from "./ws.js";

const app = document.getElementById("app");
const code = app.dataset.code;
const tokenKey = `atelier:token:${code}`;
const $ = (id) => document.getElementById(id);

let client = null;
let pendingName = null;

function show(section) {
  for (const id of ["join", "lobby", "removed"]) $(id).hidden = id !== section;
}

function hello() {
  const token = localStorage.getItem(tokenKey);
  if (token) return { type: "resume", token };
  return { type: "join", code, name: pendingName };
}

function start() {
  if (client) client.stop();
  client = connect({ hello, onMessage, onStatus: statusBanner($("net")) });
}

function renderPhase(session) {
  const label = phaseLabel(session.phase, session.activity);
  $("phase-text").textContent =
    session.phase.kind === "lobby"
      ? "Vous êtes dans l'atelier. L'animateur va bientôt commencer."
      : `En cours : ${label}`;
}

function onMessage(message) {
  switch (message.type) {
    case "welcome":
      if (message.token) localStorage.setItem(tokenKey, message.token);
      $("you").textContent = message.you.name;
      renderPhase(message.session);
      show("lobby");
      break;
    case "phase.changed":
      renderPhase(message);
      break;
    case "bye":
      if (message.reason === "removed") {
        localStorage.removeItem(tokenKey);
        client.stop();
        client = null;
        show("removed");
      }
      break;
    case "error":
      if (["unknown_token", "removed"].includes(message.code)) {
        // This phone's place is gone: ask for a name again.
        localStorage.removeItem(tokenKey);
        client.stop();
        client = null;
        show("join");
      } else if (["bad_name", "unknown_code", "session_closed"].includes(message.code)) {
        client.stop();
        client = null;
        $("join-error").textContent = message.message;
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
  pendingName = name;
  start();
});

$("rejoin").addEventListener("click", () => show("join"));

if (localStorage.getItem(tokenKey)) {
  start();
} else {
  show("join");
}
