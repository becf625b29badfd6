// Fresque de la reconnaissance: the phone: the scenario, my hand and my team's timeline (the model and helpers in common.js).
import Sortable from "../vendor/sortablejs/index.js";
import {
  HIGHLIGHT_MS,
  PENDING_MS,
  applyIntent,
  h,
  helpers,
  mounter,
  reducedMotion,
  setAttr,
  setText,
  syncKeyed,
} from "./common.js";

export const mount = mounter(phoneScreen);

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
