// Mounts the session's activities (bingo, fresque) and the badge desk into a page and
// routes their events.
// Each activity is an ES module `static/<activity>.js`, or one per role
// `static/<activity>/<role>.js` (see BY_ROLE), exporting
//   mount(role, container, ctx) -> { update(message), people?(map), destroy?() }
// with role "phone" | "console" | "screen". It is mounted afresh on every `welcome`
// (a full snapshot), then fed the events whose type starts with "<activity>.".
import { t, announce, errorText, lang } from "./i18n.js";

// Activities split by role: `static/<activity>/<role>.js` (the phone loads only its own
// screen); the others are one module, `static/<activity>.js`.
const BY_ROLE = new Set(["bingo", "fresque"]);
function moduleOf(activity, role) {
  return BY_ROLE.has(activity) ? `./${activity}/${role}.js` : `./${activity}.js`;
}

export function activityHost(root, role, { send, deckUrl, awaySince = null }) {
  const mounted = new Map(); // activity -> {instance, container}
  let people = new Map();
  let deckPromise = null;

  function deck() {
    deckPromise ??= fetch(deckUrl).then((r) => (r.ok ? r.json() : null));
    return deckPromise;
  }

  async function welcome(message) {
    const session = message.session;
    // The badge desk (and, on phones, the feedback form) is mounted like an activity.
    const modules = [...session.activities, "badge"];
    const seen = new Set(modules);
    if (message.teammates) {
      people = new Map(Object.entries(message.teammates).map(([pid, name]) => [Number(pid), name]));
    }
    for (const [activity, entry] of mounted) {
      if (!seen.has(activity)) {
        entry.instance.destroy?.();
        entry.container.remove();
        mounted.delete(activity);
      }
    }
    // The deck and every module at once: one round trip, not one per module.
    const [theDeck, ...loaded] = await Promise.all([deck(), ...modules.map((activity) => import(moduleOf(activity, role)))]);
    for (const [index, activity] of modules.entries()) {
      const module = loaded[index];
      let entry = mounted.get(activity);
      if (entry) {
        entry.instance.destroy?.();
        entry.container.replaceChildren();
      } else {
        const container = document.createElement("section");
        container.id = `activity-${activity}`;
        container.className = `activity activity-${activity}`;
        // Hidden until show() picks the phase's module: nothing flashes while modules load.
        container.hidden = true;
        root.append(container);
        entry = { container };
        mounted.set(activity, entry);
      }
      entry.instance = module.mount(role, entry.container, {
        view: message[activity],
        token: message.token || null,
        deck: theDeck,
        session,
        send,
        you: message.you || null,
        people,
        lang,
        t,
        errorText,
        announce,
        // When a participant went away, on this page's clock (console only; else null).
        awaySince,
      });
    }
    show(session);
  }

  // Shows the module the session's phase calls for; returns its name (or null).
  let current = null;
  function show(session) {
    const kind = session.phase && session.phase.kind;
    current = kind === "activity" ? session.activity : ["badges", "feedback", "closed"].includes(kind) ? "badge" : null;
    for (const [activity, entry] of mounted) {
      entry.container.hidden = activity !== current;
      entry.instance.phase?.(session.phase);
    }
    return current;
  }

  // Names an event brings ({pid: name}: a phone is told its teammates' names when its fresque
  // team is formed or changes, not only in a welcome): the modules name people by them.
  function learnNames(names) {
    let learnt = false;
    for (const [pid, name] of Object.entries(names)) {
      if (typeof name === "string" && people.get(Number(pid)) !== name) {
        people.set(Number(pid), name);
        learnt = true;
      }
    }
    if (learnt) for (const entry of mounted.values()) entry.instance.people?.(new Map(people));
  }

  return {
    welcome,
    show,
    // Returns true when the message belonged to an activity.
    route(message) {
      if (message.names && typeof message.names === "object") learnNames(message.names);
      const dot = message.type.indexOf(".");
      const prefix = dot > 0 ? message.type.slice(0, dot) : "";
      // Live feedback statistics belong to the badge desk's screens.
      const activity = prefix === "feedback" ? "badge" : prefix;
      const entry = mounted.get(activity);
      if (!entry) return false;
      entry.instance.update(message);
      return true;
    },
    // Whether the activity on screen is under way (leaving it would interrupt it).
    underWay() {
      const entry = current && mounted.get(current);
      return Boolean(entry && entry.instance.underWay && entry.instance.underWay());
    },
    // Gives an error frame to the module on screen (a refused move, a wrong claim code).
    error(message) {
      const entry = current && mounted.get(current);
      return Boolean(entry && entry.instance.error && entry.instance.error(message) !== false);
    },
    setPeople(map) {
      people = map;
      for (const entry of mounted.values()) entry.instance.people?.(map);
    },
  };
}
