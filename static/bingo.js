// Bingo des Open Badges: the phone's grid, the projector and the facilitator's controls.
// Contract: see activities.js. Each screen builds its DOM once and then updates it in place,
// so focus survives every event and nothing jumps around; a `welcome` mounts it afresh from
// the snapshot (the game's view), and `update()` applies the `bingo.*` events (deltas).
// Every text comes from locales/*/bingo.ftl through ctx.t.

import { fit, fitOnResize } from "./fit.js";
const PRIZES = ["first_line", "two_lines", "full_card"];
const SIDE = 5;
const CELLS = SIDE * SIDE;

// The control that had the focus when the previous mount was destroyed (a reconnect re-mounts).
let refocusKey = null;

export function mount(role, container, ctx) {
  const screenOf = { phone: phoneScreen, console: consoleScreen, screen: projectorScreen }[role];
  const instance = (screenOf || projectorScreen)(container, ctx);
  if (refocusKey) {
    container.querySelector(`[data-focus-key="${CSS.escape(refocusKey)}"]`)?.focus();
    refocusKey = null;
  }
  return {
    update: instance.update,
    people: instance.people || (() => {}),
    phase: instance.phase || (() => {}),
    underWay: () => Boolean(instance.underWay && instance.underWay()),
    destroy() {
      const active = document.activeElement;
      if (active && container.contains(active) && active.dataset.focusKey) refocusKey = active.dataset.focusKey;
      instance.destroy?.();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "hidden") node.hidden = true;
    // Through the CSSOM: the page's Content-Security-Policy forbids style attributes.
    else if (key === "style") Object.assign(node.style, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c != null && c !== false));
  return node;
}

// replaceChildren without the null/false placeholders of optional parts.
function fill(node, ...children) {
  node.replaceChildren(...children.filter((c) => c != null && c !== false));
}

function texts(ctx) {
  const cards = ctx.deck?.cards || {};
  return {
    term: (id) => cards[id]?.term ?? id,
    definition: (id) => cards[id]?.definition ?? null,
    explanation: (id) => cards[id]?.explanation ?? null,
    number: (id) => cards[id]?.number ?? 0,
  };
}

function percent(found, of) {
  return of > 0 ? Math.round((100 * found) / of) : 0;
}

function prizeName(t, prize) {
  return t(`bingo-prize-${prize.replace("_", "-")}`);
}

// "14:32" for a step's clock time (Unix ms, the console's clock); null when unknown.
function clockTime(lang, at) {
  if (!Number.isFinite(at) || at <= 0) return null;
  try {
    return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" }).format(new Date(at));
  } catch {
    return null;
  }
}

// "Ada, Noor and Tom" in the page's language.
function listNames(lang, names) {
  try {
    return new Intl.ListFormat(lang, { type: "conjunction" }).format(names);
  } catch {
    return names.join(", ");
  }
}

// When a prize was won: its step, and the step's clock time when the console sent one.
function prizeWhen(t, lang, award) {
  const time = clockTime(lang, award.at);
  return time ? t("bingo-prize-when", { step: award.step, time }) : t("bingo-prize-when-step", { step: award.step });
}

// Seconds left of the open definition's countdown (`countdown` seconds from `since`, this
// page's clock), or null when there is none.
function secondsLeft(countdown, since) {
  if (!(countdown > 0) || !Number.isFinite(since)) return null;
  return Math.max(0, Math.ceil((since + countdown * 1000 - Date.now()) / 1000));
}

// Where a snapshot's open definition started on this page's clock: its draw's clock time,
// never later than now (the console's clock may be ahead of this page's).
function sinceOf(current) {
  return current && !current.revealed && Number.isFinite(current.at) ? Math.min(current.at, Date.now()) : null;
}

// Writes the countdown into `node` (hidden when there is none); the last 5 seconds are urgent.
function showCountdown(t, node, left) {
  node.hidden = left == null;
  if (left == null) return;
  const text = left > 0 ? t("bingo-countdown-left", { seconds: left }) : t("bingo-countdown-over");
  if (node.textContent !== text) node.textContent = text;
  node.dataset.urgent = left <= 5 ? "true" : "false";
}

// A short rising chime made in the page (Web Audio API, nothing downloaded). Browsers let a
// page sound only after someone clicked or pressed a key in it: `unlockAudio` on that gesture.
let audio = null;
function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
  return audio;
}
function unlockAudio() {
  audioContext()?.resume?.().catch(() => {});
}
function chime() {
  const ac = audioContext();
  if (!ac) return false;
  ac.resume?.().catch(() => {});
  const start = ac.currentTime + 0.05;
  [523.25, 659.25, 783.99, 1046.5].forEach((frequency, i) => {
    const osc = ac.createOscillator();
    const gain = ac.createGain();
    osc.type = "triangle";
    osc.frequency.value = frequency;
    const t0 = start + i * 0.12;
    const length = i === 3 ? 0.9 : 0.3;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.3, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + length);
    osc.connect(gain).connect(ac.destination);
    osc.start(t0);
    osc.stop(t0 + length + 0.05);
  });
  return true;
}

// Confetti over the winner's banner: decoration only (hidden from assistive technologies),
// shown and animated only when the reader has not asked for reduced motion (bingo.css).
function confetti() {
  const box = h("span", { class: "bs-confetti", "aria-hidden": "true" });
  for (let i = 0; i < 36; i++) {
    const piece = h("i", { class: `c${i % 4}` });
    piece.style.setProperty("--x", `${(i * 37) % 100}%`);
    piece.style.setProperty("--delay", `${((i * 7) % 10) * 0.06}s`);
    piece.style.setProperty("--turn", `${((i * 53) % 360) + 360}deg`);
    piece.style.setProperty("--drift", `${((i * 29) % 9) - 4}rem`);
    box.append(piece);
  }
  return box;
}

// An enabled-looking control that stays focusable when unavailable (aria-disabled), so the
// focus never falls back to the page when the state changes under it.
function setAvailable(button, available) {
  button.setAttribute("aria-disabled", available ? "false" : "true");
}

function available(button) {
  return button.getAttribute("aria-disabled") !== "true";
}

// The 12 lines of a 5×5 grid as cell indices (rows, columns, two diagonals).
const LINES = (() => {
  const lines = [];
  for (let i = 0; i < SIDE; i++) {
    lines.push([...Array(SIDE).keys()].map((k) => i * SIDE + k));
    lines.push([...Array(SIDE).keys()].map((k) => k * SIDE + i));
  }
  lines.push([...Array(SIDE).keys()].map((k) => k * SIDE + k));
  lines.push([...Array(SIDE).keys()].map((k) => k * SIDE + (SIDE - 1 - k)));
  return lines;
})();

function completedLines(marked) {
  return LINES.filter((line) => line.every((cell) => marked.has(cell)));
}

// Soft hyphens at likely syllable breaks of long words, so that "Endossement" or
// "badgesjabloon" break cleanly in a 70-pixel cell even where the browser has no
// hyphenation dictionary. Only opportunities: the browser uses them when a word overflows.
const VOWELS = "aeiouyàâäéèêëîïôöùûüœæ";
const ONSETS = ["schr", "chr", "sch", "bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "gn", "ph", "pl", "pr", "th", "tr", "vr", "qu"];

function softHyphens(text) {
  return text
    .split(" ")
    .map((whole) => {
      // "l'émetteur": only the word after the apostrophe is broken.
      const apostrophe = Math.max(whole.lastIndexOf("'"), whole.lastIndexOf("\u2019")) + 1;
      const prefix = whole.slice(0, apostrophe);
      const word = whole.slice(apostrophe);
      if (word.length < 8) return whole;
      const lower = word.toLowerCase();
      const vowel = (i) => VOWELS.includes(lower[i]);
      const breaks = [];
      let i = 0;
      while (i < word.length && !vowel(i)) i++;
      while (i < word.length) {
        while (i < word.length && vowel(i)) i++;
        const start = i;
        while (i < word.length && !vowel(i)) i++;
        if (i >= word.length || start === i) break;
        const run = lower.slice(start, i);
        let cut = run.length === 1 ? start : i - 1;
        for (const onset of ONSETS) {
          if (run.length > onset.length && run.endsWith(onset)) {
            cut = i - onset.length;
            break;
          }
          if (run === onset) {
            cut = start;
            break;
          }
        }
        if (cut >= 3 && word.length - cut >= 3) breaks.push(cut);
      }
      let out = prefix;
      let last = 0;
      for (const cut of breaks) {
        out += word.slice(last, cut) + "\u00ad";
        last = cut;
      }
      return out + word.slice(last);
    })
    .join(" ");
}

// Shrinks each label until it fits its square cell (long terms on a phone), between max and
// min rem: sizes follow the reader's text size. A term that does not fit even at min breaks
// anywhere, and if it still does not fit its cell grows taller (so does its row): large text
// never hides letters.
function fitLabels(labels, maxRem, minRem) {
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const max = maxRem * rem;
  const min = minRem * rem;
  // scrollWidth/Height are whole pixels and centred text overflows on both sides: compare the
  // text's own lines too (their glyph boxes stick out of the line boxes by half the leading).
  const range = document.createRange();
  const overflows = (label) => {
    if (label.scrollWidth > label.clientWidth || label.scrollHeight > label.clientHeight) return true;
    range.selectNodeContents(label);
    const lines = range.getClientRects();
    if (!lines.length) return false;
    const text = range.getBoundingClientRect();
    const box = label.getBoundingClientRect();
    const leading = Math.max(0, (lines[0].height - parseFloat(getComputedStyle(label).lineHeight)) / 2);
    return text.width > box.width + 0.5 || text.height - 2 * leading > box.height + 0.5;
  };
  for (const label of labels) {
    label.parentElement.classList.remove("tall");
    label.classList.remove("squeezed");
    label.style.fontSize = `${max}px`;
  }
  // A cell grown taller grows its row: a second pass gives every label its final box.
  for (let pass = 0; pass < 2; pass++) {
    for (const label of labels) {
      let size = parseFloat(label.style.fontSize);
      while (size > min && overflows(label)) {
        size -= 0.5;
        label.style.fontSize = `${size}px`;
      }
      if (label.scrollWidth > label.clientWidth) label.classList.add("squeezed");
      if (overflows(label)) label.parentElement.classList.add("tall");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Phone: the personal grid

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

// ---------------------------------------------------------------------------------------------
// Staff state (console and projector share it)

function staffState(ctx) {
  const v = ctx.view || {};
  return {
    mode: v.mode || ctx.session?.bingo_mode || "definition",
    phase: v.phase || "running",
    step: v.step || 0,
    deck: v.deck || Object.keys(ctx.deck?.cards || {}),
    drawn: [...(v.drawn || [])],
    current: v.current ? { ...v.current, result: v.current.result ? { ...v.current.result } : null } : null,
    rounds: (v.rounds || []).map((r) => ({ ...r })),
    active: v.active || 0,
    participants: new Map((v.participants || []).map((p) => [p.id, { ...p }])),
    refused: (v.refused_claims || []).map((r) => ({ ...r })),
    prizes: (v.prizes || []).map((p) => ({ ...p })),
    stats: v.stats || null,
    sound: Boolean(v.sound),
    countdown: v.countdown || 0,
    since: sinceOf(v.current),
    lastPrize: null,
  };
}

// Applies a staff event; returns false for events it does not know.
function applyStaff(s, m) {
  switch (m.type) {
    case "bingo.drawn":
      s.step = m.step;
      s.active = m.active;
      s.current = { step: m.step, card: null, revealed: false, answered: 0, result: null, at: m.at ?? null };
      s.since = Date.now();
      if (Number.isInteger(m.countdown)) s.countdown = m.countdown;
      s.lastPrize = null;
      return true;
    case "bingo.definition":
      if (s.current && s.current.step === m.step) s.current.card = m.card;
      if (!s.drawn.includes(m.card)) s.drawn.push(m.card);
      return true;
    case "bingo.answers":
      if (s.current && s.current.step === m.step) s.current.answered = m.answered;
      s.active = m.of;
      return true;
    case "bingo.revealed": {
      const result = { found: m.found, answered: m.answered, of: m.of };
      if (!s.current || s.current.step !== m.step) s.current = { step: m.step, card: m.card, answered: m.answered };
      Object.assign(s.current, { card: m.card, revealed: true, result });
      if (!s.rounds.some((r) => r.step === m.step)) s.rounds.push({ step: m.step, card: m.card, ...result });
      if (!s.drawn.includes(m.card)) s.drawn.push(m.card);
      return true;
    }
    case "bingo.called":
      s.step = m.step;
      if (!s.drawn.includes(m.card)) s.drawn.push(m.card);
      s.lastPrize = null;
      return true;
    case "bingo.claim_checked":
      if (!m.valid) s.refused.push({ participant: m.participant, step: m.step });
      return true;
    case "bingo.prize": {
      const award = s.prizes.find((p) => p.prize === m.prize);
      if (award) Object.assign(award, { step: m.step, winners: m.winners, at: m.at ?? null });
      else s.prizes.push({ prize: m.prize, step: m.step, winners: m.winners, at: m.at ?? null });
      // One claim can win several prizes at once (several events): the banner names them all.
      const prev = s.lastPrize;
      const same = prev && prev.step === m.step && prev.winner === m.new_winner && !prev.prizes.includes(m.prize);
      s.lastPrize = { prize: m.prize, prizes: same ? [...prev.prizes, m.prize] : [m.prize], step: m.step, winner: m.new_winner, winners: [...m.winners] };
      return true;
    }
    case "bingo.sound":
      s.sound = Boolean(m.on);
      return true;
    case "bingo.countdown":
      s.countdown = m.seconds;
      return true;
    case "bingo.participant":
      if (m.participant) s.participants.set(m.participant.id, { ...m.participant });
      s.active = m.active;
      return true;
    case "bingo.phase":
      s.phase = m.phase;
      return true;
    case "bingo.ended":
      s.phase = "ended";
      s.stats = m.stats;
      if (m.stats?.prizes) s.prizes = m.stats.prizes.map((p) => ({ ...p }));
      return true;
    default:
      return false;
  }
}

function nameOf(ctx, people, id) {
  return people.get(id) ?? people.get(String(id)) ?? ctx.t("bingo-someone", { id });
}

// ---------------------------------------------------------------------------------------------
// Projector

function projectorScreen(container, ctx) {
  const { t } = ctx;
  const tx = texts(ctx);
  const s = staffState(ctx);
  let people = ctx.people || new Map();
  const listening = s.mode === "listening";

  const progress = h("span", { class: "bs-progress" });
  const answers = h("span", { class: "bs-answers", "aria-live": "off" });
  const countdown = h("span", { class: "bs-countdown", role: "timer", "aria-live": "off", hidden: true });
  const stage = h("section", { class: "bs-stage" });
  const prizesBox = h("aside", { class: "bs-prizes", "aria-labelledby": "bingo-screen-prizes" });
  // The win: the winners' names in large type across the screen, with confetti (bingo.css).
  const banner = h("p", { class: "bs-banner", hidden: true });
  // The win is said once, politely, to screen readers (the banner itself is not live).
  const live = h("p", { class: "visually-hidden", "aria-live": "polite", "data-live": "win" });
  const soundHint = h("p", { class: "bs-sound-hint", hidden: true, text: t("bingo-screen-sound-hint") });
  const pause = h("div", { class: "bs-paused", hidden: true }, h("p", { text: t("bingo-screen-paused") }), h("p", { class: "bs-paused-sub", text: t("bingo-screen-paused-sub") }));
  const root = h(
    "div",
    { class: `bingo-screen ${listening ? "mode-listening" : "mode-definition"}`, "data-chimes": "0" },
    h("header", { class: "bs-top" }, progress, countdown, answers),
    // The win's banner heads the stage's column: the prizes keep the whole side.
    h("div", { class: "bs-main" }, h("div", { class: "bs-left" }, banner, stage), h("div", { class: "bs-side" }, prizesBox, soundHint)),
    live,
    pause,
  );
  container.append(root);
  const stopFitting = fitOnResize(root);

  // Sound: a click or a key on the projector page lets it play (browsers' autoplay rule).
  const unlock = () => {
    if (!s.sound) return;
    unlockAudio();
    renderSound();
  };
  document.addEventListener("pointerdown", unlock);
  document.addEventListener("keydown", unlock);
  function renderSound() {
    // Asks for a click only when the sound is on and the browser still holds it back.
    soundHint.hidden = !s.sound || (audio != null && audio.state === "running");
    if (s.sound && audio == null) {
      audioContext();
      if (audio) audio.onstatechange = renderSound;
      soundHint.hidden = !audio || audio.state === "running";
    }
  }

  function tickCountdown() {
    const open = !listening && s.phase === "running" && s.current && !s.current.revealed;
    showCountdown(t, countdown, open ? secondsLeft(s.countdown, s.since) : null);
  }
  const countdownTimer = setInterval(tickCountdown, 250);
  let cheerTimer = null;

  // The banner is rebuilt only when its winners change, so its animation plays once.
  function renderBanner() {
    const last = s.lastPrize;
    if (!last || s.phase === "ended") {
      banner.hidden = true;
      banner.dataset.key = "";
      return;
    }
    const names = listNames(ctx.lang, (last.winners?.length ? last.winners : [last.winner]).map((id) => nameOf(ctx, people, id)));
    const prizes = listNames(ctx.lang, last.prizes.map((prize) => prizeName(t, prize)));
    const key = `${prizes}|${names}`;
    banner.hidden = false;
    if (banner.dataset.key === key) return;
    banner.dataset.key = key;
    banner.dataset.prize = last.prize;
    // The sentence from the messages, with the names set apart in large type.
    const mark = "\u0001";
    const [before, after = ""] = t("bingo-screen-winner", { name: mark, prize: prizes }).split(mark);
    // The punctuation joining the names to the prize is kept in the text but not shown: the
    // prize has its own line under the names.
    const [, joint, prize] = after.match(/^([\s:：,;–—-]*)([\s\S]*)$/);
    fill(banner,
      h("span", { class: "bs-win-lead", text: before }),
      h("strong", { class: "bs-win-name", text: names }),
      h("span", { class: "bs-win-joint", text: joint }),
      h("span", { class: "bs-win-prize", text: prize }),
      confetti(),
    );
  }

  function stageIdle() {
    return [
      h("p", { class: "bs-kicker", text: t("bingo-screen-ready") }),
      h(
        "ol",
        { class: "bs-rules" },
        ...(listening
          ? [t("bingo-rule-grid"), t("bingo-rule-listening"), t("bingo-rule-claim")]
          : [t("bingo-rule-grid"), t("bingo-rule-definition"), t("bingo-rule-claim")]
        ).map((text) => h("li", { text })),
      ),
    ];
  }

  function stageDefinition() {
    const c = s.current;
    const definition = c.card ? tx.definition(c.card) : null;
    const parts = [
      h("p", { class: "bs-kicker", text: t(c.revealed ? "bingo-screen-answer" : "bingo-screen-question") }),
      // Once answered, the definition gives way first (to a win's banner on a small screen).
      h("blockquote", { class: `bs-definition ${c.revealed ? "small" : ""}`, "data-fit": c.revealed ? "1" : null, text: definition ?? t("bingo-screen-listen") }),
    ];
    if (c.revealed && c.result) {
      const rate = percent(c.result.found, c.result.of);
      parts.push(
        h("p", { class: "bs-term", text: tx.term(c.card) }),
        h(
          "div",
          { class: "bs-rate" },
          h("div", { class: "bs-bar", role: "img", "aria-label": `${rate} %` }, h("span", { style: { width: `${rate}%` } })),
          h("p", { text: t("bingo-screen-found", { found: c.result.found, of: c.result.of, percent: rate }) }),
        ),
      );
    }
    return parts;
  }

  function stageListening() {
    const last = s.drawn[s.drawn.length - 1];
    return [
      h("p", { class: "bs-kicker", text: t("bingo-screen-last-called") }),
      h("p", { class: "bs-term", text: tx.term(last) }),
      h("ul", { class: "bs-called" }, ...s.drawn.slice(0, -1).reverse().map((card) => h("li", { text: tx.term(card) }))),
    ];
  }

  function stageEnded() {
    const hardest = s.stats?.hardest || [];
    if (!hardest.length) return [h("p", { class: "bs-kicker", text: t("bingo-screen-ended") })];
    return [
      h("p", { class: "bs-kicker", text: t("bingo-screen-ended") }),
      h("h2", { class: "bs-debrief-title", text: t("bingo-hardest-title") }),
      h(
        "ol",
        { class: "bs-hardest" },
        ...hardest.map((c) => {
          const rate = percent(c.found, c.of);
          return h(
            "li",
            {},
            h("p", { class: "bs-hard-term", text: tx.term(c.card) }),
            h("p", { class: "bs-hard-rate", text: t("bingo-screen-found", { found: c.found, of: c.of, percent: rate }) }),
            h("div", { class: "bs-bar", role: "img", "aria-label": `${rate} %` }, h("span", { style: { width: `${rate}%` } })),
            // The definitions give way first on a small screen (the facilitator reads them).
            tx.definition(c.card) ? h("p", { class: "bs-hard-definition", "data-fit": "1", text: tx.definition(c.card) }) : null,
          );
        }),
      ),
    ];
  }

  function render() {
    root.dataset.phase = s.phase;
    progress.textContent = listening
      ? t("bingo-screen-progress-listening", { called: s.drawn.length, total: CELLS })
      : t("bingo-screen-progress", { step: s.step, total: CELLS });
    const open = !listening && s.current && !s.current.revealed && s.phase !== "ended";
    answers.textContent = open ? t("bingo-screen-answers", { answered: s.current.answered || 0, of: s.active }) : t("bingo-screen-players", { count: s.active });
    answers.classList.toggle("live", Boolean(open));
    stage.dataset.view =
      s.phase === "ended" ? "ended" : listening ? (s.drawn.length ? "listening" : "idle") : s.current ? (s.current.revealed ? "revealed" : "definition") : "idle";
    fill(stage,
      ...(s.phase === "ended"
        ? stageEnded()
        : listening
          ? s.drawn.length
            ? stageListening()
            : stageIdle()
          : s.current
            ? stageDefinition()
            : stageIdle()),
    );
    fill(prizesBox,
      h("h2", { id: "bingo-screen-prizes", text: t("bingo-prizes-title") }),
      ...PRIZES.map((prize) => {
        const award = s.prizes.find((p) => p.prize === prize);
        return h(
          "section",
          { class: `bs-prize ${award ? "won" : "open"}`, "data-prize": prize },
          h("h3", { text: prizeName(t, prize) }),
          award
            ? h("ul", { class: "bs-winners" }, ...award.winners.map((id) => h("li", { text: nameOf(ctx, people, id) })))
            : h("p", { class: "bs-open", text: t("bingo-prize-to-win") }),
          award ? h("p", { class: "bs-when", text: prizeWhen(t, ctx.lang, award) }) : null,
        );
      }),
    );
    pause.hidden = s.phase !== "paused";
    renderBanner();
    renderSound();
    tickCountdown();
    fit(root);
  }

  render();
  return {
    update(m) {
      if (!applyStaff(s, m)) return;
      render();
      if (m.type === "bingo.prize") {
        // The prizes of one claim arrive as several events: one announcement, one chime.
        clearTimeout(cheerTimer);
        cheerTimer = setTimeout(() => {
          const last = s.lastPrize;
          if (!last) return;
          const names = listNames(ctx.lang, last.winners.map((id) => nameOf(ctx, people, id)));
          const prizes = listNames(ctx.lang, last.prizes.map((prize) => prizeName(t, prize)));
          live.textContent = t("bingo-screen-winner", { name: names, prize: prizes });
          if (s.sound && chime()) root.dataset.chimes = String(Number(root.dataset.chimes) + 1);
        }, 200);
      }
    },
    people(map) {
      people = map;
      render();
    },
    destroy() {
      clearInterval(countdownTimer);
      clearTimeout(cheerTimer);
      stopFitting();
      document.removeEventListener("pointerdown", unlock);
      document.removeEventListener("keydown", unlock);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Facilitator console

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
