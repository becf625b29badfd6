// Bingo des Open Badges: what the phone's grid, the projector and the facilitator's console
// share (helpers, the staff's state), and the mount every role's module exports.
// Contract: see activities.js. Each screen builds its DOM once and then updates it in place,
// so focus survives every event and nothing jumps around; a `welcome` mounts it afresh from
// the snapshot (the game's view), and `update()` applies the `bingo.*` events (deltas).
// Every text comes from locales/*/bingo.ftl through ctx.t. One module per role (phone.js,
// screen.js, console.js), so a phone never downloads the projector's or the console's code.

export const PRIZES = ["first_line", "two_lines", "full_card"];
export const SIDE = 5;
export const CELLS = SIDE * SIDE;

// The control that had the focus when the previous mount was destroyed (a reconnect re-mounts).
let refocusKey = null;

/** The `mount(role, container, ctx)` of a role's module, around its screen. */
export function mounter(screen) {
  return (role, container, ctx) => mountScreen(screen, container, ctx);
}

function mountScreen(screen, container, ctx) {
  const instance = screen(container, ctx);
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

export function h(tag, props = {}, ...children) {
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
export function fill(node, ...children) {
  node.replaceChildren(...children.filter((c) => c != null && c !== false));
}

export function texts(ctx) {
  const cards = ctx.deck?.cards || {};
  return {
    term: (id) => cards[id]?.term ?? id,
    definition: (id) => cards[id]?.definition ?? null,
    explanation: (id) => cards[id]?.explanation ?? null,
    number: (id) => cards[id]?.number ?? 0,
  };
}

export function percent(found, of) {
  return of > 0 ? Math.round((100 * found) / of) : 0;
}

export function prizeName(t, prize) {
  return t(`bingo-prize-${prize.replace("_", "-")}`);
}

// "14:32" for a step's clock time (Unix ms, the console's clock); null when unknown.
export function clockTime(lang, at) {
  if (!Number.isFinite(at) || at <= 0) return null;
  try {
    return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" }).format(new Date(at));
  } catch {
    return null;
  }
}

// "Ada, Noor and Tom" in the page's language.
export function listNames(lang, names) {
  try {
    return new Intl.ListFormat(lang, { type: "conjunction" }).format(names);
  } catch {
    return names.join(", ");
  }
}

// When a prize was won: its step, and the step's clock time when the console sent one.
export function prizeWhen(t, lang, award) {
  const time = clockTime(lang, award.at);
  return time ? t("bingo-prize-when", { step: award.step, time }) : t("bingo-prize-when-step", { step: award.step });
}

// Seconds left of the open definition's countdown (`countdown` seconds from `since`, this
// page's clock), or null when there is none.
export function secondsLeft(countdown, since) {
  if (!(countdown > 0) || !Number.isFinite(since)) return null;
  return Math.max(0, Math.ceil((since + countdown * 1000 - Date.now()) / 1000));
}

// Where a snapshot's open definition started on this page's clock: its draw's clock time,
// never later than now (the console's clock may be ahead of this page's).
export function sinceOf(current) {
  return current && !current.revealed && Number.isFinite(current.at) ? Math.min(current.at, Date.now()) : null;
}

// Writes the countdown into `node` (hidden when there is none); the last 5 seconds are urgent.
export function showCountdown(t, node, left) {
  node.hidden = left == null;
  if (left == null) return;
  const text = left > 0 ? t("bingo-countdown-left", { seconds: left }) : t("bingo-countdown-over");
  if (node.textContent !== text) node.textContent = text;
  node.dataset.urgent = left <= 5 ? "true" : "false";
}

// A short rising chime made in the page (Web Audio API, nothing downloaded). Browsers let a
// page sound only after someone clicked or pressed a key in it: `unlockAudio` on that gesture.
export let audio = null;
export function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
  return audio;
}
export function unlockAudio() {
  audioContext()?.resume?.().catch(() => {});
}
export function chime() {
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
export function confetti() {
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
export function setAvailable(button, available) {
  button.setAttribute("aria-disabled", available ? "false" : "true");
}

export function available(button) {
  return button.getAttribute("aria-disabled") !== "true";
}

// The 12 lines of a 5×5 grid as cell indices (rows, columns, two diagonals).
export const LINES = (() => {
  const lines = [];
  for (let i = 0; i < SIDE; i++) {
    lines.push([...Array(SIDE).keys()].map((k) => i * SIDE + k));
    lines.push([...Array(SIDE).keys()].map((k) => k * SIDE + i));
  }
  lines.push([...Array(SIDE).keys()].map((k) => k * SIDE + k));
  lines.push([...Array(SIDE).keys()].map((k) => k * SIDE + (SIDE - 1 - k)));
  return lines;
})();

export function completedLines(marked) {
  return LINES.filter((line) => line.every((cell) => marked.has(cell)));
}

// Soft hyphens at likely syllable breaks of long words, so that "Endossement" or
// "badgesjabloon" break cleanly in a 70-pixel cell even where the browser has no
// hyphenation dictionary. Only opportunities: the browser uses them when a word overflows.
export const VOWELS = "aeiouyàâäéèêëîïôöùûüœæ";
export const ONSETS = ["schr", "chr", "sch", "bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "gn", "ph", "pl", "pr", "th", "tr", "vr", "qu"];

export function softHyphens(text) {
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
export function fitLabels(labels, maxRem, minRem) {
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
// Staff state (console and projector share it)

export function staffState(ctx) {
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
export function applyStaff(s, m) {
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

export function nameOf(ctx, people, id) {
  return people.get(id) ?? people.get(String(id)) ?? ctx.t("bingo-someone", { id });
}

