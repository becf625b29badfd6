// Fresque de la reconnaissance: teams put the deck's cards in chronological order on a
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
import Sortable from "./vendor/sortablejs/index.js";
import { fit, fitOnResize } from "./fit.js";

const HIGHLIGHT_MS = 3500;
// An own move the server neither confirmed nor overtook by then was refused: drop it.
const PENDING_MS = 4000;
const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;

// A small DOM builder: h("li", {class: "x", dataset: {card}, onclick}, child, "text").
function h(tag, attrs = {}, ...children) {
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
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
function setAttr(el, name, value) {
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
const keyedNodes = new WeakMap();
function syncKeyed(parent, keys, create, update) {
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
function applyIntent(board, op) {
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

function teamJson(t) {
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
function createModel(view) {
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
function helpers(ctx) {
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

export function mount(role, container, ctx) {
  ctx.peopleMap = ctx.people instanceof Map ? ctx.people : new Map();
  const model = createModel(ctx.view);
  container.classList.add(`fq-${role}`);
  const screen =
    role === "phone" ? phoneScreen(container, model, ctx) : role === "console" ? consoleScreen(container, model, ctx) : projectorScreen(container, model, ctx);
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

// ---------------------------------------------------------------------------------------
// Phone
// ---------------------------------------------------------------------------------------

function phoneScreen(root, model, ctx) {
  const s = model.s;
  const x = helpers(ctx);
  const { t } = x;
  const me = ctx.you?.pid ?? s.me;
  let pending = []; // own intents not yet confirmed: {action, card, after, at}
  let selected = null; // selected card id
  const flipped = new Set();
  const flashes = new Map(); // card -> {by, action, until}
  const received = new Map(); // card -> until
  let dragging = false;
  let renderQueued = false;
  const timers = new Set();

  // What events change never moves what is on screen (no layout shift): the scenario stays
  // folded (the waiting card tells it before the first pack), the status line and the hand
  // keep the height they will need, highlights lie over the cards, the debrief comes after the
  // board, and the reveal swaps the play view for a new results view.
  const top = h("div", { class: "fq-top" });
  const status = h("p", { class: "fq-status", role: "status" });
  const results = h("div", { class: "fq-results-slot" });
  const debriefSlot = h("div", { class: "fq-debrief-slot" });
  let handTitle, handList, boardTitle, boardHint, boardList, handSection, boardSection;
  function sections() {
    handTitle = h("h2", { id: "fq-hand-title", class: "fq-h" });
    handList = h("ul", { class: "fq-hand fq-list", "aria-labelledby": "fq-hand-title", dataset: { empty: t("fresque-hand-empty") } });
    boardTitle = h("h2", { id: "fq-board-title", class: "fq-h" });
    boardHint = h("p", { class: "fq-hint", text: t("fresque-board-hint") });
    boardList = h("ol", { class: "fq-board fq-list", "aria-labelledby": "fq-board-title", dataset: { empty: t("fresque-board-empty") } });
    handSection = h("section", { class: "fq-hand-section" }, handTitle, handList);
    boardSection = h("section", { class: "fq-board-section" }, boardTitle, boardHint, boardList);
  }
  sections();
  const bar = h("div", { class: "fq-actions", role: "region", "aria-label": t("fresque-actions-label"), hidden: true });
  const waiting = h("div", { class: "fq-waiting card" });
  // My team: who is in it, and who is away. Under the timeline while playing (nothing under
  // it moves when it changes); before the first pack, in the waiting card.
  const teamList = h("ul", { class: "fq-teammates", "aria-labelledby": "fq-team-title" });
  const teamSection = h("section", { class: "fq-team-section", hidden: true }, h("h2", { id: "fq-team-title", class: "fq-h", text: t("fresque-teammates-title") }), teamList);
  root.append(top, status, waiting, results, handSection, boardSection, teamSection, debriefSlot, bar);
  let viewRevealed = revealedNow();
  // A deal tells the team (my hand's size) a moment before it tells me my cards: until they
  // come, placeholders hold their room in my hand.
  let awaitingHand = false;
  let statusKey = "";
  let cardPitch = 0;
  // The room kept in my hand: events only ever grow it; my own moves may shrink it.
  let handRoom = 0;
  let ownMove = false;

  function later(fn, ms) {
    const id = setTimeout(() => {
      timers.delete(id);
      fn();
    }, ms);
    timers.add(id);
  }

  // What the phone shows: the server's board and hand with my unconfirmed intents on top.
  function shown() {
    let board = s.team ? [...s.team.board] : [];
    let hand = [...s.hand];
    const now = Date.now();
    pending = pending.filter((op) => now - op.at < PENDING_MS);
    for (const op of pending) {
      // A placed card may leave my hand (hand event) before it reaches the board (board
      // event, which ends the intent): in between it stays where I put it, still selected.
      const next = applyIntent(board, op);
      if (!next) continue;
      board = next;
      if (op.action === "place") hand = hand.filter((c) => c !== op.card);
      if (op.action === "return") hand.push(op.card);
    }
    // The server keeps hand and board disjoint; between a place's board event and its hand
    // event the card would show twice for a moment.
    hand = hand.filter((c) => !board.includes(c));
    return { board, hand };
  }

  function revealedNow() {
    return s.phase === "revealed";
  }
  const revealed = revealedNow;
  const canPlay = () => !!s.team && !revealed();

  function send(op) {
    const frame = { type: `fresque.${op.action}`, card: op.card };
    if (op.action !== "return") frame.after = op.after ?? null;
    if (!ctx.send(frame)) {
      ctx.announce(t("fresque-offline"));
      return false;
    }
    pending.push({ ...op, at: Date.now() });
    later(render, PENDING_MS + 50);
    return true;
  }

  function describePosition(card) {
    const { board, hand } = shown();
    const i = board.indexOf(card);
    if (i >= 0) return t("fresque-position", { term: x.term(card), n: i + 1, total: board.length });
    if (hand.includes(card)) return t("fresque-in-hand", { term: x.term(card) });
    return "";
  }

  function act(op) {
    if (!canPlay()) return;
    if (send(op)) {
      ownMove = true;
      render();
      ctx.announce(`${x.term(op.card)}, ${describePosition(op.card)}`);
    }
  }

  // A card is made once per place (hand or board) and then updated in place, so that a tap,
  // the focus or an open back survive teammates' updates. Its buttons read the state when
  // pressed.
  const nodes = new Map(); // `${where}:${card}` -> li
  function createCard(id, where) {
    const c = x.card(id);
    const backId = `fq-back-${id}`;
    const face = h(
      "button",
      {
        type: "button",
        class: "fq-face",
        onclick: () => {
          if (!canPlay()) {
            toggleFlip(id);
            return;
          }
          selected = selected === id ? null : id;
          render();
          if (selected) ctx.announce(t("fresque-selected", { term: c.term }));
        },
      },
      c.term,
    );
    const flipIcon = h("span", { "aria-hidden": "true" });
    const flip = h(
      "button",
      {
        type: "button",
        class: "fq-flip",
        "aria-controls": backId,
        "aria-label": t("fresque-flip-label", { term: c.term }),
        title: t("fresque-flip"),
        onclick: () => toggleFlip(id),
      },
      flipIcon,
    );
    const byIcon = h("span", { "aria-hidden": "true" });
    const byName = h("span");
    const note = c.note ? h("p", { class: "fq-note", text: c.note }) : null;
    const li = h(
      "li",
      { class: "fq-card", dataset: { card: id } },
      h("span", { class: "fq-grip", "aria-hidden": "true", title: t("fresque-drag-title"), text: "⠿" }),
      where === "board" ? h("span", { class: "fq-pos", "aria-hidden": "true" }) : null,
      face,
      flip,
      h("span", { class: "fq-by fq-by-move", hidden: true }, byIcon, byName),
      h("span", { class: "fq-by fq-by-new", hidden: true, text: t("fresque-new-card") }),
      h("div", { class: "fq-back", id: backId, hidden: true }, h("p", { text: c.explanation }), note),
    );
    cardParts.set(li, { face, flip, flipIcon, byIcon, byName, note });
    return li;
  }
  const cardParts = new WeakMap();
  function updateCard(li, id, where, index, total, scoreByCard) {
    const p = cardParts.get(li);
    const term = x.term(id);
    const isSelected = selected === id;
    const isFlipped = flipped.has(id);
    const flash = flashes.get(id);
    const score = scoreByCard?.get(id);
    const classes = ["fq-card"];
    if (isSelected) classes.push("fq-selected");
    if (flash) classes.push("fq-flash");
    if (received.has(id)) classes.push("fq-new");
    if (score) classes.push(`fq-${score.colour}`);
    // A new highlight restarts the animation.
    const flashKey = flash ? String(flash.until) : "";
    if (flash && li.dataset.flash !== flashKey && li.classList.contains("fq-flash")) {
      li.classList.remove("fq-flash");
      void li.offsetWidth;
    }
    li.dataset.flash = flashKey;
    setAttr(li, "class", classes.join(" "));
    li.querySelector(".fq-grip").hidden = !canPlay();
    if (where === "board") setText(li.querySelector(".fq-pos"), String(index + 1));
    setAttr(p.face, "aria-pressed", canPlay() ? String(isSelected) : null);
    setAttr(
      p.face,
      "aria-label",
      where === "board" ? t("fresque-card-board-label", { term, n: index + 1, total }) : t("fresque-card-hand-label", { term }),
    );
    const disabled = !canPlay() && !revealed();
    if (p.face.disabled !== disabled) p.face.disabled = disabled;
    setAttr(p.flip, "aria-expanded", String(isFlipped));
    setText(p.flipIcon, isFlipped ? "✕" : "i");
    const by = li.querySelector(".fq-by-move");
    by.hidden = !flash;
    if (flash) {
      setText(p.byIcon, flash.action === "place" ? "＋ " : "↕ ");
      setText(p.byName, flash.by === me ? t("fresque-by-you") : x.person(flash.by));
    }
    li.querySelector(".fq-by-new").hidden = !received.has(id);
    const verdict = score ? `${score.colour}/${score.disagreements}` : "";
    if ((li.dataset.verdict || "") !== verdict) {
      li.dataset.verdict = verdict;
      li.querySelector(":scope > .fq-verdict")?.remove();
      if (score) li.querySelector(".fq-back").before(x.verdict(score.colour, score.disagreements));
    }
    li.querySelector(".fq-back").hidden = !isFlipped;
    if (p.note) p.note.hidden = !revealed();
  }

  function syncList(list, ids, where, scoreByCard) {
    const wanted = ids.map((id, i) => {
      const key = `${where}:${id}`;
      let li = nodes.get(key);
      if (!li) {
        li = createCard(id, where);
        nodes.set(key, li);
      }
      updateCard(li, id, where, i, ids.length, scoreByCard);
      return li;
    });
    for (const [key, li] of nodes) {
      if (key.startsWith(`${where}:`) && !ids.includes(key.slice(where.length + 1))) {
        nodes.delete(key);
        if (li.parentNode === list) li.remove();
      }
    }
    // Only what is out of place moves (a drag may have moved a node: put it back).
    let at = list.firstChild;
    for (const li of wanted) {
      if (li === at) at = at.nextSibling;
      else list.insertBefore(li, at);
    }
    while (at) {
      const next = at.nextSibling;
      at.remove();
      at = next;
    }
  }

  function toggleFlip(id) {
    if (flipped.has(id)) flipped.delete(id);
    else flipped.add(id);
    render();
    const button = root.querySelector(`li[data-card="${CSS.escape(id)}"] .fq-flip`);
    button?.focus();
  }

  // The action bar for the selected card: made once, updated in place (a teammate's move
  // changes its texts and states, never the buttons themselves). Its buttons act on the
  // selection and the board as they are when pressed.
  const barButton = (key, onclick, cls = "secondary") => h("button", { type: "button", class: `${cls} fq-${key}`.trim(), onclick });
  const selectedAt = () => {
    const { board } = shown();
    return { board, i: board.indexOf(selected), onBoard: board.includes(selected), action: board.includes(selected) ? "move" : "place" };
  };
  const barTerm = h("strong");
  const barPosition = h("span");
  const barUp = barButton("up", () => {
    const { board, i, action } = selectedAt();
    if (i > 0) act({ action, card: selected, after: i >= 2 ? board[i - 2] : null });
  });
  const barDown = barButton("down", () => {
    const { board, i, action } = selectedAt();
    if (i >= 0 && i < board.length - 1) act({ action, card: selected, after: board[i + 1] });
  });
  const barFirst = barButton("first", () => act({ action: selectedAt().action, card: selected, after: null }));
  const barLast = barButton("last", () => {
    const { board, action } = selectedAt();
    const others = board.filter((c) => c !== selected);
    act({ action, card: selected, after: others.length ? others[others.length - 1] : null });
  });
  barUp.append(h("span", { "aria-hidden": "true", text: "↑ " }), t("fresque-move-up"));
  barDown.append(h("span", { "aria-hidden": "true", text: "↓ " }), t("fresque-move-down"));
  const barAfter = h("select", { id: "fq-after", class: "fq-after", "aria-label": t("fresque-after-label") });
  // What the person chose in "place after…" for the selected card, kept across updates.
  let afterChoice = null;
  barAfter.addEventListener("change", () => {
    afterChoice = { card: selected, value: barAfter.value };
  });
  const barHere = barButton("after", () => act({ action: selectedAt().action, card: selected, after: barAfter.value || null }), "");
  const barReturn = barButton("return", () => act({ action: "return", card: selected }));
  barReturn.append(t("fresque-return"));
  const barDone = barButton("deselect", () => {
    const id = selected;
    selected = null;
    render();
    root.querySelector(`li[data-card="${CSS.escape(id)}"] .fq-face`)?.focus();
  });
  barDone.append(t("fresque-deselect"));
  bar.append(
    h("p", { class: "fq-actions-title" }, barTerm, " · ", barPosition),
    h("div", { class: "fq-buttons" }, barUp, barDown, barFirst, barLast),
    h("div", { class: "fq-place-after" }, h("label", { for: "fq-after", text: t("fresque-after-label") }), barAfter, barHere),
    h("div", { class: "fq-buttons" }, barReturn, barDone),
  );

  function renderBar(board, hand) {
    if (!selected || !canPlay() || (!board.includes(selected) && !hand.includes(selected))) {
      if (selected && !board.includes(selected) && !hand.includes(selected)) selected = null;
      bar.hidden = true;
      return;
    }
    const id = selected;
    const onBoard = board.includes(id);
    const i = board.indexOf(id);
    const others = board.filter((c) => c !== id);
    const focusedBefore = bar.contains(document.activeElement) ? document.activeElement : null;
    setText(barTerm, x.term(id));
    setText(barPosition, describePosition(id));
    barUp.hidden = !onBoard;
    barDown.hidden = !onBoard;
    barUp.disabled = i === 0;
    barDown.disabled = i === board.length - 1;
    setText(barFirst, onBoard ? t("fresque-move-first") : t("fresque-place-first"));
    setText(barLast, onBoard ? t("fresque-move-last") : t("fresque-place-last"));
    barFirst.disabled = onBoard && i === 0;
    barLast.disabled = onBoard && i === board.length - 1;
    barLast.hidden = !onBoard && !board.length;
    // The list's choices are rebuilt only when the other cards change; the choice stays the
    // person's, or follows the card.
    const choices = others.join("\n");
    if (barAfter.dataset.choices !== choices) {
      barAfter.dataset.choices = choices;
      barAfter.replaceChildren(
        h("option", { value: "", text: t("fresque-after-first") }),
        ...others.map((c) => h("option", { value: c, text: t("fresque-after-option", { term: x.term(c) }) })),
      );
    }
    const chosen = afterChoice && afterChoice.card === id && (afterChoice.value === "" || others.includes(afterChoice.value)) ? afterChoice.value : null;
    const value = chosen ?? (onBoard && i > 0 ? board[i - 1] : "");
    if (barAfter.value !== value) barAfter.value = value;
    setText(barHere, onBoard ? t("fresque-move-here") : t("fresque-place-here"));
    barReturn.hidden = !onBoard;
    bar.hidden = false;
    // Keep focus on the same control (keyboard users press "up" repeatedly); when it went
    // disabled or away, on the first button that can be pressed.
    if (focusedBefore && (focusedBefore.disabled || focusedBefore.hidden)) bar.querySelector("button:not([disabled]):not([hidden])")?.focus();
  }

  function render() {
    if (dragging) {
      renderQueued = true;
      return;
    }
    renderQueued = false;
    const now = Date.now();
    for (const [card, f] of flashes) if (f.until <= now) flashes.delete(card);
    for (const [card, until] of received) if (until <= now) received.delete(card);
    const focusedCard = root.contains(document.activeElement) && !bar.contains(document.activeElement) ? document.activeElement.closest("li[data-card]") : null;
    const focusKey = focusedCard ? [focusedCard.dataset.card, document.activeElement.className] : null;

    // The reveal turns the play view into a results view: fresh sections, the focus on the
    // result.
    let focusResult = false;
    if (revealed() !== viewRevealed) {
      viewRevealed = revealed();
      const [oldHand, oldBoard] = [handSection, boardSection];
      sections();
      oldHand.replaceWith(handSection);
      oldBoard.replaceWith(boardSection);
      nodes.clear();
      handRoom = 0;
      focusResult = viewRevealed;
    }
    // Rebuilt only when a pack arrives (its instruction changes), so an opened or closed
    // scenario stays as the person left it while teammates move cards. Folded: the waiting
    // card tells the scenario before the first pack, and the deal folds nothing away.
    if (top.dataset.packs !== String(s.packsDealt)) {
      top.dataset.packs = String(s.packsDealt);
      top.replaceChildren(x.scenarioBlock(s, { open: false }) || "");
    }
    const { board, hand } = shown();
    const teamLine = s.team ? x.teamName(s.team.id) : "";
    const waitingFor = (text) => {
      waiting.hidden = false;
      const intro = x.scenario
        ? [
            h("p", { class: "fq-instruction", text: x.scenario.first_pack }),
            h("p", { class: "fq-competence", text: x.scenario.title }),
            h("p", { class: "fq-description", text: x.scenario.description }),
          ]
        : [];
      waiting.replaceChildren(...intro, h("p", { class: "fq-waiting-text", text }));
    };
    const teammateName = (pid) => (pid === me ? t("fresque-you-name", { name: ctx.peopleMap.get(pid) || ctx.you?.name || x.person(pid) }) : x.person(pid));
    if (!s.team) {
      waitingFor(s.phase === "lobby" ? t("fresque-wait-teams") : t("fresque-no-team"));
      status.textContent = "";
    } else if (!s.packsDealt) {
      waitingFor(t("fresque-wait-pack", { team: teamLine, count: s.team.members.length }));
      waiting.append(
        h("p", { class: "fq-teammates-intro", text: t("fresque-teammates-title") }),
        h(
          "ul",
          { class: "fq-teammates" },
          s.team.members.map((m) => h("li", { dataset: { member: m.id } }, h("span", { class: "fq-name", text: teammateName(m.id) }), m.away ? [" ", x.presence(true)] : null)),
        ),
      );
      status.textContent = teamLine;
    } else {
      waiting.hidden = true;
      status.textContent = `${teamLine} · ${x.progressText(s)}`;
    }
    reserveStatus();
    const playing = !!s.team && s.packsDealt > 0;
    handSection.hidden = !playing || (revealed() && hand.length === 0);
    boardSection.hidden = !playing;
    teamSection.hidden = !playing;
    if (playing) {
      const byId = new Map(s.team.members.map((m) => [m.id, m]));
      syncKeyed(
        teamList,
        [...byId.keys()],
        (pid) => h("li", { dataset: { member: pid } }, h("span", { class: "fq-name" }), " ", h("span", { class: "fq-presence-slot" })),
        (li, pid) => {
          const away = !!byId.get(pid).away;
          setText(li.querySelector(".fq-name"), teammateName(pid));
          const slot = li.querySelector(".fq-presence-slot");
          if (slot.dataset.away !== String(away)) {
            slot.dataset.away = String(away);
            slot.replaceChildren(away ? x.presence(true) : "");
          }
        },
      );
    }

    // Results after the reveal.
    const mine = s.results && s.team ? s.results.find((r) => r.team === s.team.id) : null;
    const scoreByCard = mine ? new Map(mine.score.cards.map((c) => [c.card, c])) : null;
    results.replaceChildren();
    if (revealed() && s.results) {
      const ranked = x.ranking(s.results);
      const mineRanked = mine ? ranked.find((r) => r.result === mine) : null;
      results.append(
        h(
          "section",
          { class: "fq-result card" },
          h("h2", { text: t("fresque-result-title") }),
          mineRanked
            ? h(
                "p",
                { class: "fq-rank" },
                t("fresque-your-place", { place: mineRanked.place, teams: ranked.length }),
                mineRanked.tied ? ` ${t("fresque-tied")}` : "",
              )
            : null,
          mine ? h("p", { class: "fq-score" }, x.scoreText(mine)) : null,
          mine ? h("p", { class: "fq-muted", text: t("fresque-placed-of", { placed: mine.placed, dealt: mine.dealt }) }) : null,
          mine ? worstBlock(mine.team) : null,
          h("p", { class: "fq-legend" }, x.verdict("green", 0), " ", x.verdict("orange", 1), " ", x.verdict("red", 3)),
          x.podiumBlock(s, { mine: s.team?.id ?? null }),
        ),
      );
    }
    debriefSlot.replaceChildren(x.debriefBlock(s) || "");

    handTitle.textContent = t("fresque-hand-title", { count: hand.length });
    boardTitle.textContent = t("fresque-board-title", { count: board.length });
    boardHint.hidden = !canPlay();
    syncList(handList, hand, "hand", null);
    const announced = s.team?.members.find((m) => m.id === me)?.hand ?? 0;
    for (let i = hand.length; awaitingHand && i < announced; i++) {
      const placeholder = h(
        "li",
        { class: "fq-card fq-placeholder", "aria-hidden": "true" },
        h("span", { class: "fq-grip", text: "⠿" }),
        h("span", { class: "fq-face", text: "…" }),
      );
      // (A CSSOM property: the CSP allows no style attribute.)
      if (cardPitch) placeholder.style.minHeight = `${cardPitch}px`;
      handList.append(placeholder);
    }
    syncList(boardList, board, "board", scoreByCard);
    reserveHand();
    if (s.debrief) boardList.querySelector(`li[data-card="${CSS.escape(s.debrief.card)}"]`)?.classList.add("fq-current");
    renderBar(board, hand);
    sortables.forEach((so) => so.option("disabled", !canPlay()));
    if (focusKey) {
      const li = root.querySelector(`li[data-card="${CSS.escape(focusKey[0])}"]`);
      const target = li?.querySelector(`.${focusKey[1].split(" ")[0]}`);
      target?.focus();
    }
    const resultTitle = focusResult && results.querySelector("h2");
    if (resultTitle) {
      resultTitle.tabIndex = -1;
      resultTitle.focus();
    }
  }

  // The card my team got most wrong: where we put it, where the reference puts it.
  function worstBlock(team) {
    if (!s.cards) return null;
    const worst = x.worstCard(s, team);
    if (!worst) return h("p", { class: "fq-worst fq-worst-none" }, h("span", { class: "fq-icon", "aria-hidden": "true", text: "✓ " }), t("fresque-worst-none"));
    const { c, m } = worst;
    const order = x.referenceCards(s);
    const at = order.indexOf(c.card);
    return h(
      "section",
      { class: "fq-worst", dataset: { card: c.card }, "aria-labelledby": "fq-worst-title" },
      h("h3", { id: "fq-worst-title", text: t("fresque-worst-title") }),
      h("p", { class: "fq-worst-term" }, h("span", { class: "fq-icon", "aria-hidden": "true", text: "✗ " }), h("strong", { text: x.term(c.card) }), " ", x.verdict(x.colourOf(m.disagreements), m.disagreements)),
      h(
        "p",
        { class: "fq-worst-yours" },
        m.after ? t("fresque-worst-yours-after", { n: m.position + 1, term: x.term(m.after) }) : t("fresque-worst-yours-first"),
      ),
      h(
        "p",
        { class: "fq-worst-reference" },
        at > 0 ? t("fresque-worst-reference-after", { n: at + 1, total: order.length, term: x.term(order[at - 1]) }) : t("fresque-worst-reference-first", { total: order.length }),
      ),
    );
  }

  // The status line is as tall as its longest text (any team, any pack) for this width and
  // text size: forming teams and dealing packs never move what is under it.
  function reserveStatus() {
    if (!s.packsTotal || !status.clientWidth) return;
    const key = `${status.clientWidth}|${getComputedStyle(status).fontSize}`;
    if (key === statusKey) return;
    statusKey = key;
    const text = status.textContent;
    status.style.minHeight = "";
    let tallest = 0;
    for (let n = 1; n <= s.packsTotal; n++) {
      status.textContent = `${x.teamName(63)} · ${x.progressText({ packsDealt: n, packsTotal: s.packsTotal })}`;
      tallest = Math.max(tallest, status.getBoundingClientRect().height);
    }
    status.textContent = text;
    status.style.minHeight = `${tallest}px`;
  }

  // Between two deals my hand keeps room for my share of the next pack, so that the deal
  // fills it instead of pushing the team's timeline down; and the room an event left is only
  // given back when I move a card myself (so nothing jumps up either).
  function reserveHand() {
    // As tall as the tallest card seen (its back closed): the next cards' terms are unknown.
    for (const li of [...handList.children, ...boardList.children]) {
      if (li.dataset.card && !li.querySelector(".fq-back:not([hidden])")) cardPitch = Math.max(cardPitch, li.offsetHeight);
    }
    const next = canPlay() && s.packsDealt > 0 && s.packsDealt < s.packsTotal ? s.packSizes[s.packsDealt] || 0 : 0;
    const share = Math.ceil(next / Math.max(1, s.team?.members.length || 1));
    let room = 0;
    if (share && cardPitch && handList.clientWidth) {
      const gap = parseFloat(getComputedStyle(handList).rowGap) || 0;
      const basis = 14 * parseFloat(getComputedStyle(document.documentElement).fontSize);
      const perRow = Math.max(1, Math.floor((handList.clientWidth + gap) / (basis + gap)));
      const rows = Math.ceil(share / perRow);
      room = rows * cardPitch + (rows - 1) * gap;
    }
    if (ownMove || !canPlay()) handRoom = room;
    else handRoom = Math.max(handRoom, room, awaitingHand ? handList.offsetHeight : 0);
    ownMove = false;
    handList.style.minHeight = handRoom ? `${handRoom}px` : "";
  }

  // Drag and drop. A drop is turned into an intent; the DOM is then rebuilt from the model.
  function onEnd(evt) {
    dragging = false;
    const id = evt.item.dataset.card;
    const toBoard = evt.to === boardList;
    const fromBoard = evt.from === boardList;
    let op = null;
    if (toBoard) {
      let prev = evt.item.previousElementSibling;
      while (prev && !prev.dataset.card) prev = prev.previousElementSibling;
      const after = prev ? prev.dataset.card : null;
      if (!fromBoard) op = { action: "place", card: id, after };
      else if (evt.oldIndex !== evt.newIndex) op = { action: "move", card: id, after };
    } else if (fromBoard) {
      op = { action: "return", card: id };
    }
    // Sortable moved the node itself: rebuild from the model once it has finished.
    queueMicrotask(() => {
      if (op) act(op);
      else render();
    });
  }
  const options = {
    group: "fresque",
    handle: ".fq-grip",
    draggable: ".fq-card",
    animation: reducedMotion() ? 0 : 150,
    ghostClass: "fq-ghost",
    chosenClass: "fq-chosen",
    dragClass: "fq-dragging",
    fallbackOnBody: true,
    fallbackTolerance: 3,
    emptyInsertThreshold: 40,
    scroll: true,
    bubbleScroll: true,
    onStart: () => {
      dragging = true;
    },
    onEnd,
  };
  const sortables = [
    Sortable.create(boardList, { ...options }),
    Sortable.create(handList, { ...options, sort: false }),
  ];

  function highlight(card, by, action) {
    flashes.set(card, { by, action, until: Date.now() + HIGHLIGHT_MS });
    later(render, HIGHLIGHT_MS + 50);
  }

  return {
    render,
    changed(change, message) {
      if (change.kind === "board") {
        const i = pending.findIndex((op) => op.card === change.card && op.action === change.action && change.by === me);
        if (i >= 0) pending.splice(i, 1);
        if (change.by !== me) {
          if (change.action !== "return") highlight(change.card, change.by, change.action);
          const who = x.person(change.by);
          ctx.announce(
            change.action === "return"
              ? t("fresque-announce-return", { name: who, term: x.term(change.card) })
              : change.after
                ? t("fresque-announce-after", { name: who, term: x.term(change.card), after: x.term(change.after) })
                : t("fresque-announce-first", { name: who, term: x.term(change.card) }),
          );
        }
      } else if (change.kind === "hand") {
        awaitingHand = false;
        const until = Date.now() + HIGHLIGHT_MS;
        for (const card of change.received) received.set(card, until);
        if (change.received.length) {
          later(render, HIGHLIGHT_MS + 50);
          ctx.announce(t("fresque-announce-received", { count: change.received.length }));
        }
      } else if (change.kind === "team") {
        if (change.dealt) awaitingHand = true;
        if (change.dealt) ctx.announce(t("fresque-announce-dealt", { name: x.packName(s.packsDealt - 1) }));
        else if (change.reason === "formed" || change.reason === "moved_in") {
          if (change.who === me || change.reason === "formed") ctx.announce(t("fresque-announce-team", { team: x.teamName(change.team) }));
        }
        // Presence changes leave the board as it was: my moves under way stay.
        if (!["away", "back", "released"].includes(change.reason)) pending = [];
      } else if (change.kind === "revealed") {
        selected = null;
        const mine = s.results?.find((r) => s.team && r.team === s.team.id);
        const place = mine ? x.ranking(s.results).find((r) => r.result === mine) : null;
        ctx.announce(
          mine ? `${t("fresque-result-title")} : ${t("fresque-your-place", { place: place.place, teams: s.results.length })} · ${x.scoreText(mine)}` : t("fresque-result-title"),
        );
      } else if (change.kind === "debrief" && s.debrief) {
        ctx.announce(`${t("fresque-debrief-step", { n: s.debrief.index + 1, total: s.debrief.total, rank: s.debrief.rank })} : ${x.term(s.debrief.card)}`);
      }
      render();
    },
    destroy() {
      sortables.forEach((so) => so.destroy());
      timers.forEach((id) => clearTimeout(id));
    },
  };
}

// ---------------------------------------------------------------------------------------
// Facilitator console
// ---------------------------------------------------------------------------------------

function consoleScreen(root, model, ctx) {
  const s = model.s;
  const x = helpers(ctx);
  const { t } = x;
  const flashes = new Map(); // `${team}:${card}` -> until
  const timers = new Set();
  let debounce = null;
  const name = (pid) => ctx.peopleMap.get(pid) || `#${pid}`;
  // The teams known so far (their snapshots may arrive in any order).
  const teamIds = () => s.teams.flatMap((tm, i) => (tm ? [i] : []));

  // Every control is made once and then updated in place (texts, attributes), and team panels,
  // members and cards are keyed: a live update never replaces the button under the pointer,
  // the focus, or an open list.
  const form = h("form", { class: "fq-form-teams" });
  const modeCount = h("input", { type: "radio", name: "fq-mode", value: "count", id: "fq-mode-count", checked: true });
  const modeSize = h("input", { type: "radio", name: "fq-mode", value: "size", id: "fq-mode-size" });
  const number = h("input", { type: "number", id: "fq-team-number", min: 1, max: 64, value: 2, inputmode: "numeric" });
  const legend = h("legend", { text: t("fresque-form-legend") });
  form.append(
    h(
      "fieldset",
      {},
      legend,
      h("div", { class: "fq-radios" }, h("label", {}, modeCount, " ", t("fresque-form-by-count")), h("label", {}, modeSize, " ", t("fresque-form-by-size"))),
      h("label", { for: "fq-team-number", text: t("fresque-form-number") }),
      number,
      h("button", { type: "submit", class: "fq-form-submit" }, t("fresque-form-submit")),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const n = Number.parseInt(number.value, 10);
    if (!Number.isFinite(n) || n < 1) return;
    ctx.send(modeSize.checked ? { type: "fresque.form_teams", size: n } : { type: "fresque.form_teams", count: n });
  });

  function button(cls, label, onclick) {
    return h("button", { type: "button", class: cls, dataset: { cls }, onclick }, label);
  }
  // A button's state: disabled, "secondary" look, pressed.
  function state(el, { disabled = false, secondary = false, pressed = null } = {}) {
    setAttr(el, "class", `${secondary ? "secondary " : ""}${el.dataset.cls}`);
    if (el.disabled !== disabled) el.disabled = disabled;
    setAttr(el, "aria-pressed", pressed);
  }

  const headScenario = h("div");
  const headStatus = h("p", { class: "fq-status" });
  const head = h("div", { class: "fq-console-head" }, headScenario, headStatus);

  const deal = button("fq-deal", "", () => ctx.send({ type: "fresque.deal" }));
  const reveal = button("fq-reveal", t("fresque-reveal"), () => {
    if (s.packsDealt === s.packsTotal || confirm(t("fresque-reveal-confirm"))) ctx.send({ type: "fresque.reveal" });
  });
  const debriefIndex = () => (s.debrief ? s.debrief.index : -1);
  const debriefPrev = button("fq-debrief-prev", [h("span", { "aria-hidden": "true", text: "← " }), t("fresque-debrief-prev")], () =>
    ctx.send({ type: "fresque.debrief", index: debriefIndex() - 1 }),
  );
  const debriefNextLabel = h("span");
  const debriefNext = button("fq-debrief-next", [debriefNextLabel, h("span", { "aria-hidden": "true", text: " →" })], () =>
    ctx.send({ type: "fresque.debrief", index: debriefIndex() + 1 }),
  );
  const debriefStep = h("span", { class: "fq-muted" });
  const debriefRow = h("div", { class: "fq-debrief-controls" }, h("strong", { text: t("fresque-debrief-title") }), " ", debriefPrev, debriefNext, debriefStep);
  const showAll = button("fq-show-all", t("fresque-show-all"), () => ctx.send({ type: "fresque.show_team", team: null }));
  const showTeams = h("span", { class: "fq-show-teams" });
  const projector = h(
    "div",
    { class: "fq-projector", role: "group", "aria-label": t("fresque-projector-label") },
    h("span", { class: "fq-muted", text: t("fresque-projector-label") }),
    " ",
    showAll,
    showTeams,
  );
  // How long an away member keeps their cards before they go to the team.
  const graceChoices = [0, 15, 30, 60, 120];
  const graceText = (seconds) =>
    seconds === 0 ? t("fresque-grace-now") : seconds % 60 === 0 ? t("fresque-grace-minutes", { minutes: seconds / 60 }) : t("fresque-grace-seconds", { seconds });
  const grace = h("select", {
    id: "fq-grace",
    class: "fq-grace",
    onchange: (event) => {
      const seconds = Number.parseInt(event.target.value, 10);
      if (Number.isInteger(seconds)) ctx.send({ type: "fresque.set_grace", seconds });
    },
  });
  let graceShown = null;
  const graceRow = h("div", { class: "fq-grace-row" }, h("label", { for: "fq-grace", text: t("fresque-grace-label") }), grace);
  const controls = h("div", { class: "fq-controls" }, deal, reveal, debriefRow, projector, graceRow);

  // Away members and the countdown to their cards going to the team. Since when a member is
  // away: from the host when it knows (optional ctx.awaySince(pid): this page's clock in ms, or
  // null; e.g. the staff welcome's participants[].away and participant.presence, shifted by
  // welcome.now), else from when this console first saw them away.
  const awaySince = new Map(); // pid -> ms
  const countdowns = new Map(); // pid -> {el, count}: what the ticker updates, nothing else
  let ticker = null;
  function later(fn, ms) {
    const id = setTimeout(() => {
      timers.delete(id);
      fn();
    }, ms);
    timers.add(id);
  }
  function sinceOf(pid) {
    if (!awaySince.has(pid)) {
      const told = typeof ctx.awaySince === "function" ? ctx.awaySince(pid) : null;
      awaySince.set(pid, Number.isFinite(told) ? told : Date.now());
    }
    return awaySince.get(pid);
  }
  function countdownText(pid, count) {
    const left = Math.ceil((sinceOf(pid) + s.grace * 1000 - Date.now()) / 1000);
    return left > 0 ? t("fresque-away-cards", { count, seconds: left }) : t("fresque-away-cards-soon", { count });
  }
  function tick() {
    for (const [pid, c] of countdowns) setText(c.el, countdownText(pid, c.count));
  }
  const unassignedNames = h("span");
  const unassigned = h("p", { class: "fq-unassigned", hidden: true }, h("strong", { text: t("fresque-unassigned") }), " ", unassignedNames);
  const teamsBox = h("div", { class: "fq-teams" });
  // After the reveal: card by card, most misplaced first, how many teams placed it right and
  // where the others put it (what to discuss); a card's button shows it in the debrief.
  const cardsList = h("ol", { class: "fq-cards-debrief" });
  const cardsBox = h(
    "section",
    { class: "fq-cards-debrief-box", "aria-labelledby": "fq-cards-debrief-title", hidden: true },
    h("h3", { id: "fq-cards-debrief-title", text: t("fresque-cards-debrief-title") }),
    h("p", { class: "fq-muted", text: t("fresque-cards-debrief-hint") }),
    cardsList,
    h("p", { class: "fq-muted fq-cards-unplaced", hidden: true }),
  );
  let cardsShown = null;
  function renderCards() {
    cardsBox.hidden = !(s.phase === "revealed" && s.cards);
    if (cardsBox.hidden) return;
    if (cardsShown !== s.cards) {
      cardsShown = s.cards;
      // Cards no team placed (packs never dealt) have nothing to discuss: counted at the end.
      const unplaced = s.cards.filter((c) => !c.teams).length;
      const note = cardsBox.querySelector(".fq-cards-unplaced");
      note.hidden = !unplaced;
      setText(note, t("fresque-cards-unplaced", { count: unplaced }));
      cardsList.replaceChildren(
        ...s.cards.filter((c) => c.teams).map((c) =>
          h(
            "li",
            { dataset: { card: c.card, index: c.index } },
            h("button", {
              type: "button",
              class: "fq-card-show secondary",
              text: x.term(c.card),
              "aria-label": t("fresque-card-show-label", { term: x.term(c.card) }),
              onclick: () => ctx.send({ type: "fresque.debrief", index: c.index }),
            }),
            " — ",
            h("span", { class: "fq-right-count", text: x.rightText(c) }),
            ...c.misplaced_by.map((m) => [" · ", h("span", { class: "fq-misplaced", dataset: { team: m.team }, text: x.misplacedText(m) })]),
          ),
        ),
      );
    }
    for (const li of cardsList.children) {
      const current = li.dataset.card === s.debrief?.card;
      li.classList.toggle("fq-current", current);
      setAttr(li, "aria-current", current ? "step" : null);
    }
  }
  const section = h("section", { class: "card fq-console" }, h("h2", { text: t("phase-fresque") }), head, form, controls, cardsBox, unassigned, teamsBox);
  root.append(section);

  // A team's panel; its parts are kept with it.
  const panels = new WeakMap();
  function createTeam(i) {
    const p = {
      name: h("span", { class: "fq-team-name" }),
      score: h("span", { class: "fq-team-score", hidden: true }),
      stats: h("p", { class: "fq-muted" }),
      progress: h("progress", { max: 1, value: 0 }),
      members: h("ul", { class: "fq-members" }),
      empty: h("p", { class: "fq-muted", text: t("fresque-team-empty") }),
      mini: h("ol", { class: "fq-mini" }),
    };
    const el = h("article", { class: "fq-team card", dataset: { team: i } }, h("h3", {}, p.name, p.score), p.stats, p.progress, p.members, p.empty, p.mini);
    panels.set(el, p);
    return el;
  }

  // A member's line: name, hand, "move to…".
  const lines = new WeakMap();
  function createMember(pid) {
    const l = {
      presence: h("span"),
      name: h("span", { class: "fq-name" }),
      hand: h("small", { class: "fq-muted fq-hand-count" }),
      move: h("select", {
        class: "fq-move-member",
        dataset: { focus: `move-${pid}` },
        onchange: (event) => {
          const to = Number.parseInt(event.target.value, 10);
          event.target.value = "";
          if (Number.isInteger(to)) ctx.send({ type: "fresque.move_member", participant: pid, team: to });
        },
      }),
      // No live region: the countdown changes every second.
      countdown: h("span", { class: "fq-countdown" }),
      release: h("button", {
        type: "button",
        class: "secondary fq-release",
        text: t("fresque-release"),
        // Once: pressed again before the team's snapshot, it would be refused.
        onclick: (event) => {
          const pressed = event.currentTarget;
          if (!ctx.send({ type: "fresque.release_hand", participant: pid })) return;
          pressed.disabled = true;
          later(() => (pressed.disabled = false), 3000);
        },
      }),
    };
    l.away = h("div", { class: "fq-away-line", hidden: true }, l.countdown, l.release);
    const el = h("li", { dataset: { member: pid } }, l.name, " ", l.presence, " ", l.hand, l.move, l.away);
    lines.set(el, l);
    return el;
  }
  function updateMember(el, m, i, revealed) {
    const l = lines.get(el);
    setText(l.name, name(m.id));
    const away = !!m.away;
    if (l.presence.dataset.away !== String(away)) {
      l.presence.dataset.away = String(away);
      l.presence.replaceChildren(x.presence(away));
      el.classList.toggle("fq-member-away", away);
    }
    // Away with cards: they go to the team when the grace period ends, or now.
    const holding = away && m.hand > 0 && !revealed;
    l.away.hidden = !holding;
    if (holding) {
      countdowns.set(m.id, { el: l.countdown, count: m.hand });
      setText(l.countdown, countdownText(m.id, m.hand));
      setAttr(l.release, "aria-label", t("fresque-release-label", { name: name(m.id) }));
    }
    l.hand.hidden = !s.packsDealt;
    setText(l.hand, t("fresque-hand-count", { count: m.hand }));
    l.move.hidden = s.teams.length < 2 || revealed;
    setAttr(l.move, "aria-label", t("fresque-move-member-label", { name: name(m.id) }));
    // Its choices change only with the teams: the list is not touched while it may be open.
    const others = teamIds().filter((j) => j !== i);
    if (l.move.dataset.choices !== others.join()) {
      l.move.dataset.choices = others.join();
      l.move.replaceChildren(h("option", { value: "", text: t("fresque-move-member") }), ...others.map((j) => h("option", { value: j, text: x.teamName(j) })));
    }
  }

  function createCard(card) {
    return h("li", { dataset: { card } }, h("span", { class: "fq-term", text: x.term(card) }));
  }
  function updateCard(el, card, i, scoreByCard) {
    const sc = scoreByCard?.get(card);
    const flash = flashes.has(`${i}:${card}`);
    setAttr(el, "class", `${sc ? `fq-${sc.colour}` : ""}${flash ? " fq-flash" : ""}`.trim() || null);
    const verdict = sc ? `${sc.colour}/${sc.disagreements}` : "";
    if ((el.dataset.verdict || "") !== verdict) {
      el.dataset.verdict = verdict;
      el.querySelector(".fq-verdict")?.remove();
      if (sc) el.append(x.verdict(sc.colour, sc.disagreements));
    }
  }

  function updateTeam(el, i, revealed) {
    const tm = s.teams[i];
    const p = panels.get(el);
    const result = s.results?.find((r) => r.team === i) || null;
    const scoreByCard = result ? new Map(result.score.cards.map((c) => [c.card, c])) : null;
    const placed = tm.board.length;
    setText(p.name, x.teamName(i));
    p.score.hidden = !result;
    setText(p.score, result ? ` · ${x.scoreText(result)}` : "");
    setText(p.stats, `${t("fresque-placed-of", { placed, dealt: tm.dealt })}${tm.pool ? ` · ${t("fresque-pool", { count: tm.pool })}` : ""}`);
    setAttr(p.progress, "max", Math.max(tm.dealt, 1));
    setAttr(p.progress, "value", placed);
    setAttr(p.progress, "aria-label", t("fresque-placed-of", { placed, dealt: tm.dealt }));
    const byId = new Map(tm.members.map((m) => [m.id, m]));
    syncKeyed(p.members, [...byId.keys()], createMember, (li, pid) => updateMember(li, byId.get(pid), i, revealed));
    p.members.hidden = !tm.members.length;
    p.empty.hidden = tm.members.length > 0;
    syncKeyed(p.mini, tm.board, createCard, (li, card) => updateCard(li, card, i, scoreByCard));
  }

  function render() {
    const focused = root.contains(document.activeElement) ? document.activeElement : null;
    const revealed = s.phase === "revealed";
    const hasTeams = s.teams.length > 0;
    if (head.dataset.packs !== String(s.packsDealt)) {
      head.dataset.packs = String(s.packsDealt);
      headScenario.replaceChildren(x.scenarioBlock(s, { open: false }) || "");
    }
    setText(headStatus, `${hasTeams ? t("fresque-console-teams", { count: s.teams.length }) : t("fresque-console-no-teams")} · ${x.progressText(s)}`);
    form.hidden = s.packsDealt > 0;
    setText(legend, hasTeams ? t("fresque-form-again") : t("fresque-form-legend"));

    const next = s.packsDealt < s.packsTotal ? x.packName(s.packsDealt) : null;
    deal.hidden = revealed;
    reveal.hidden = revealed;
    setText(deal, next ? t("fresque-deal", { name: next, n: s.packsDealt + 1, total: s.packsTotal }) : t("fresque-deal-none"));
    state(deal, { disabled: !hasTeams || !next });
    state(reveal, { disabled: !hasTeams || !s.packsDealt, secondary: !!next });
    debriefRow.hidden = !revealed;
    if (revealed) {
      const total = s.referenceOrder.length || s.debrief?.total || 0;
      const index = debriefIndex();
      state(debriefPrev, { disabled: index <= 0, secondary: true });
      state(debriefNext, { disabled: index + 1 >= total });
      setText(debriefNextLabel, index < 0 ? t("fresque-debrief-start") : t("fresque-debrief-next"));
      setText(debriefStep, s.debrief ? ` ${t("fresque-debrief-step", { n: index + 1, total, rank: s.debrief.rank })} · ${x.term(s.debrief.card)}` : "");
    }
    projector.hidden = !hasTeams;
    state(showAll, { pressed: String(s.shownTeam === null), secondary: s.shownTeam !== null });
    syncKeyed(
      showTeams,
      teamIds(),
      (i) => button(`fq-show-${i}`, x.teamName(i), () => ctx.send({ type: "fresque.show_team", team: i })),
      (el, i) => state(el, { pressed: String(s.shownTeam === i), secondary: s.shownTeam !== i }),
    );

    graceRow.hidden = !hasTeams || revealed;
    const graceValues = [...new Set([...graceChoices, s.grace])].sort((a, b) => a - b);
    if (grace.dataset.choices !== graceValues.join()) {
      grace.dataset.choices = graceValues.join();
      grace.replaceChildren(...graceValues.map((n) => h("option", { value: n, text: graceText(n) })));
      graceShown = null;
    }
    // The list shows the server's value once it changed (not while the facilitator picks).
    if (graceShown !== s.grace) {
      graceShown = s.grace;
      grace.value = String(s.grace);
    }

    renderCards();
    unassigned.hidden = !s.unassigned.length;
    setText(unassignedNames, s.unassigned.map(name).join(", "));
    countdowns.clear();
    syncKeyed(teamsBox, teamIds(), createTeam, (el, i) => updateTeam(el, i, revealed));
    const away = new Set(s.teams.flatMap((tm) => (tm ? tm.members.filter((m) => m.away).map((m) => m.id) : [])));
    for (const pid of awaySince.keys()) if (!away.has(pid)) awaySince.delete(pid);
    if (countdowns.size && !ticker) ticker = setInterval(tick, 1000);
    else if (!countdowns.size && ticker) {
      clearInterval(ticker);
      ticker = null;
    }

    // A member moved to another team: their "move to…" list is a new one, focused again.
    if (focused && !focused.isConnected && focused.dataset.focus) root.querySelector(`[data-focus="${CSS.escape(focused.dataset.focus)}"]`)?.focus();
  }

  // Console boards update live, but a burst of moves is rendered once per frame.
  function schedule() {
    if (debounce) return;
    debounce = requestAnimationFrame(() => {
      debounce = null;
      render();
    });
  }

  return {
    render,
    changed(change) {
      if (change.kind === "board" && change.action !== "return") {
        const key = `${change.team}:${change.card}`;
        flashes.set(key, Date.now() + HIGHLIGHT_MS);
        const id = setTimeout(() => {
          timers.delete(id);
          flashes.delete(key);
          schedule();
        }, HIGHLIGHT_MS);
        timers.add(id);
      }
      schedule();
    },
    // The member came back or their cards already went (the grace period ended): the panel
    // shows it, there is nothing to say.
    error(message) {
      return ["not_away", "empty_hand"].includes(message.code);
    },
    destroy() {
      timers.forEach((id) => clearTimeout(id));
      if (debounce) cancelAnimationFrame(debounce);
      if (ticker) clearInterval(ticker);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Projector
// ---------------------------------------------------------------------------------------

function projectorScreen(root, model, ctx) {
  const s = model.s;
  const x = helpers(ctx);
  const { t } = x;
  const stopFitting = fitOnResize(root);
  let frame = null;
  let counting = null;
  // The reveal is a moment, played as a sequence of full screens: the reference timeline builds
  // card by card; each team's score counts up with its misplaced cards; the podium. Each scene
  // moves on by itself, and a presenter's remote (the arrow keys, Page Up/Down) moves through
  // them at the room's pace. Animations are timed from the scene's start, so a render under way
  // continues them (negative delays) instead of starting them again.
  const SCENES = ["reference", "teams", "podium"];
  const STEP_MS = 120;
  const COUNT_MS = 1500;
  const HOLD_MS = { reference: 2500, teams: 5000 };
  let scene = 0;
  let sceneStart = null;
  let sceneTimer = null;
  const still = () => reducedMotion() || sceneStart === null;
  function delay(el, ms) {
    if (still()) return el;
    el.style.animationDelay = `${ms - (performance.now() - sceneStart)}ms`;
    el.classList.add("fq-appear");
    return el;
  }
  // How long a scene's entrance lasts, before it holds.
  function entrance(name) {
    if (name === "reference") return x.referenceCards(s).length * STEP_MS + 300;
    if (name === "teams") return (s.results || []).length * 150 + COUNT_MS;
    return COUNT_MS;
  }
  function revealing() {
    return s.phase === "revealed" && !s.debrief && !(s.shownTeam !== null && s.teams[s.shownTeam]);
  }
  function go(index) {
    scene = Math.max(0, Math.min(SCENES.length - 1, index));
    sceneStart = performance.now();
    clearTimeout(sceneTimer);
    const name = SCENES[scene];
    if (HOLD_MS[name] !== undefined) sceneTimer = setTimeout(() => revealing() && go(scene + 1), entrance(name) + HOLD_MS[name]);
    schedule();
  }
  function onKey(event) {
    if (!revealing() || event.ctrlKey || event.metaKey || event.altKey) return;
    if (["ArrowRight", "PageDown", " "].includes(event.key)) go(scene + 1);
    else if (["ArrowLeft", "PageUp"].includes(event.key)) go(scene - 1);
    else return;
    event.preventDefault();
  }
  document.addEventListener("keydown", onKey);

  // While the teams play: how far each one is, never its cards (teams would copy).
  function progress(tm, i, big) {
    const placed = tm.placed ?? tm.board.length;
    const text = t("fresque-placed-of", { placed, dealt: tm.dealt });
    return h(
      "article",
      { class: `fq-progress-team${big ? " fq-progress-big" : ""}`, dataset: { team: i } },
      h(big ? "h2" : "h3", { text: x.teamName(i) }),
      h("p", { class: "fq-progress-text", text }),
      h("progress", { max: Math.max(tm.dealt, 1), value: placed, "aria-label": text }),
      tm.pool ? h("p", { class: "fq-muted", text: t("fresque-pool", { count: tm.pool }) }) : null,
    );
  }

  // A team's timeline in large, after the reveal only.
  function board(tm, i, big) {
    const result = s.results?.find((r) => r.team === i) || null;
    const scoreByCard = result ? new Map(result.score.cards.map((c) => [c.card, c])) : null;
    const current = s.debrief?.card;
    return h(
      "article",
      { class: `fq-board-thumb${big ? " fq-board-big" : ""}`, dataset: { team: i } },
      h(
        "header",
        {},
        h(big ? "h2" : "h3", { text: x.teamName(i) }),
        result ? h("p", { class: "fq-team-score" }, x.scoreText(result)) : null,
      ),
      h(
        "ol",
        { class: "fq-strip" },
        tm.board.map((c, n) => {
          const sc = scoreByCard?.get(c);
          const cls = [sc ? `fq-${sc.colour}` : "", sc && !sc.right ? "fq-misplaced" : "", c === current ? "fq-current" : ""].filter(Boolean).join(" ");
          return h(
            "li",
            { class: cls || null, dataset: { card: c } },
            big ? h("span", { class: "fq-pos", text: String(n + 1) }) : null,
            h("span", { class: "fq-term", text: x.term(c) }),
            // On a small screen the verdicts give way first, then the mark's words (its ✗ and
            // the card's colour stay).
            sc && !sc.right ? h("span", { class: "fq-mark" }, h("span", { "aria-hidden": "true", text: "✗ " }), h("span", { "data-fit": "1", text: t("fresque-mark-misplaced") })) : null,
            sc ? h("span", { "data-fit": "2" }, x.verdict(sc.colour, sc.disagreements)) : null,
          );
        }),
      ),
    );
  }

  function reference() {
    if (!s.debrief || !s.referenceOrder.length) return null;
    const upto = s.debrief.index;
    return h(
      "ol",
      { class: "fq-reference", "aria-label": t("fresque-reference-label"), "data-fit": "3" },
      s.referenceOrder.map((e, n) =>
        h("li", { class: n === upto ? "fq-current" : n < upto ? "fq-done" : "fq-todo", dataset: { card: e.card } }, n <= upto ? x.term(e.card) : String(n + 1)),
      ),
    );
  }

  // Scene 1: the reference timeline, card by card.
  function sceneReference() {
    const order = x.referenceCards(s);
    return [
      h("h2", { class: "fq-scene-title", text: t("fresque-reference-label") }),
      h(
        "ol",
        { class: "fq-build" },
        order.map((card, n) => delay(h("li", { dataset: { card } }, h("span", { class: "fq-pos", text: String(n + 1) }), " ", x.term(card)), n * STEP_MS)),
      ),
    ];
  }

  // Scene 2: each team's score, counting up, and the cards it misplaced.
  function sceneTeams() {
    return [
      h("h2", { class: "fq-scene-title", text: t("fresque-result-title") }),
      h(
        "div",
        { class: "fq-reveal-teams" },
        (s.results || []).map((r, i) => {
          const wrong = r.score.cards.filter((c) => !c.right);
          return delay(
            h(
              "article",
              { class: "fq-reveal-team", dataset: { team: r.team } },
              h("h3", { text: x.teamName(r.team) }),
              h("p", { class: "fq-reveal-score" }, h("span", { class: "fq-count", dataset: { percent: r.score.percent ?? "" }, text: x.percentText(r) })),
              h("p", { class: "fq-reveal-detail", "data-fit": "2", text: x.scoreText(r) }),
              h(
                "p",
                { class: "fq-misplaced-title" },
                h("span", { class: "fq-icon", "aria-hidden": "true", text: wrong.length ? "✗ " : "✓ " }),
                t("fresque-misplaced-count", { count: wrong.length }),
              ),
              wrong.length
                ? h(
                    "ul",
                    { class: "fq-misplaced-list", "data-fit": "1" },
                    wrong.map((c) => h("li", { class: "fq-misplaced", dataset: { card: c.card } }, h("span", { class: "fq-icon", "aria-hidden": "true", text: "✗ " }), x.term(c.card))),
                  )
                : null,
            ),
            i * 150,
          );
        }),
      ),
    ];
  }

  function reveal() {
    if (sceneStart === null) go(0);
    const name = SCENES[scene];
    const parts = name === "reference" ? sceneReference() : name === "teams" ? sceneTeams() : [x.podiumBlock(s, { big: true })];
    return h("div", { class: "fq-reveal", dataset: { scene: name } }, ...parts.filter(Boolean));
  }

  // Scores count up to their value (at once when motion is reduced).
  function countUp() {
    if (counting) cancelAnimationFrame(counting);
    counting = null;
    const els = [...root.querySelectorAll(".fq-count")].filter((el) => el.dataset.percent !== "");
    if (!els.length) return;
    const step = () => {
      const k = still() ? 1 : Math.max(0, Math.min(1, (performance.now() - sceneStart) / COUNT_MS));
      const eased = 1 - (1 - k) ** 3;
      for (const el of els) setText(el, t("fresque-percent", { percent: Math.round(Number(el.dataset.percent) * eased) }));
      counting = k < 1 ? requestAnimationFrame(step) : null;
    };
    step();
  }

  function render() {
    // Before the first pack the whole scenario; then a compact line.
    const compact = s.packsDealt > 0 || s.phase === "revealed";
    const revealed = s.phase === "revealed";
    // The scenario until the reveal; the reveal's scenes and the debrief take the whole screen.
    const parts = [revealed ? null : x.scenarioBlock(s, { big: true, compact })];
    const shown = s.shownTeam !== null && s.teams[s.shownTeam] ? s.shownTeam : null;
    if (!revealed) {
      parts.push(h("p", { class: "fq-screen-status", text: s.teams.length ? x.progressText(s) : t("fresque-wait-teams-screen") }));
      if (shown !== null) parts.push(progress(s.teams[shown], shown, true));
      else if (s.teams.length) parts.push(h("div", { class: "fq-progress-grid" }, s.teams.map((tm, i) => (tm ? progress(tm, i, false) : null))));
      if (s.teams.length && s.packsDealt) parts.push(h("p", { class: "fq-hidden-note", "data-fit": "1", text: t("fresque-hidden-until-reveal") }));
    } else if (s.debrief) {
      parts.push(x.debriefBlock(s, { results: s.results, big: true }), reference());
      if (shown !== null) parts.push(board(s.teams[shown], shown, true));
    } else if (shown !== null) {
      parts.push(board(s.teams[shown], shown, true));
    } else {
      parts.push(reveal());
    }
    if (!revealed || s.debrief) sceneStart = null;
    root.replaceChildren(...parts.filter(Boolean));
    countUp();
    fit(root);
  }

  function schedule() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = null;
      render();
    });
  }

  return {
    render,
    changed() {
      schedule();
    },
    destroy() {
      if (frame) cancelAnimationFrame(frame);
      if (counting) cancelAnimationFrame(counting);
      clearTimeout(sceneTimer);
      document.removeEventListener("keydown", onKey);
      stopFitting();
    },
  };
}
