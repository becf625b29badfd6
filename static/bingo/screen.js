// Bingo des Open Badges: the projector (shared parts in common.js).
import { fit, fitOnResize } from "../fit.js";
import {
  CELLS,
  PRIZES,
  applyStaff,
  audio,
  audioContext,
  chime,
  confetti,
  fill,
  h,
  listNames,
  mounter,
  nameOf,
  percent,
  prizeName,
  prizeWhen,
  secondsLeft,
  showCountdown,
  staffState,
  texts,
  unlockAudio,
} from "./common.js";

export const mount = mounter(projectorScreen);

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
  const soundHint = h("p", { class: "bs-sound-hint", hidden: true, "data-fit": "2", text: t("bingo-screen-sound-hint") });
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
  // The win's entrance (a pop, confetti) is laid out larger while it plays: fit again after,
  // once per frame however many of its pieces end together.
  let refit = null;
  banner.addEventListener("animationend", () => {
    refit ??= requestAnimationFrame(() => {
      refit = null;
      fit(root);
    });
  });

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
    // With a banner, an open definition takes a smaller (never under 28 px) size: both fit.
    root.classList.toggle("has-banner", Boolean(last) && s.phase !== "ended");
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
      if (refit) cancelAnimationFrame(refit);
      document.removeEventListener("pointerdown", unlock);
      document.removeEventListener("keydown", unlock);
    },
  };
}
