// Bingo des Open Badges: the phone's personal grid (shared parts in common.js).
import {
  CELLS,
  PRIZES,
  SIDE,
  completedLines,
  fill,
  fitLabels,
  h,
  mounter,
  percent,
  prizeName,
  secondsLeft,
  setAvailable,
  showCountdown,
  sinceOf,
  softHyphens,
  texts,
} from "./common.js";

export const mount = mounter(phoneScreen);

function phoneScreen(container, ctx) {
  const { t, announce, send } = ctx;
  const tx = texts(ctx);
  const v = ctx.view || {};
  const s = {
    joined: v.joined !== false && Array.isArray(v.grid) && v.grid.length === CELLS,
    mode: v.mode || ctx.session?.bingo_mode || "definition",
    phase: v.phase || "running",
    step: v.step || 0,
    grid: v.grid || [],
    marked: new Set(v.marked || []),
    missed: new Set(v.missed || []),
    drawn: [...(v.drawn || [])],
    current: v.current ? { ...v.current } : null,
    countdown: v.countdown || 0,
    since: sinceOf(v.current),
    wrongCell: null, // the cell tapped wrongly for the open definition (this page only)
    sentFor: null, // the step whose answer is on its way
    sentTimer: null,
    myPrizes: new Set(v.my_prizes || []),
    prizes: (v.prizes || []).map((p) => ({ ...p })),
    stats: v.stats || null,
    verdict: null, // "won" | "none" | "false" after a claim, with the prizes won
    verdictPrizes: [],
    notice: null,
  };
  const me = v.id ?? ctx.you?.pid;
  const listening = s.mode === "listening";
  const cellOf = (card) => s.grid.indexOf(card);

  const root = h("div", { class: `bingo-phone ${listening ? "mode-listening" : "mode-definition"}` });
  container.append(root);
  if (!s.joined) {
    root.append(h("p", { class: "bp-prompt", text: t("bingo-phone-not-in-game") }));
    return { update() {} };
  }

  const status = h("p", { class: "bp-status" });
  const promptMain = h("strong", { class: "bp-prompt-main" });
  const promptSub = h("span", { class: "bp-prompt-sub" });
  // The open definition's countdown, in the prompt's corner (it never moves the grid).
  const countdownPill = h("span", { class: "bp-countdown", role: "timer", "aria-live": "off", hidden: true });
  const prompt = h("div", { class: "bp-prompt", id: "bingo-prompt" }, promptMain, promptSub, countdownPill);
  const gridBox = h("div", {
    class: "bp-grid",
    role: "group",
    "aria-label": t("bingo-grid-label"),
    "aria-describedby": "bingo-prompt",
  });
  const cells = s.grid.map((card, index) => {
    const label = h("span", { class: "bp-term", "aria-hidden": "true", text: softHyphens(tx.term(card)) });
    const name = h("span", { class: "visually-hidden" });
    const mark = h("span", { class: "bp-mark", "aria-hidden": "true" });
    const button = h(
      "button",
      {
        type: "button",
        class: "bp-cell",
        "data-card": card,
        "data-cell": index,
        "data-focus-key": `cell-${card}`,
        tabindex: index === 0 ? "0" : "-1",
        onclick: () => tapCell(index),
        onkeydown: (event) => moveFocus(event, index),
      },
      label,
      name,
      mark,
    );
    gridBox.append(button);
    return { button, label, name, card };
  });
  const claimButton = h("button", {
    type: "button",
    class: "bp-claim",
    "data-focus-key": "claim",
    "aria-describedby": "bingo-claim-hint",
    text: t("bingo-claim"),
    onclick: claim,
  });
  const claimHint = h("p", { class: "bp-claim-hint", id: "bingo-claim-hint" });
  const prizeList = h("ul", { class: "bp-prizes", "aria-label": t("bingo-prizes-title") });
  const prizeItems = PRIZES.map((prize) => {
    const item = h("li", { "data-prize": prize });
    prizeList.append(item);
    return item;
  });
  const summary = h("section", { class: "bp-summary", hidden: true, "aria-labelledby": "bingo-summary-title" });
  const claimRow = h("div", { class: "bp-claim-row" }, claimButton, claimHint);
  root.append(status, prompt, gridBox, claimRow, prizeList, summary);

  // Labels are fitted once the grid has a size (the container is hidden while mounting): at
  // once when the host shows it (before anything is painted), and again if the width changes.
  let fittedWidth = 0;
  function fit() {
    const width = gridBox.clientWidth;
    if (width > 0 && width !== fittedWidth) {
      fittedWidth = width;
      fitLabels(
        cells.map((c) => c.label),
        15 / 16,
        9 / 16,
      );
      reserveHeights();
      gridBox.dataset.fitted = String(width);
    }
  }
  const observer = new ResizeObserver(fit);
  observer.observe(gridBox);

  // The boxes that events rewrite (the status line, the prompt, the claim hint) are as tall as
  // their tallest possible text for this width and text size, so that new words never move the
  // grid or the Bingo button (no layout shift). Measured synchronously: nothing is painted
  // before render() puts the real texts back.
  function reserveHeights() {
    const tallest = (el, candidates, cls) => {
      let max = 0;
      for (const text of candidates) {
        if (cls) cls(text);
        el.textContent = text;
        max = Math.max(max, el.getBoundingClientRect().height);
      }
      return max;
    };
    const terms = s.grid.map((card) => tx.term(card));
    const counts = [0, 1, 12, CELLS];
    for (const box of [status, prompt, promptMain, claimHint]) box.style.minHeight = "";
    const statuses = [];
    for (const marks of counts) {
      for (const lines of counts) {
        for (const step of [0, 1, CELLS]) {
          statuses.push(
            listening
              ? t("bingo-phone-status-listening", { called: step, marks, lines })
              : t("bingo-phone-status", { step, remaining: CELLS - step, marks, lines }),
          );
        }
      }
    }
    const statusHeight = tallest(status, statuses);
    const mains = [t("bingo-phone-paused"), t("bingo-phone-ended")];
    const subs = ["", t("bingo-phone-paused-sub"), t("bingo-phone-ended-sub")];
    if (listening) {
      mains.push(t("bingo-phone-listening-start"), ...terms.map((term) => t("bingo-phone-called", { term })));
      subs.push(t("bingo-phone-listening-how"));
    } else {
      mains.push(
        t("bingo-phone-wait-first"),
        t("bingo-phone-listen", { step: CELLS }),
        t("bingo-phone-sending"),
        t("bingo-phone-right"),
        t("bingo-phone-wrong"),
        ...terms.flatMap((term) => [t("bingo-phone-revealed-found", { term }), t("bingo-phone-revealed-missed", { term })]),
      );
      subs.push(t("bingo-phone-how"), t("bingo-phone-tap-once"), t("bingo-phone-wait-reveal"), t("bingo-phone-wait-next"));
    }
    const notices = [
      t("bingo-phone-paused"),
      t("bingo-phone-ended"),
      t("bingo-notice-already-marked"),
      t("bingo-notice-cell-closed"),
      t("bingo-notice-no-definition"),
      t("bingo-notice-already-answered"),
      t("bingo-notice-offline"),
      t("bingo-claim-hint-none"),
      t("bingo-claim-hint-keep-going"),
      t("bingo-claim-hint-nothing"),
      t("bingo-claim-sent"),
      ...(listening ? terms.map((term) => t("bingo-notice-not-called", { term })) : []),
    ];
    const mainHeight = tallest(promptMain, mains);
    const subHeight = Math.max(
      tallest(promptSub, subs, () => prompt.classList.remove("notice")),
      tallest(promptSub, notices, () => prompt.classList.add("notice")),
    );
    const style = getComputedStyle(prompt);
    const frame = ["paddingTop", "paddingBottom", "borderTopWidth", "borderBottomWidth"].reduce((sum, key) => sum + parseFloat(style[key]), 0);
    const prizes = PRIZES.map((prize) => prizeName(t, prize));
    // Measured in bold, as verdicts are shown.
    const hintHeight = tallest(claimHint, [
      t("bingo-verdict-won", { prizes: prizes.join(", ") }),
      t("bingo-verdict-false"),
      t("bingo-verdict-none"),
      ...prizes.map((prize) => t("bingo-claim-hint-ready", { prize })),
      t("bingo-claim-hint-keep-going"),
      t("bingo-claim-hint-nothing"),
      t("bingo-claim-hint-none"),
    ], () => (claimHint.dataset.verdict = "won"));
    status.style.minHeight = `${statusHeight}px`;
    // The main line keeps its height too, so the line under it never moves either.
    promptMain.style.minHeight = `${mainHeight}px`;
    prompt.style.minHeight = `max(4.4rem, ${mainHeight + subHeight + frame}px)`;
    claimHint.style.minHeight = `max(2.4em, ${hintHeight}px)`;
    render();
  }

  function moveFocus(event, index) {
    const row = Math.floor(index / SIDE);
    const col = index % SIDE;
    const target = {
      ArrowRight: col < SIDE - 1 ? index + 1 : null,
      ArrowLeft: col > 0 ? index - 1 : null,
      ArrowDown: row < SIDE - 1 ? index + SIDE : null,
      ArrowUp: row > 0 ? index - SIDE : null,
      Home: row * SIDE,
      End: row * SIDE + SIDE - 1,
    }[event.key];
    if (target == null) return;
    event.preventDefault();
    cells[index].button.tabIndex = -1;
    cells[target].button.tabIndex = 0;
    cells[target].button.focus();
  }

  function isOpen() {
    return !listening && s.current && !s.current.revealed;
  }

  // Why this cell cannot be played now, or null when a tap is sent.
  function refusal(index) {
    const card = s.grid[index];
    if (s.phase === "paused") return t("bingo-phone-paused");
    if (s.phase === "ended") return t("bingo-phone-ended");
    if (s.marked.has(index)) return t("bingo-notice-already-marked");
    if (listening) return s.drawn.includes(card) ? null : t("bingo-notice-not-called", { term: tx.term(card) });
    if (s.missed.has(index) || s.drawn.includes(card)) return t("bingo-notice-cell-closed");
    if (!isOpen()) return t("bingo-notice-no-definition");
    if (s.current.answered || s.sentFor === s.current.step) return t("bingo-notice-already-answered");
    return null;
  }

  function tapCell(index) {
    const why = refusal(index);
    if (why) {
      s.notice = why;
      announce(why);
      render();
      return;
    }
    const card = s.grid[index];
    const sent = send({ type: listening ? "bingo.mark" : "bingo.tap", card });
    if (!sent) {
      s.notice = t("bingo-notice-offline");
      announce(s.notice);
      render();
      return;
    }
    s.notice = null;
    if (!listening) {
      s.sentFor = s.current.step;
      cells[index].button.dataset.sent = "1";
      // If the answer is refused (the server tells only the shell), allow another try.
      clearTimeout(s.sentTimer);
      s.sentTimer = setTimeout(() => {
        s.sentFor = null;
        render();
      }, 5000);
    }
    render();
  }

  function winnable() {
    const lines = completedLines(s.marked).length;
    const marks = s.marked.size;
    return PRIZES.filter((prize) => {
      if (s.myPrizes.has(prize)) return false;
      const qualifies = prize === "first_line" ? lines >= 1 : prize === "two_lines" ? lines >= 2 : marks === CELLS;
      if (!qualifies) return false;
      const award = s.prizes.find((p) => p.prize === prize);
      return !award || award.step === s.step;
    });
  }

  function claim() {
    if (s.phase !== "running") {
      s.notice = t(s.phase === "paused" ? "bingo-phone-paused" : "bingo-phone-ended");
    } else if (completedLines(s.marked).length === 0) {
      s.notice = t("bingo-claim-hint-none");
    } else if (winnable().length === 0) {
      s.notice = t(s.myPrizes.size > 0 ? "bingo-claim-hint-keep-going" : "bingo-claim-hint-nothing");
    } else if (!send({ type: "bingo.claim" })) {
      s.notice = t("bingo-notice-offline");
    } else {
      s.notice = t("bingo-claim-sent");
    }
    announce(s.notice);
    render();
  }

  function promptTexts() {
    if (s.phase === "ended") return [t("bingo-phone-ended"), t("bingo-phone-ended-sub")];
    if (s.phase === "paused") return [t("bingo-phone-paused"), t("bingo-phone-paused-sub")];
    if (listening) {
      const last = s.drawn[s.drawn.length - 1];
      if (!last) return [t("bingo-phone-listening-start"), t("bingo-phone-listening-how")];
      return [t("bingo-phone-called", { term: tx.term(last) }), t("bingo-phone-listening-how")];
    }
    const c = s.current;
    if (!c) return [t("bingo-phone-wait-first"), t("bingo-phone-how")];
    if (c.revealed) {
      const cell = cellOf(c.card);
      const found = s.marked.has(cell);
      return [
        t(found ? "bingo-phone-revealed-found" : "bingo-phone-revealed-missed", { term: tx.term(c.card) }),
        t("bingo-phone-wait-next"),
      ];
    }
    if (c.answered) {
      return c.correct
        ? [t("bingo-phone-right"), t("bingo-phone-wait-reveal")]
        : [t("bingo-phone-wrong"), t("bingo-phone-wait-reveal")];
    }
    if (s.sentFor === c.step) return [t("bingo-phone-sending"), ""];
    return [t("bingo-phone-listen", { step: c.step }), t("bingo-phone-tap-once")];
  }

  function tickCountdown() {
    const shown = !listening && s.phase === "running" && s.current && !s.current.revealed;
    showCountdown(t, countdownPill, shown ? secondsLeft(s.countdown, s.since) : null);
    prompt.classList.toggle("has-countdown", !countdownPill.hidden);
  }
  const countdownTimer = setInterval(tickCountdown, 250);

  function render() {
    tickCountdown();
    const open = isOpen() && s.phase === "running" && !s.current.answered && s.sentFor !== s.current.step;
    const inLine = new Set(completedLines(s.marked).flat());
    const lines = completedLines(s.marked).length;
    status.textContent = listening
      ? t("bingo-phone-status-listening", { called: s.drawn.length, marks: s.marked.size, lines })
      : t("bingo-phone-status", { step: s.step, remaining: CELLS - s.step, marks: s.marked.size, lines });
    const [main, sub] = promptTexts();
    promptMain.textContent = main;
    promptSub.textContent = s.notice || sub;
    prompt.classList.toggle("notice", Boolean(s.notice));
    prompt.dataset.state =
      s.phase !== "running"
        ? s.phase
        : listening
          ? "listening"
          : !s.current
            ? "waiting"
            : s.current.revealed
              ? "revealed"
              : s.current.answered
                ? s.current.correct
                  ? "right"
                  : "wrong"
                : "open";
    gridBox.classList.toggle("open", open);
    gridBox.classList.toggle("frozen", s.phase !== "running");
    for (const [index, cell] of cells.entries()) {
      const marked = s.marked.has(index);
      const missed = s.missed.has(index);
      const wrong = isOpen() && s.wrongCell === index;
      const playable = listening
        ? s.phase === "running" && !marked
        : open && !marked && !missed && !s.drawn.includes(cell.card);
      const b = cell.button;
      b.classList.toggle("marked", marked);
      b.classList.toggle("missed", missed);
      b.classList.toggle("wrong", wrong);
      b.classList.toggle("in-line", inLine.has(index));
      b.classList.toggle("sending", !listening && s.sentFor != null && s.sentFor === s.current?.step && !s.current.answered && b.dataset.sent === "1");
      b.setAttribute("aria-pressed", marked ? "true" : "false");
      setAvailable(b, playable);
      const state = marked ? t("bingo-cell-marked") : missed ? t("bingo-cell-missed") : wrong ? t("bingo-cell-wrong") : "";
      cell.name.textContent = `${tx.term(cell.card)}${state ? `, ${state}` : ""}, ${t("bingo-cell-position", {
        row: Math.floor(index / SIDE) + 1,
        column: (index % SIDE) + 1,
      })}`;
      b.querySelector(".bp-mark").textContent = marked ? "✓" : missed ? "–" : wrong ? "✗" : "";
    }
    const canWin = s.phase === "running" ? winnable() : [];
    setAvailable(claimButton, canWin.length > 0);
    claimButton.classList.toggle("ready", canWin.length > 0);
    claimRow.hidden = s.phase === "ended";
    claimHint.textContent =
      s.verdict === "won"
        ? t("bingo-verdict-won", { prizes: s.verdictPrizes.map((p) => prizeName(t, p)).join(", ") })
        : s.verdict === "false"
          ? t("bingo-verdict-false")
          : s.verdict === "none"
            ? t("bingo-verdict-none")
            : canWin.length > 0
              ? t("bingo-claim-hint-ready", { prize: prizeName(t, canWin[0]) })
              : lines > 0
                ? t(s.myPrizes.size > 0 ? "bingo-claim-hint-keep-going" : "bingo-claim-hint-nothing")
                : t("bingo-claim-hint-none");
    claimHint.dataset.verdict = s.verdict || "";
    for (const [i, prize] of PRIZES.entries()) {
      const award = s.prizes.find((p) => p.prize === prize);
      const mine = s.myPrizes.has(prize);
      const item = prizeItems[i];
      item.className = mine ? "mine" : award ? "won" : "open";
      item.textContent = mine
        ? t("bingo-prize-status-mine", { prize: prizeName(t, prize) })
        : award
          ? t("bingo-prize-status-won", { prize: prizeName(t, prize), count: award.winners.length })
          : t("bingo-prize-status-open", { prize: prizeName(t, prize) });
    }
    renderSummary();
  }

  function renderSummary() {
    summary.hidden = s.phase !== "ended";
    if (summary.hidden) return;
    const lines = completedLines(s.marked).length;
    const hardest = s.stats?.hardest || [];
    fill(summary,
      h("h2", { id: "bingo-summary-title", text: t("bingo-phone-summary-title") }),
      h("p", { text: t("bingo-phone-summary", { marks: s.marked.size, lines }) }),
      h("p", {
        text:
          s.myPrizes.size > 0
            ? t("bingo-phone-summary-prizes", { prizes: PRIZES.filter((p) => s.myPrizes.has(p)).map((p) => prizeName(t, p)).join(", ") })
            : t("bingo-phone-summary-no-prize"),
      }),
      hardest.length ? h("h3", { text: t("bingo-hardest-title") }) : null,
      hardest.length
        ? h(
            "ol",
            {},
            ...hardest.map((c) => h("li", { text: t("bingo-hardest-item", { term: tx.term(c.card), percent: percent(c.found, c.of) }) })),
          )
        : null,
    );
  }

  function clearVerdict() {
    s.verdict = null;
    s.verdictPrizes = [];
  }

  function update(m) {
    switch (m.type) {
      case "bingo.drawn":
        s.step = m.step;
        s.current = { step: m.step, revealed: false, card: null, answered: false, correct: null };
        s.since = Date.now();
        if (Number.isInteger(m.countdown)) s.countdown = m.countdown;
        s.wrongCell = null;
        s.sentFor = null;
        s.notice = null;
        clearVerdict();
        for (const cell of cells) delete cell.button.dataset.sent;
        announce(t("bingo-announce-drawn", { step: m.step }));
        break;
      case "bingo.tapped": {
        if (s.current && s.current.step === m.step) {
          s.current.answered = true;
          s.current.correct = m.correct;
        }
        s.sentFor = null;
        s.notice = null;
        if (m.correct) s.marked.add(m.cell);
        else s.wrongCell = m.cell;
        const text = m.correct ? t("bingo-announce-right", { term: tx.term(m.card) }) : t("bingo-announce-wrong", { term: tx.term(m.card) });
        announce(m.correct && winnable().length ? `${text} ${t("bingo-announce-line")}` : text);
        break;
      }
      case "bingo.revealed": {
        const cell = cellOf(m.card);
        if (!s.drawn.includes(m.card)) s.drawn.push(m.card);
        if (cell >= 0 && !s.marked.has(cell)) s.missed.add(cell);
        s.current = { ...(s.current || {}), step: m.step, revealed: true, card: m.card, answered: s.current?.answered ?? false };
        s.wrongCell = null;
        s.sentFor = null;
        s.notice = null;
        announce(
          t(s.marked.has(cell) ? "bingo-phone-revealed-found" : "bingo-phone-revealed-missed", { term: tx.term(m.card) }),
        );
        break;
      }
      case "bingo.called":
        s.step = m.step;
        if (!s.drawn.includes(m.card)) s.drawn.push(m.card);
        s.notice = null;
        clearVerdict();
        announce(t("bingo-phone-called", { term: tx.term(m.card) }));
        break;
      case "bingo.marked": {
        s.marked.add(m.cell);
        s.notice = null;
        const text = t("bingo-announce-marked", { term: tx.term(m.card) });
        announce(winnable().length ? `${text} ${t("bingo-announce-line")}` : text);
        break;
      }
      case "bingo.claim_checked":
        if (m.participant !== me) return;
        s.notice = null;
        s.verdict = !m.valid ? "false" : m.awarded.length ? "won" : "none";
        s.verdictPrizes = m.awarded;
        for (const p of m.awarded) s.myPrizes.add(p);
        announce(
          s.verdict === "won"
            ? t("bingo-verdict-won", { prizes: m.awarded.map((p) => prizeName(t, p)).join(", ") })
            : t(s.verdict === "false" ? "bingo-verdict-false" : "bingo-verdict-none"),
        );
        break;
      case "bingo.prize": {
        const award = s.prizes.find((p) => p.prize === m.prize);
        if (award) Object.assign(award, { step: m.step, winners: m.winners });
        else s.prizes.push({ prize: m.prize, step: m.step, winners: m.winners });
        if (m.winners.includes(me)) s.myPrizes.add(m.prize);
        if (m.new_winner !== me) announce(t("bingo-announce-prize", { prize: prizeName(t, m.prize), count: m.winners.length }));
        break;
      }
      case "bingo.countdown":
        s.countdown = m.seconds;
        break;
      case "bingo.phase":
        s.phase = m.phase;
        s.notice = null;
        announce(t(m.phase === "paused" ? "bingo-phone-paused" : "bingo-announce-resumed"));
        break;
      case "bingo.ended":
        s.phase = "ended";
        s.stats = m.stats;
        s.notice = null;
        if (m.stats?.prizes) s.prizes = m.stats.prizes.map((p) => ({ ...p }));
        announce(t("bingo-phone-ended"));
        break;
      default:
        return;
    }
    render();
  }

  render();
  fit();
  return {
    update,
    phase: fit,
    destroy() {
      observer.disconnect();
      clearTimeout(s.sentTimer);
      clearInterval(countdownTimer);
    },
  };
}
