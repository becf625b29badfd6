// The facilitator's console: live participants with their connection state, phase controls.
import { connect, statusBanner, phaseLabel } from "./ws.js";

const app = document.getElementById("app");
const code = app.dataset.code;
const $ = (id) => document.getElementById(id);
const people = new Map(); // pid -> {name, online}

function renderPeople() {
  const list = $("participants");
  list.replaceChildren();
  for (const [pid, person] of people) {
    const item = document.createElement("li");
    item.className = person.online ? "online" : "offline";
    const name = document.createElement("span");
    name.textContent = person.name;
    const state = document.createElement("small");
    state.textContent = person.online ? " · connecté" : " · hors ligne";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link";
    remove.textContent = "Retirer";
    remove.setAttribute("aria-label", `Retirer ${person.name}`);
    remove.addEventListener("click", () => {
      if (confirm(`Retirer ${person.name} de l'atelier ?`)) client.send({ type: "participant.remove", pid });
    });
    item.append(name, state, " ", remove);
    list.append(item);
  }
  $("count").textContent = String(people.size);
}

function renderPhase(session) {
  $("phase").textContent = phaseLabel(session.phase, session.activity);
}

function onMessage(message) {
  switch (message.type) {
    case "welcome": {
      people.clear();
      const online = new Set(message.online || []);
      for (const p of message.participants) people.set(p.pid, { name: p.name, online: online.has(p.pid) });
      renderPeople();
      renderPhase(message.session);
      break;
    }
    case "participant.joined":
      people.set(message.pid, { name: message.name, online: false });
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
    case "phase.changed":
      renderPhase(message);
      break;
    case "error":
      alert(message.message);
      break;
  }
}

const client = connect({ hello: () => ({ type: "staff", code }), onMessage, onStatus: statusBanner($("net")) });
$("next-phase").addEventListener("click", () => client.send({ type: "phase.next" }));
$("to-lobby").addEventListener("click", () => client.send({ type: "phase.set", phase: { kind: "lobby" } }));
