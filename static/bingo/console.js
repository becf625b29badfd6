// Bingo des Open Badges: the facilitator's console (shared parts in common.js).
import {
  CELLS,
  PRIZES,
  applyStaff,
  available,
  fill,
  h,
  mounter,
  nameOf,
  percent,
  prizeName,
  secondsLeft,
  setAvailable,
  showCountdown,
  staffState,
  texts,
} from "./common.js";

export const mount = mounter(consoleScreen);

function consoleScreen(container, ctx) {
  const { t, announce, send } = ctx;
  const tx = texts(ctx);
  const s = staffState(ctx);
  let people = ctx.people || new Map();
  const listening = s.mode === "listening";
  let confirmingEnd = false;

  const button = (key, text, onclick, cls = "") =>
    h("button", { type: "button", class: cls, "data-focus-key": key, "data-action": key, text, onclick });
  const guard = (fn) => (event) => {
    if (available(event.currentTarget)) fn();
  };

  const stateLabel = h("p", { class: "bc-state", role: "status" });
  const current = h("div", { class: "bc-current" });
  // Definition mode controls.
  // Draws and calls carry this page's clock: the step's time shown with the prizes.
  const drawButton = button("draw", t("bingo-console-draw"), guard(() => send({ type: "bingo.draw" })));
  const revealButton = button("reveal", t("bingo-console-reveal"), guard(() => send({ type: "bingo.reveal" })), "secondary");
  const pick = h("select", { id: "bingo-pick", "data-focus-key": "pick" });
  const pickButton = button(
    "draw-picked",
    t("bingo-console-draw-picked"),
    guard(() => pick.value && send({ type: "bingo.draw", card: pick.value })),
    "secondary",
  );
  const definitionControls = h(
    "div",
    { class: "bc-controls" },
    drawButton,
    revealButton,
    h("div", { class: "bc-pick" }, h("label", { for: "bingo-pick", text: t("bingo-console-pick") }), pick, pickButton),
  );
  // Listening mode: one button per term, in the deck's order.
  const callList = h("div", { class: "bc-calls", role: "group", "aria-label": t("bingo-console-call-label") });
  const callButtons = new Map();
  if (listening) {
    for (const card of [...s.deck].sort((a, b) => tx.number(a) - tx.number(b))) {
      const b = h("button", { type: "button", class: "bc-call", "data-card": card, "data-focus-key": `call-${card}`, text: tx.term(card) });
      b.addEventListener("click", guard(() => send({ type: "bingo.call", card })));
      callButtons.set(card, b);
      callList.append(b);
    }
  }
  const pauseButton = button("pause", t("bingo-console-pause"), guard(() => send({ type: s.phase === "paused" ? "bingo.resume" : "bingo.pause" })), "secondary");
  const endButton = button("end", t("bingo-console-end"), guard(() => {
    confirmingEnd = true;
    render();
    confirmYes.focus();
  }), "secondary danger");
  const confirmYes = button("end-confirm", t("bingo-console-end-confirm"), () => {
    confirmingEnd = false;
    send({ type: "bingo.end" });
    render();
    pauseButton.focus();
  }, "danger");
  const confirmNo = button("end-cancel", t("bingo-console-end-cancel"), () => {
    confirmingEnd = false;
    render();
    endButton.focus();
  }, "secondary");
  const confirmBox = h("div", { class: "bc-confirm", role: "group", "aria-label": t("bingo-console-end-question") }, h("span", { text: t("bingo-console-end-question") }), confirmYes, confirmNo);
  const gameControls = h("div", { class: "bc-controls bc-game" }, pauseButton, endButton, confirmBox);

  // Settings kept in the game: a countdown per definition and the projector's win sound.
  const countdownChoices = [0, 15, 30, 45, 60];
  const countdownText = (seconds) => (seconds === 0 ? t("bingo-console-countdown-off") : t("bingo-console-countdown-seconds", { seconds }));
  const countdownSelect = h("select", {
    id: "bingo-countdown",
    "data-focus-key": "countdown",
    onchange: () => {
      const seconds = Number(countdownSelect.value);
      if (Number.isInteger(seconds)) send({ type: "bingo.set_countdown", seconds });
    },
  });
  const soundBox = h("input", {
    type: "checkbox",
    id: "bingo-sound",
    "data-focus-key": "sound",
    onchange: () => send({ type: "bingo.set_sound", on: soundBox.checked }),
  });
  const settings = h(
    "div",
    { class: "bc-settings" },
    listening ? null : h("div", { class: "bc-setting" }, h("label", { for: "bingo-countdown", text: t("bingo-console-countdown") }), countdownSelect),
    h("div", { class: "bc-setting" }, soundBox, h("label", { for: "bingo-sound", text: t("bingo-console-sound") })),
  );
  // The open definition's countdown (the phones and the projector show the same).
  const countdownLine = h("p", { class: "bc-countdown", role: "timer", "aria-live": "off", hidden: true });
  function tickCountdown() {
    const open = !listening && s.phase === "running" && s.current && !s.current.revealed;
    showCountdown(t, countdownLine, open ? secondsLeft(s.countdown, s.since) : null);
  }
  const countdownTimer = setInterval(tickCountdown, 250);

  const table = h("tbody");
  const participantsBox = h(
    "section",
    { class: "bc-participants" },
    h("h3", { text: t("bingo-console-participants") }),
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["bingo-col-name", "bingo-col-marks", "bingo-col-lines", "bingo-col-claims", "bingo-col-prizes"].map((id) => h("th", { scope: "col", text: t(id) })),
        ),
      ),
      table,
    ),
  );
  const side = h("div", { class: "bc-side" });
  const statsBox = h("section", { class: "bc-stats", hidden: true });
  const root = h(
    "section",
    { class: `card bingo-console ${listening ? "mode-listening" : "mode-definition"}`, "aria-labelledby": "bingo-console-title" },
    h("h2", { id: "bingo-console-title", text: t(listening ? "bingo-console-title-listening" : "bingo-console-title") }),
    stateLabel,
    current,
    listening ? callList : definitionControls,
    gameControls,
    settings,
    statsBox,
    h("div", { class: "bc-cols" }, participantsBox, side),
  );
  container.append(root);

  function renderCurrent() {
    if (listening) {
      const last = s.drawn[s.drawn.length - 1];
      fill(current,
        h("p", { class: "bc-kicker", text: t("bingo-console-called-count", { called: s.drawn.length, total: CELLS }) }),
        last ? h("p", { class: "bc-term", text: t("bingo-console-last-called", { term: tx.term(last) }) }) : h("p", { text: t("bingo-console-call-help") }),
      );
      return;
    }
    const c = s.current;
    if (!c) {
      fill(current, h("p", { class: "bc-kicker", text: t("bingo-console-start-help") }));
      return;
    }
    const parts = [
      h("p", { class: "bc-kicker", text: t("bingo-console-definition", { step: c.step, remaining: CELLS - s.drawn.length }) }),
      h("blockquote", { class: "bc-definition", text: (c.card && tx.definition(c.card)) || "…" }),
      c.card ? h("p", { class: "bc-answer" }, t("bingo-console-answer"), " ", h("strong", { text: tx.term(c.card) })) : null,
      countdownLine,
    ];
    if (c.revealed && c.result) {
      parts.push(
        h("p", {
          class: "bc-result",
          text: t("bingo-console-result", { found: c.result.found, answered: c.result.answered, of: c.result.of, percent: percent(c.result.found, c.result.of) }),
        }),
      );
    } else {
      parts.push(h("p", { class: "bc-answers", text: t("bingo-screen-answers", { answered: c.answered || 0, of: s.active }) }));
    }
    fill(current, ...parts);
  }

  function renderControls() {
    const running = s.phase === "running";
    const undrawn = s.deck.filter((card) => !s.drawn.includes(card)).sort((a, b) => tx.number(a) - tx.number(b));
    if (!listening) {
      setAvailable(drawButton, running && undrawn.length > 0);
      drawButton.textContent = t(s.current && !s.current.revealed ? "bingo-console-draw-next" : "bingo-console-draw");
      const open = Boolean(s.current) && !s.current.revealed;
      setAvailable(revealButton, running && open);
      // The next useful action is the prominent one: reveal while a definition is open.
      revealButton.classList.toggle("secondary", !open);
      drawButton.classList.toggle("secondary", open);
      const keep = pick.value;
      const wanted = undrawn.join("\n");
      if (pick.dataset.cards !== wanted) {
        pick.dataset.cards = wanted;
        fill(pick, ...undrawn.map((card) => h("option", { value: card, text: `${tx.number(card)}. ${tx.term(card)}` })));
        if (undrawn.includes(keep)) pick.value = keep;
      }
      pick.disabled = undrawn.length === 0;
      setAvailable(pickButton, running && undrawn.length > 0);
    } else {
      for (const [card, b] of callButtons) {
        const called = s.drawn.includes(card);
        b.setAttribute("aria-pressed", called ? "true" : "false");
        setAvailable(b, running && !called);
      }
    }
    pauseButton.textContent = t(s.phase === "paused" ? "bingo-console-resume" : "bingo-console-pause");
    setAvailable(pauseButton, s.phase !== "ended");
    setAvailable(endButton, s.phase !== "ended");
    confirmBox.hidden = !confirmingEnd || s.phase === "ended";
    endButton.hidden = !confirmBox.hidden;
    gameControls.hidden = s.phase === "ended";
    (listening ? callList : definitionControls).hidden = s.phase === "ended";
    settings.hidden = s.phase === "ended";
    const choices = [...new Set([...countdownChoices, s.countdown])].sort((a, b) => a - b);
    if (countdownSelect.dataset.choices !== choices.join()) {
      countdownSelect.dataset.choices = choices.join();
      fill(countdownSelect, ...choices.map((seconds) => h("option", { value: String(seconds), text: countdownText(seconds) })));
    }
    countdownSelect.value = String(s.countdown);
    soundBox.checked = s.sound;
    tickCountdown();
    stateLabel.textContent = t(`bingo-console-state-${s.phase}`);
    stateLabel.dataset.phase = s.phase;
  }

  function renderParticipants() {
    const rows = [...s.participants.values()].sort(
      (a, b) => b.prizes.length - a.prizes.length || b.lines - a.lines || b.marks - a.marks || String(nameOf(ctx, people, a.id)).localeCompare(nameOf(ctx, people, b.id)),
    );
    fill(table,
      ...rows.map((p) =>
        h(
          "tr",
          { class: p.active ? "" : "gone", "data-participant": p.id },
          h("th", { scope: "row", text: nameOf(ctx, people, p.id) }),
          h("td", { text: `${p.marks}/${CELLS}` }),
          h("td", { text: String(p.lines) }),
          h("td", { class: p.refused_claims ? "refused" : "", text: p.refused_claims ? t("bingo-console-claims-refused", { claims: p.claims, refused: p.refused_claims }) : String(p.claims) }),
          h("td", { text: p.prizes.map((prize) => prizeName(t, prize)).join(", ") || "–" }),
        ),
      ),
    );
    if (!rows.length) table.append(h("tr", {}, h("td", { colspan: "5", text: t("bingo-console-nobody") })));
  }

  function renderSide() {
    const prizes = h(
      "section",
      { class: "bc-prizes" },
      h("h3", { text: t("bingo-prizes-title") }),
      h(
        "ul",
        {},
        ...PRIZES.map((prize) => {
          const award = s.prizes.find((p) => p.prize === prize);
          return h(
            "li",
            { "data-prize": prize },
            h("strong", { text: prizeName(t, prize) }),
            " ",
            award
              ? t("bingo-console-prize-won", { names: award.winners.map((id) => nameOf(ctx, people, id)).join(", "), step: award.step })
              : t("bingo-prize-to-win"),
          );
        }),
      ),
    );
    const refused = h(
      "section",
      { class: "bc-refused" },
      h("h3", { text: t("bingo-console-refused", { count: s.refused.length }) }),
      s.refused.length
        ? h("ul", {}, ...[...s.refused].reverse().map((r) => h("li", { text: t("bingo-console-refused-item", { name: nameOf(ctx, people, r.participant), step: r.step }) })))
        : h("p", { class: "muted", text: t("bingo-console-refused-none") }),
    );
    const history = listening
      ? null
      : h(
          "section",
          { class: "bc-history" },
          h("h3", { text: t("bingo-console-history") }),
          s.rounds.length
            ? h(
                "ol",
                { reversed: true },
                ...[...s.rounds].reverse().map((r) =>
                  h("li", { value: r.step, text: t("bingo-console-history-item", { term: tx.term(r.card), found: r.found, of: r.of, percent: percent(r.found, r.of) }) }),
                ),
              )
            : h("p", { class: "muted", text: t("bingo-console-history-none") }),
        );
    fill(side, prizes, refused, history);
  }

  function renderStats() {
    statsBox.hidden = s.phase !== "ended" || !s.stats;
    if (statsBox.hidden) return;
    const hardest = s.stats.hardest || [];
    fill(statsBox,
      h("h3", { text: t("bingo-hardest-title") }),
      hardest.length ? h("p", { class: "muted", text: t("bingo-console-debrief-help") }) : null,
      hardest.length
        ? h(
            "ol",
            {},
            ...hardest.map((c) =>
              h(
                "li",
                {},
                h("strong", { text: t("bingo-hardest-item", { term: tx.term(c.card), percent: percent(c.found, c.of) }) }),
                tx.explanation(c.card) ? h("p", { class: "bc-explanation", text: tx.explanation(c.card) }) : null,
              ),
            ),
          )
        : h("p", { class: "muted", text: t("bingo-console-no-stats") }),
    );
  }

  function render() {
    renderCurrent();
    renderControls();
    renderParticipants();
    renderSide();
    renderStats();
  }

  render();
  return {
    destroy() {
      clearInterval(countdownTimer);
    },
    // A round was drawn and the bingo has not ended: leaving now interrupts it.
    underWay() {
      return s.step > 0 && s.phase !== "ended";
    },
    update(m) {
      if (!applyStaff(s, m)) return;
      if (m.type === "bingo.claim_checked") {
        const name = nameOf(ctx, people, m.participant);
        announce(m.valid ? t("bingo-console-claim-valid", { name }) : t("bingo-console-claim-false", { name }));
      }
      render();
    },
    people(map) {
      people = map;
      render();
    },
  };
}
