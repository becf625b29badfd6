// Anonymous feedback, after the badge.
//
//   mount(container, {token, session, t, announce}) -> {destroy()}
//     The phone's form: an overall rating and one per activity played (radio buttons 1–5 with
//     words, not stars only), an optional comment with a live character count, sent to
//     POST /api/feedback; then a thank-you. The resume token authorises it; the server stores
//     the feedback without the name.
//
//   mountStats(container, {t, code, screenKey?, staff?}) -> {update(message) -> bool, destroy()}
//     Live figures for the projector and the console: count and average (`feedback.stats`),
//     and the comments when the facilitator shows them (`feedback.comments`). With `staff`,
//     a toggle button shows or hides the comments on the projector.

const COMMENT_MAX = 2000;
const RATINGS = [1, 2, 3, 4, 5];

function loadStyles() {
  if (document.querySelector('link[data-feedback-css]')) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  // Its hashed URL, through the page's import map (src/web/assets.rs).
  link.href = import.meta.resolve("./feedback.css");
  link.dataset.feedbackCss = "";
  document.head.append(link);
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("aria-") || key.startsWith("data-") || key === "for" || key === "role") node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

// Characters as the server counts them (Unicode code points, not UTF-16 units).
const length = (text) => [...text].length;

let uid = 0;

// A 1–5 scale as native radio buttons in a fieldset: arrow keys move between them, screen
// readers announce "4 – Good, 4 of 5". The tiles show the numbers; the ends of the scale and
// the chosen value are spelt out beneath (words do not fit in five tiles on a small phone).
function scale(name, legendText, t, { optional = false } = {}) {
  const id = `fb-${name}-${++uid}`;
  const legend = el("legend", { id: `${id}-legend` }, legendText);
  if (optional) legend.append(" ", el("span", { class: "fb-optional", text: t("feedback-optional") }));
  const choices = el("div", { class: "fb-scale" });
  const word = (rating) => t(`feedback-rating-${rating}`);
  for (const rating of RATINGS) {
    const input = el("input", { type: "radio", name, value: String(rating), id: `${id}-${rating}` });
    input.setAttribute("aria-label", `${rating} – ${word(rating)}`);
    const label = el("label", { for: input.id, class: `fb-choice r${rating}`, title: word(rating) }, el("span", { class: "fb-num", "aria-hidden": "true", text: String(rating) }));
    choices.append(el("div", { class: "fb-option" }, input, label));
  }
  const ends = el(
    "div",
    { class: "fb-ends", "aria-hidden": "true" },
    el("span", { text: `1 = ${word(1)}` }),
    el("span", { text: `5 = ${word(5)}` }),
  );
  const picked = el("p", { class: "fb-picked", "aria-hidden": "true" });
  const fieldset = el("fieldset", { class: "fb-rating", "data-name": name }, legend, choices, ends, picked);
  fieldset.addEventListener("change", (event) => {
    const rating = Number(event.target.value);
    picked.textContent = `${rating} – ${word(rating)}`;
    picked.className = `fb-picked r${rating}`;
  });
  return fieldset;
}

function chosen(form, name) {
  const input = form.querySelector(`input[name="${name}"]:checked`);
  return input ? Number(input.value) : null;
}

export function mount(container, { token, session, t, announce = () => {} }) {
  loadStyles();
  const code = session?.code || "";
  const sentKey = `atelier:feedback:${code}`;
  const activities = (session?.activities || []).filter((a) => typeof a === "string");
  const root = el("section", { class: "feedback", "aria-labelledby": `fb-title-${++uid}` });
  const titleId = root.getAttribute("aria-labelledby");
  container.append(root);
  let destroyed = false;

  function thanks(message) {
    const heading = el("h2", { id: titleId, tabIndex: -1, text: t("feedback-thanks-title") });
    root.replaceChildren(
      el("div", { class: "fb-thanks card" }, el("div", { class: "fb-check", "aria-hidden": "true", text: "✓" }), heading, el("p", { text: message || t("feedback-thanks") })),
    );
    heading.focus();
    announce(`${t("feedback-thanks-title")} ${message || t("feedback-thanks")}`);
  }

  function form() {
    const error = el("p", { class: "error fb-error", role: "alert" });
    const commentId = `fb-comment-${++uid}`;
    const comment = el("textarea", { id: commentId, name: "comment", rows: 5, "aria-describedby": `${commentId}-count` });
    const count = el("p", { id: `${commentId}-count`, class: "fb-count", text: t("feedback-count", { count: 0, max: COMMENT_MAX }) });
    const send = el("button", { type: "submit", class: "fb-send", text: t("feedback-send") });
    const fields = [scale("overall", t("feedback-overall"), t)];
    for (const activity of activities) {
      fields.push(scale(`rating-${activity}`, t("feedback-activity", { activity: t(`phase-${activity}`) }), t, { optional: true }));
    }
    const formEl = el(
      "form",
      { class: "fb-form card", noValidate: true },
      el("h2", { id: titleId, tabIndex: -1, text: t("feedback-title") }),
      el("p", { class: "fb-intro", text: t("feedback-intro") }),
      ...fields,
      el("label", { for: commentId, class: "fb-comment-label" }, t("feedback-comment"), " ", el("span", { class: "fb-optional", text: t("feedback-optional") })),
      comment,
      count,
      error,
      send,
      el("p", { class: "fb-privacy standalone" }, el("a", { href: "/privacy", target: "_blank", rel: "noopener", text: t("feedback-privacy") })),
    );

    // Live count; screen readers hear it only near the limit, not on every key.
    let lastBand = 0;
    comment.addEventListener("input", () => {
      const n = length(comment.value);
      const over = n - COMMENT_MAX;
      count.textContent = over > 0 ? t("feedback-count-over", { over }) : t("feedback-count", { count: n, max: COMMENT_MAX });
      count.classList.toggle("over", over > 0);
      comment.setAttribute("aria-invalid", over > 0 ? "true" : "false");
      const band = over > 0 ? 3 : n >= COMMENT_MAX - 50 ? 2 : n >= COMMENT_MAX - 200 ? 1 : 0;
      if (band > lastBand) announce(over > 0 ? t("feedback-count-over", { over }) : t("feedback-count-left", { left: COMMENT_MAX - n }));
      lastBand = band;
    });
    formEl.addEventListener("change", (event) => {
      if (event.target.name === "overall") {
        error.textContent = "";
        formEl.querySelector('[data-name="overall"]').classList.remove("invalid");
      }
    });

    formEl.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      const overall = chosen(formEl, "overall");
      if (!overall) {
        error.textContent = t("feedback-error-overall");
        formEl.querySelector('[data-name="overall"]').classList.add("invalid");
        formEl.querySelector('input[name="overall"]').focus();
        return;
      }
      if (length(comment.value) > COMMENT_MAX) {
        error.textContent = t("feedback-error-comment_too_long");
        comment.focus();
        return;
      }
      const ratings = {};
      for (const activity of activities) {
        const value = chosen(formEl, `rating-${activity}`);
        if (value) ratings[activity] = value;
      }
      const body = { token, overall, activities: ratings, lang: document.documentElement.lang || undefined };
      if (comment.value.trim()) body.comment = comment.value;
      send.disabled = true;
      send.textContent = t("feedback-sending");
      try {
        const response = await fetch("/api/feedback", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        if (destroyed) return;
        if (response.ok) {
          localStorage.setItem(sentKey, "1");
          thanks();
          return;
        }
        const answer = await response.json().catch(() => ({}));
        const code = answer?.error?.code || "";
        if (code === "already_given") {
          localStorage.setItem(sentKey, "1");
          thanks(t("feedback-error-already_given"));
          return;
        }
        const key = `feedback-error-${code}`;
        const text = t(key);
        error.textContent = text === key ? answer?.error?.message || t("feedback-error-other") : text;
      } catch {
        if (!destroyed) error.textContent = t("feedback-error-network");
      } finally {
        send.disabled = false;
        send.textContent = t("feedback-send");
      }
    });
    root.replaceChildren(formEl);
  }

  if (localStorage.getItem(sentKey)) {
    thanks();
  } else {
    form();
    // Another device, or cleared storage: ask the server whether this phone already answered.
    if (token) {
      fetch("/api/feedback/check", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token }),
      })
        .then((r) => (r.ok ? r.json() : null))
        .then((state) => {
          if (!destroyed && state?.given) {
            localStorage.setItem(sentKey, "1");
            thanks(t("feedback-error-already_given"));
          }
        })
        .catch(() => {});
    }
  }

  return {
    destroy() {
      destroyed = true;
      root.remove();
    },
  };
}

// ---- projector and console ------------------------------------------------------------------

function formatAverage(value, lang) {
  if (value == null) return "–";
  return new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}

export function mountStats(container, { t, code, screenKey = null, staff = false }) {
  loadStyles();
  const lang = document.documentElement.lang || "fr";
  const count = el("p", { class: "fb-stat-count" });
  const average = el("p", { class: "fb-stat-average" });
  const list = el("ul", { class: "fb-comments" });
  const commentsTitle = el("h3", { text: t("feedback-comments-title") });
  const comments = el("div", { class: "fb-comments-panel", hidden: true }, commentsTitle, list);
  const status = el("p", { class: "fb-toggle-status", role: "status" });
  let shown = false;
  const toggle = el("button", { type: "button", class: "secondary fb-toggle", "aria-pressed": "false", text: t("feedback-comments-show") });
  const root = el(
    "section",
    { class: "feedback-stats", "aria-live": staff ? "off" : "polite" },
    el("h2", { text: t("feedback-stats-title") }),
    el("div", { class: "fb-figures" }, count, average),
    ...(staff ? [toggle, status] : []),
    comments,
  );
  container.append(root);

  function stats(message) {
    const n = Number(message.count) || 0;
    count.textContent = t("feedback-stats-count", { count: n });
    average.textContent = n > 0 ? t("feedback-stats-average", { average: formatAverage(message.average, lang) }) : "";
    average.hidden = n === 0;
  }

  function showComments(message) {
    shown = Boolean(message.show);
    const items = Array.isArray(message.comments) ? message.comments : [];
    list.replaceChildren(...items.map((text) => el("li", { text })));
    if (shown && items.length === 0) list.append(el("li", { class: "empty", text: t("feedback-comments-none") }));
    comments.hidden = !shown;
    toggle.setAttribute("aria-pressed", String(shown));
    toggle.textContent = t(shown ? "feedback-comments-hide" : "feedback-comments-show");
  }

  toggle.addEventListener("click", async () => {
    toggle.disabled = true;
    try {
      const response = await fetch(`/api/sessions/${encodeURIComponent(code)}/feedback/comments`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ show: !shown }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const event = await response.json();
      showComments(event);
      status.textContent = t(event.show ? "feedback-comments-shown" : "feedback-comments-hidden");
    } catch {
      status.textContent = t("feedback-comments-failed");
    } finally {
      toggle.disabled = false;
    }
  });

  stats({ count: 0, average: null });
  const query = screenKey ? `?k=${encodeURIComponent(screenKey)}` : "";
  fetch(`/api/sessions/${encodeURIComponent(code)}/feedback/stats${query}`)
    .then((r) => (r.ok ? r.json() : null))
    .then((message) => message && stats(message))
    .catch(() => {});

  return {
    // True when the message was a feedback event (handled here).
    update(message) {
      if (message.type === "feedback.stats") stats(message);
      else if (message.type === "feedback.comments") showComments(message);
      else return false;
      return true;
    },
    destroy() {
      root.remove();
    },
  };
}
