// Fresque de la reconnaissance: the facilitator's console (the model and helpers in common.js).
import {
  HIGHLIGHT_MS,
  h,
  helpers,
  mounter,
  setAttr,
  setText,
  syncKeyed,
} from "./common.js";

export const mount = mounter(consoleScreen);

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
