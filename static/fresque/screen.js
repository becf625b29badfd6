// Fresque de la reconnaissance: the projector (the model and helpers in common.js).
import { fit, fitOnResize } from "../fit.js";
import {
  h,
  helpers,
  mounter,
  reducedMotion,
  setText,
} from "./common.js";

export const mount = mounter(projectorScreen);

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
