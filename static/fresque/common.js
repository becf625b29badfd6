// Fresque de la reconnaissance (shared model and helpers; one module per role: phone.js,
// console.js, screen.js, so each page loads only its own screen): teams put the deck's cards in chronological order on a
// shared timeline (rules in src/games/fresque.rs, messages in PROTOCOL-games.md).
//
// Three screens share one model fed by the welcome snapshot and the `fresque.*` events:
// - phone: the scenario, my hand and my team's timeline; drag and drop (mouse or touch,
//   SortableJS) and an accessible alternative (select a card, then move it with buttons);
// - console: teams, deals, reveal, debrief and the projector's focus, every board live;
// - screen (projector): while the teams play, each team's progress only (cards placed of
//   dealt, never a card: teams would copy); the reveal (the reference built card by card,
//   each team's misplaced cards and score, the podium); one board in large; the debrief.
//   The server sends the projector no board before the reveal (`fresque.progress` instead),
//   then every board and the reference (`fresque.boards`).
//
// Moves are intents ("put X after Y"): the phone shows its own move at once (optimistic)
// and applies the server's order as soon as it arrives, so every phone converges.


export const HIGHLIGHT_MS = 3500;
// An own move the server neither confirmed nor overtook by then was refused: drop it.
export const PENDING_MS = 4000;
export const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;

// A small DOM builder: h("li", {class: "x", dataset: {card}, onclick}, child, "text").
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Sets a text or an attribute only when it differs: an update in place leaves alone what did
// not change (no mutation under the pointer, no screen reader noise).
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
export function setAttr(el, name, value) {
  if (value === null || value === undefined || value === false) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
    return;
  }
  const text = value === true ? "" : String(value);
  if (el.getAttribute(name) !== text) el.setAttribute(name, text);
}

// Keeps one element per key in `parent`, in the order of `keys`: made by create(key) the first
// time, then updated by update(el, key, index); the elements of keys gone are removed. An
// element whose place holds is not moved, so its focus, an open list or a click under way
// survive; `parent` holds only keyed elements.
export const keyedNodes = new WeakMap();
export function syncKeyed(parent, keys, create, update) {
  let nodes = keyedNodes.get(parent);
  if (!nodes) {
    nodes = new Map();
    keyedNodes.set(parent, nodes);
  }
  const wanted = new Set(keys.map(String));
  for (const [key, el] of nodes) {
    if (!wanted.has(key)) {
      el.remove();
      nodes.delete(key);
    }
  }
  let at = parent.firstChild;
  keys.forEach((key, i) => {
    let el = nodes.get(String(key));
    if (!el) {
      el = create(key);
      nodes.set(String(key), el);
    }
    update(el, key, i);
    if (el === at) at = at.nextSibling;
    else parent.insertBefore(el, at);
  });
  while (at) {
    const next = at.nextSibling;
    at.remove();
    at = next;
  }
}

// Applies one intent to a board the way the server does; null when it no longer applies.
export function applyIntent(board, op) {
  const next = board.filter((c) => c !== op.card);
  if (op.action === "move" && next.length === board.length) return null;
  if (op.action === "place" && next.length !== board.length) return null;
  if (op.action === "return") return next.length === board.length ? null : next;
  if (op.after === op.card) return null;
  let at = 0;
  if (op.after) {
    const i = next.indexOf(op.after);
    if (i < 0) return null;
    at = i + 1;
  }
  next.splice(at, 0, op.card);
  return next;
}

export function teamJson(t) {
  return {
    id: t.id ?? t.team,
    members: t.members || [],
    board: t.board || [],
    // The projector's count of cards placed: it receives no board before the reveal.
    placed: t.placed ?? null,
    pool: t.pool || 0,
    dealt: t.dealt || 0,
    rev: t.rev || 0,
  };
}

// The game as this viewer knows it.
export function createModel(view) {
  const v = view || {};
  const s = {
    viewer: v.viewer || "participant",
    phase: v.phase || "lobby",
    packsDealt: v.packs_dealt || 0,
    packsTotal: v.packs_total || 0,
    packSizes: v.pack_sizes || [],
    results: v.results || null,
    // The debrief's per-card view (most misplaced first), once revealed.
    cards: v.cards || null,
    debrief: v.debrief || null,
    // Staff.
    teams: (v.teams || []).map(teamJson),
    unassigned: v.unassigned || [],
    shownTeam: v.shown_team ?? null,
    // Seconds an away member keeps their cards before they go to the team.
    grace: v.grace ?? 60,
    referenceOrder: v.reference_order || [],
    // Participant.
    me: v.id ?? null,
    team: v.team ? teamJson(v.team) : null,
    hand: v.hand || [],
  };

  // The console and the projector know every team; a phone its own.
  const everyTeam = s.viewer === "staff" || s.viewer === "screen";

  function teamSlot(id) {
    if (everyTeam) return s.teams[id] || null;
    return s.team && s.team.id === id ? s.team : null;
  }

  // Returns what changed, for the screens' highlights.
  function apply(m) {
    switch (m.type) {
      case "fresque.board": {
        const t = teamSlot(m.team);
        if (!t || m.rev <= t.rev) return null;
        t.board = m.board;
        t.members = m.hands;
        t.rev = m.rev;
        return { kind: "board", team: m.team, action: m.action, by: m.by, card: m.card, after: m.after };
      }
      case "fresque.team": {
        const fresh = teamJson(m);
        if (everyTeam) {
          const t = s.teams[m.team];
          if (t && m.reason !== "formed" && m.rev <= t.rev) return null;
          s.teams[m.team] = fresh;
        } else {
          const t = s.team;
          if (t && t.id === m.team && m.reason !== "formed" && m.rev <= t.rev) return null;
          s.team = fresh;
        }
        if (s.phase === "lobby") s.phase = "playing";
        const dealt = m.packs_dealt > s.packsDealt;
        s.packsDealt = Math.max(s.packsDealt, m.packs_dealt || 0);
        return { kind: "team", team: m.team, reason: m.reason, who: m.who, dealt };
      }
      case "fresque.progress": {
        // The projector's news of a team until the reveal: how far it is, never a card.
        const t = s.teams[m.team] || teamJson({ id: m.team });
        Object.assign(t, { placed: m.placed, dealt: m.dealt, pool: m.pool, members: m.members || t.members, rev: m.rev });
        s.teams[m.team] = t;
        if (s.phase === "lobby") s.phase = "playing";
        const dealt = m.packs_dealt > s.packsDealt;
        s.packsDealt = Math.max(s.packsDealt, m.packs_dealt || 0);
        return { kind: "progress", team: m.team, dealt };
      }
      case "fresque.boards":
        // The reveal, to the projector: every team's timeline and the reference, for the
        // timeline the console picks and the debrief.
        for (const b of m.teams || []) {
          const t = s.teams[b.id] || teamJson({ id: b.id });
          t.board = b.board;
          t.placed = b.board.length;
          s.teams[b.id] = t;
        }
        if (m.reference_order) s.referenceOrder = m.reference_order;
        return { kind: "boards" };
      case "fresque.hand":
        s.hand = m.hand;
        return { kind: "hand", received: m.received || [] };
      case "fresque.unassigned": {
        // Before teams are formed: one participant more (or fewer) waiting for a team.
        const others = (s.unassigned || []).filter((id) => id !== m.pid);
        s.unassigned = m.unassigned ? [...others, m.pid].sort((a, b) => a - b) : others;
        return { kind: "roster" };
      }
      case "fresque.roster": {
        s.teams.length = m.teams.length;
        // A member keeps what the snapshots said (hand, away) until the next snapshot.
        const known = new Map();
        s.teams.forEach((t, i) => t?.members.forEach((x) => known.set(x.id, { ...x, team: i })));
        m.teams.forEach((ids, i) => {
          const t = s.teams[i] || teamJson({ id: i });
          t.members = ids.map((id) => {
            const k = known.get(id);
            return { id, hand: k && k.team === i ? k.hand : 0, ...(k?.away ? { away: true } : {}) };
          });
          s.teams[i] = t;
        });
        s.unassigned = m.unassigned;
        if (s.phase === "lobby" && s.teams.length) s.phase = "playing";
        return { kind: "roster" };
      }
      case "fresque.revealed":
        s.results = m.results;
        s.cards = m.cards || null;
        s.phase = "revealed";
        return { kind: "revealed" };
      case "fresque.debrief":
        s.debrief = m.debrief;
        return { kind: "debrief" };
      case "fresque.show_team":
        s.shownTeam = m.team;
        return { kind: "show_team" };
      case "fresque.grace":
        s.grace = m.seconds;
        return { kind: "grace" };
      default:
        return null;
    }
  }

  return { s, apply };
}

// Texts shared by the three screens.
export function helpers(ctx) {
  const { t } = ctx;
  const deck = ctx.deck || { cards: {}, scenarios: {}, pack_variants: {} };
  const session = ctx.session || {};
  const card = (id) => deck.cards?.[id] || { term: id, explanation: "", note: null };
  const term = (id) => card(id).term;
  const scenario = deck.scenarios?.[session.scenario] || Object.values(deck.scenarios || {})[0] || null;
  const packNames = deck.pack_variants?.[session.pack_variant]?.packs || [];
  const packName = (i) => packNames[i] || t("fresque-pack-n", { n: i + 1 });
  const teamName = (id) => t("fresque-team-name", { n: id + 1 });
  const person = (pid) => ctx.peopleMap?.get(pid) || t("fresque-someone");
  function verdict(colour, disagreements) {
    return h(
      "span",
      { class: `fq-verdict fq-verdict-${colour}` },
      h("span", { class: "fq-icon", "aria-hidden": "true", text: { green: "✓", orange: "!", red: "✗" }[colour] }),
      " ",
      t(`fresque-verdict-${colour}`, { count: disagreements }),
    );
  }
  function scoreText(result) {
    if (!result) return "";
    const sc = result.score;
    if (sc.percent === null || sc.percent === undefined) return t("fresque-score-none");
    return t("fresque-score", { percent: sc.percent, agreeing: sc.agreeing, pairs: sc.pairs });
  }
  function scenarioBlock(s, { open = true, big = false, compact = false } = {}) {
    if (!scenario) return null;
    const instruction = s.packsDealt <= 1 ? scenario.first_pack : scenario.next_packs;
    if (compact) {
      return h(
        "header",
        { class: "fq-scenario fq-scenario-compact" },
        // The first instruction ends with "the competence:", the others do not.
        s.packsDealt <= 1 && s.phase !== "revealed" ? h("p", { class: "fq-instruction", text: instruction }) : null,
        h("p", { class: "fq-competence" }, s.packsDealt <= 1 && s.phase !== "revealed" ? null : h("span", { class: "fq-muted", text: t("fresque-competence") }), " ", scenario.title),
        s.packsDealt > 1 && s.phase !== "revealed" ? h("p", { class: "fq-instruction", text: instruction }) : null,
      );
    }
    const body = [
      h("p", { class: "fq-instruction", text: instruction }),
      h("p", { class: "fq-competence", text: scenario.title }),
      h("p", { class: "fq-description", text: scenario.description }),
    ];
    if (big) return h("header", { class: "fq-scenario fq-scenario-big" }, body);
    return h(
      "details",
      { class: "fq-scenario card", open },
      h("summary", {}, t("fresque-competence"), " ", h("strong", { text: scenario.title })),
      body,
    );
  }
  function progressText(s) {
    if (!s.packsDealt) return t("fresque-no-pack-yet", { total: s.packsTotal });
    return t("fresque-pack-progress", { n: s.packsDealt, total: s.packsTotal, name: packName(s.packsDealt - 1) });
  }
  function debriefBlock(s, { results = null, big = false } = {}) {
    const d = s.debrief;
    if (!d) return null;
    const c = card(d.card);
    const alts = d.alternatives || [];
    const perTeam = (results || [])
      .map((r) => {
        const cs = r.score.cards.find((x) => x.card === d.card);
        return h(
          "li",
          {},
          h("strong", { text: teamName(r.team) }),
          " ",
          cs ? verdict(cs.colour, cs.disagreements) : h("span", { class: "fq-muted", text: t("fresque-not-placed") }),
        );
      });
    return h(
      "section",
      { class: `fq-debrief card${big ? " fq-big" : ""}`, "aria-live": big ? null : "polite" },
      h("p", { class: "fq-kicker", text: t("fresque-debrief-step", { n: d.index + 1, total: d.total, rank: d.rank }) }),
      h(big ? "h2" : "h3", { class: "fq-debrief-term", text: c.term }),
      h("p", { class: "fq-debrief-explanation", text: c.explanation }),
      alts.length
        ? h(
            "p",
            { class: "fq-debatable" },
            h("span", { class: "fq-icon", "aria-hidden": "true", text: "⚖ " }),
            h("strong", { text: t("fresque-debatable", { ranks: alts.join(", "), count: alts.length }) }),
            c.note ? ` ${c.note}` : "",
          )
        : c.note
          ? h("p", { class: "fq-note", text: c.note })
          : null,
      perTeam.length ? h("ul", { class: "fq-debrief-teams" }, perTeam) : null,
      cardDebrief(s, d.card, { big }),
    );
  }

  // Teams by shown score, best first (no score last); equal scores share a place (1, 1, 3).
  function ranking(results) {
    const value = (r) => r.score.percent ?? -1;
    const sorted = [...(results || [])].sort((a, b) => value(b) - value(a) || a.team - b.team);
    let place = 0;
    return sorted.map((result, i) => {
      if (i === 0 || value(result) !== value(sorted[i - 1])) place = i + 1;
      const tied = sorted.some((o) => o !== result && value(o) === value(result));
      return { result, place, tied };
    });
  }
  const percentText = (r) => (r.score.percent === null || r.score.percent === undefined ? t("fresque-score-short-none") : t("fresque-percent", { percent: r.score.percent }));
  // The podium: a heading and a list, best first; places are words ("1st place"), ties say
  // so. `mine`: the reader's team, named as such.
  function podiumBlock(s, { big = false, mine = null } = {}) {
    if (!s.results?.length) return null;
    const id = big ? "fq-podium-title-big" : "fq-podium-title";
    return h(
      "section",
      { class: `fq-podium${big ? " fq-big" : ""}`, "aria-labelledby": id },
      h(big ? "h2" : "h3", { id, text: t("fresque-podium-title") }),
      h(
        "ol",
        { class: "fq-podium-list" },
        ranking(s.results).map(({ result, place, tied }) =>
          h(
            "li",
            { class: `fq-place-${Math.min(place, 4)}${result.team === mine ? " fq-mine" : ""}`, dataset: { team: result.team, place } },
            h("span", { class: "fq-place" }, t("fresque-place", { place }), tied ? ` ${t("fresque-tied")}` : ""),
            " ",
            h("strong", { class: "fq-podium-team", text: teamName(result.team) }),
            result.team === mine ? ` ${t("fresque-your-team")}` : "",
            " ",
            h("span", { class: "fq-podium-score fq-count", dataset: { percent: result.score.percent ?? "" }, text: percentText(result) }),
          ),
        ),
      ),
    );
  }
  // The reference order from the debrief's per-card view (each card knows its place).
  function referenceCards(s) {
    if (s.referenceOrder?.length) return s.referenceOrder.map((e) => e.card);
    return [...(s.cards || [])].sort((a, b) => a.index - b.index).map((c) => c.card);
  }
  function rightText(c) {
    return c.teams ? t("fresque-right-teams", { right: c.right, teams: c.teams }) : t("fresque-right-nobody");
  }
  // "placed after X by team 2" / "placed first by team 3".
  function misplacedText(m) {
    const team = teamName(m.team);
    return m.after ? t("fresque-misplaced-after", { team, term: term(m.after) }) : t("fresque-misplaced-first", { team });
  }
  // For one card of the debrief: how many teams placed it right, where the others put it.
  function cardDebrief(s, id, { big = false } = {}) {
    const c = s.cards?.find((x) => x.card === id);
    if (!c) return null;
    // Every team that placed it placed it right, some did, none did.
    const colour = c.teams && c.right === c.teams ? "green" : c.right ? "orange" : "red";
    return h(
      "div",
      { class: "fq-card-debrief" },
      h(
        "p",
        { class: `fq-right-count fq-right-${colour}` },
        h("span", { class: "fq-icon", "aria-hidden": "true", text: { green: "✓ ", orange: "◐ ", red: "✗ " }[colour] }),
        rightText(c),
      ),
      c.misplaced_by.length
        ? h(
            "ul",
            // On the projector, the details give way to the explanation on a small screen.
            { class: `fq-misplaced-by${big ? " fq-big" : ""}`, "data-fit": big ? "2" : null },
            c.misplaced_by.map((m) => h("li", { dataset: { team: m.team } }, h("span", { class: "fq-icon", "aria-hidden": "true", text: "✗ " }), misplacedText(m))),
          )
        : null,
    );
  }
  // The card a team got most wrong (most disagreements; of equals, the most misplaced overall).
  function worstCard(s, team) {
    let worst = null;
    for (const c of s.cards || []) {
      const m = c.misplaced_by.find((x) => x.team === team);
      if (m && (!worst || m.disagreements > worst.m.disagreements)) worst = { c, m };
    }
    return worst;
  }
  const colourOf = (disagreements) => (disagreements >= 3 ? "red" : disagreements >= 1 ? "orange" : "green");
  // Whether a member is there or away: an icon and a word (never colour alone).
  function presence(away) {
    return h(
      "span",
      { class: `fq-presence ${away ? "fq-presence-away" : "fq-presence-here"}` },
      h("span", { "aria-hidden": "true", text: away ? "○" : "●" }),
      away ? t("fresque-away") : t("fresque-here"),
    );
  }
  return {
    t,
    card,
    term,
    scenario,
    packName,
    teamName,
    person,
    verdict,
    scoreText,
    scenarioBlock,
    progressText,
    debriefBlock,
    presence,
    ranking,
    percentText,
    podiumBlock,
    referenceCards,
    rightText,
    misplacedText,
    cardDebrief,
    worstCard,
    colourOf,
  };
}


/** The `mount(role, container, ctx)` of a role's module, around its screen. */
export function mounter(screenOf) {
  return (role, container, ctx) => mountScreen(screenOf, role, container, ctx);
}

function mountScreen(screenOf, role, container, ctx) {
  ctx.peopleMap = ctx.people instanceof Map ? ctx.people : new Map();
  const model = createModel(ctx.view);
  container.classList.add(`fq-${role}`);
  const screen = screenOf(container, model, ctx);
  screen.render();
  return {
    // Cards were dealt and the answer not revealed: leaving now interrupts the teams.
    underWay() {
      return model.s.packsDealt > 0 && model.s.phase !== "revealed";
    },
    update(message) {
      // Teammates' names that come with a team's snapshot reach `people` first (activities.js).
      const change = model.apply(message);
      if (change) screen.changed(change, message);
    },
    people(map) {
      ctx.peopleMap = map;
      screen.render();
    },
    // An error the screen explains by itself (true), or one for the host to show (false).
    error(message) {
      return screen.error ? screen.error(message) : false;
    },
    // Shown or hidden by the host: the phone measures what it reserves once it has a width.
    phase() {
      if (role === "phone") screen.render();
    },
    destroy() {
      screen.destroy?.();
    },
  };
}
