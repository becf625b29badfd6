// The projector: join code and QR, then the names arriving, then the games.
import { connect, statusBanner, phaseLabel } from "./ws.js";

const app = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const names = new Map();

function renderNames() {
  const list = $("participants");
  list.replaceChildren(
    ...[...names.values()].map((name) => {
      const item = document.createElement("li");
      item.textContent = name;
      return item;
    }),
  );
  $("count").textContent = String(names.size);
}

function renderPhase(session) {
  $("phase").textContent = phaseLabel(session.phase, session.activity);
  $("join-panel").hidden = !["lobby"].includes(session.phase.kind);
}

connect({
  hello: () => ({ type: "screen", code: app.dataset.code, key: app.dataset.key }),
  onStatus: statusBanner($("net")),
  onMessage(message) {
    switch (message.type) {
      case "welcome":
        names.clear();
        for (const p of message.participants) names.set(p.pid, p.name);
        renderNames();
        renderPhase(message.session);
        break;
      case "participant.joined":
        names.set(message.pid, message.name);
        renderNames();
        break;
      case "participant.removed":
        names.delete(message.pid);
        renderNames();
        break;
      case "phase.changed":
        renderPhase(message);
        break;
    }
  },
});
