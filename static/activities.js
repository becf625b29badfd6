// Mounts the session's activities (bingo, fresque) into a page and routes their events.
// Each activity is an ES module `static/<activity>.js` exporting
//   mount(role, container, ctx) -> { update(message), people?(map), destroy?() }
// with role "phone" | "console" | "screen". It is mounted afresh on every `welcome`
// (a full snapshot), then fed the events whose type starts with "<activity>.".
import { t, announce, lang } from "./i18n.js";

export function activityHost(root, role, { send, deckUrl }) {
  const mounted = new Map(); // activity -> {instance, container}
  let people = new Map();
  let deckPromise = null;

  function deck() {
    deckPromise ??= fetch(deckUrl).then((r) => (r.ok ? r.json() : null));
    return deckPromise;
  }

  async function welcome(message) {
    const session = message.session;
    const current = session.activity;
    const seen = new Set(session.activities);
    for (const [activity, entry] of mounted) {
      if (!seen.has(activity)) {
        entry.instance.destroy?.();
        entry.container.remove();
        mounted.delete(activity);
      }
    }
    const theDeck = await deck();
    for (const activity of session.activities) {
      const module = await import(`./${activity}.js`);
      let entry = mounted.get(activity);
      if (entry) {
        entry.instance.destroy?.();
        entry.container.replaceChildren();
      } else {
        const container = document.createElement("section");
        container.id = `activity-${activity}`;
        container.className = `activity activity-${activity}`;
        root.append(container);
        entry = { container };
        mounted.set(activity, entry);
      }
      entry.instance = module.mount(role, entry.container, {
        view: message[activity],
        deck: theDeck,
        session,
        send,
        you: message.you || null,
        people,
        lang,
        t,
        announce,
      });
    }
    show(current);
  }

  function show(current) {
    for (const [activity, entry] of mounted) entry.container.hidden = activity !== current;
  }

  return {
    welcome,
    show,
    // Returns true when the message belonged to an activity.
    route(message) {
      const dot = message.type.indexOf(".");
      const activity = dot > 0 ? message.type.slice(0, dot) : "";
      const entry = mounted.get(activity);
      if (!entry) return false;
      entry.instance.update(message);
      return true;
    },
    setPeople(map) {
      people = map;
      for (const entry of mounted.values()) entry.instance.people?.(map);
    },
  };
}
