// The badge desk: on phones, asking for one's Open Badge and getting it (then the feedback
// form); on the console, choosing how badges are handed out and deciding requests; on the
// projector, the claim code and how many badges are out. Contract: see activities.js.

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

export function mount(role, container, ctx) {
  if (role === "phone") return phone(container, ctx);
  if (role === "console") return console_(container, ctx);
  return screen(container, ctx);
}

// ---- phone ---------------------------------------------------------------------------------

function phone(container, ctx) {
  const { t, send, announce } = ctx;
  let view = ctx.view || {};
  let mode = view.mode;
  let request = view.request;
  let links = view.links || null;
  let feedbackMounted = false;
  // Signing failed: the request is still approved, and asking again signs it again.
  let signFailed = false;
  let phaseKind = ctx.session.phase && ctx.session.phase.kind;
  const root = el("div", { className: "badge-desk" });
  const feedbackBox = el("div", { className: "feedback-box" });
  container.append(root, feedbackBox);

  function render() {
    root.replaceChildren();
    root.append(el("h2", { textContent: t("badge-title") }));
    const issued = Boolean(request && request.status === "issued" && links);
    // The form comes with the badge, or with the feedback phase: back in Badges from Feedback
    // without a badge, it goes away again (as after a reload), and the desk shows alone.
    feedbackBox.hidden = !issued && !["feedback", "closed"].includes(phaseKind);
    if (issued) return renderBadge();
    if (!mode) {
      // In the feedback phase a desk that never opened is no news: only the form shows.
      root.hidden = phaseKind !== "badges";
      if (!root.hidden) root.append(el("p", { className: "status", textContent: t("badge-not-open") }));
      return;
    }
    root.hidden = false;
    if (request && request.status === "pending") {
      root.append(el("p", { className: "status", textContent: t("badge-pending") }));
      return;
    }
    if (request && request.status === "approved" && signFailed) {
      const retry = el("button", { type: "button", textContent: t("badge-retry") });
      retry.addEventListener("click", () => {
        if (!send({ type: "badge.request", name: request.name, lang: ctx.lang })) return;
        signFailed = false;
        render();
      });
      root.append(el("p", { className: "status error", role: "alert", textContent: t("badge-failed") }), retry);
      return;
    }
    if (request && (request.status === "approved" || request.status === "issued")) {
      root.append(el("p", { className: "status", role: "status", textContent: t("badge-signing") }));
      return;
    }
    if (request && request.status === "refused") {
      root.append(el("p", { className: "status refused", textContent: t("badge-refused") }));
    }
    renderForm();
  }

  function renderForm() {
    const form = el("form", { className: "card badge-form", noValidate: true });
    const field = (id, label, input, hint) => {
      input.id = id;
      const parts = [el("label", { htmlFor: id, textContent: label }), input];
      if (hint) {
        const help = el("p", { id: `${id}-hint`, className: "hint", textContent: hint });
        input.setAttribute("aria-describedby", help.id);
        parts.push(help);
      }
      form.append(...parts);
    };
    const name = el("input", { name: "name", maxLength: 40, required: true, autocomplete: "name", value: (ctx.you && ctx.you.name) || "" });
    field("badge-name", t("badge-name"), name, t("badge-name-hint"));
    const email = el("input", { name: "email", type: "email", maxLength: 254, autocomplete: "email", inputMode: "email" });
    field("badge-email", t("badge-email"), email, t("badge-email-hint"));
    let code = null;
    if (mode === "claim_code") {
      code = el("input", { name: "claim", maxLength: 12, required: true, autocomplete: "off", autocapitalize: "characters" });
      field("badge-claim", t("badge-claim-code"), code, t("badge-claim-code-hint"));
    }
    let comment = null;
    if (mode === "review") {
      comment = el("textarea", { name: "comment", maxLength: 500, rows: 3 });
      field("badge-comment", t("badge-comment"), comment, t("badge-comment-hint"));
    }
    const error = el("p", { className: "error", role: "alert" });
    const submit = el("button", { type: "submit", textContent: t(mode === "review" ? "badge-ask" : "badge-get") });
    form.append(error, submit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      error.textContent = "";
      if (!name.value.trim()) {
        error.textContent = t("badge-name-missing");
        name.focus();
        return;
      }
      const frame = { type: "badge.request", name: name.value, lang: ctx.lang };
      if (email.value.trim()) frame.email = email.value.trim();
      if (code) frame.claim_code = code.value;
      if (comment && comment.value.trim()) frame.comment = comment.value;
      if (!send(frame)) error.textContent = t("badge-offline");
    });
    root.append(form);
    root.lastChild.querySelector("input")?.focus({ preventScroll: true });
  }

  function renderBadge() {
    const card = el("div", { className: "card badge-card" });
    card.append(
      el("img", { src: links.picture || links.png, alt: t("badge-image-alt", { name: request.name }), className: "badge-image", width: 240, height: 240 }),
      el("p", { className: "big", textContent: t("badge-yours", { name: request.name }) }),
    );
    const downloads = el("ul", { className: "downloads" });
    const item = (href, label, hint, download) =>
      el("li", {}, el("a", { href, className: "button", textContent: label, download }), el("p", { className: "hint", textContent: hint }));
    downloads.append(
      item(links.png, t("badge-download-png"), t("badge-download-png-hint"), "open-badge.png"),
      item(links.svg, t("badge-download-svg"), t("badge-download-svg-hint"), "open-badge.svg"),
      item(links.json, t("badge-download-json"), t("badge-download-json-hint"), "open-badge.json"),
    );
    // Hosted only: the public page and LinkedIn live on the private page's "share" part.
    if (links.share) downloads.append(item(links.share, t("badge-share"), t("badge-share-hint")));
    card.append(downloads);
    card.append(
      el("p", {}, el("a", { href: "/verify", textContent: t("badge-verify") })),
      el("p", { className: "hint" }, t("badge-private-link"), " ", el("a", { href: links.page, textContent: t("badge-private-link-label") })),
    );
    root.append(card);
    mountFeedback();
  }

  async function mountFeedback() {
    if (feedbackMounted || !ctx.token) return;
    feedbackMounted = true;
    try {
      const module = await import("./feedback.js");
      module.mount(feedbackBox, { token: ctx.token, session: ctx.session, t, announce });
    } catch (e) {
      feedbackMounted = false;
    }
  }

  render();
  return {
    update(message) {
      if (message.type === "badge.opened") {
        mode = message.mode;
        announce(t("badge-open-announce"));
      } else if (message.type === "badge.status") {
        request = { status: message.status, name: message.name, badge_id: message.badge_id };
        if (message.status === "refused") announce(t("badge-refused"));
      } else if (message.type === "badge.ready") {
        signFailed = false;
        links = message.links;
        request = { ...(request || {}), status: "issued", badge_id: message.badge_id };
        announce(t("badge-ready"));
      } else if (message.type === "badge.failed") {
        signFailed = true;
        announce(t("badge-failed"));
      } else {
        return;
      }
      render();
    },
    error(message) {
      const box = root.querySelector(".error");
      if (!box) return false;
      box.textContent = t(`badge-error-${message.code}`) === `badge-error-${message.code}` ? ctx.errorText(message) : t(`badge-error-${message.code}`);
      return true;
    },
    phase(phase) {
      phaseKind = phase.kind;
      if (phase.kind === "feedback" || phase.kind === "closed") mountFeedback();
      render();
    },
  };
}

// ---- console -------------------------------------------------------------------------------

function console_(container, ctx) {
  const { t, send } = ctx;
  let view = ctx.view || {};
  let people = ctx.people;
  const requests = new Map(Object.entries(view.requests || {}).map(([pid, r]) => [Number(pid), r]));
  let mode = view.mode;
  let claim = view.claim;
  let claimed = 0;
  // Participants whose badge could not be signed: their approved request can be signed again.
  const failed = new Set();
  const root = el("section", { className: "card badge-console" });
  const statsBox = el("div", { className: "card" });
  container.append(root, statsBox);
  let stats = null;
  import("./feedback.js").then((m) => {
    stats = m.mountStats(statsBox, { t, code: ctx.session.code, staff: true });
  });

  function render() {
    root.replaceChildren(el("h2", { textContent: t("badge-desk") }));
    const form = el("form", { className: "open-desk" });
    const select = el("select", { id: "badge-mode" });
    for (const m of ["automatic", "review", "claim_code"]) select.append(el("option", { value: m, textContent: t(`badge-mode-${m}`), selected: m === (mode || "automatic") }));
    const until = el("input", { id: "badge-until", type: "datetime-local" });
    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
    until.value = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    const untilLabel = el("label", { htmlFor: "badge-until", textContent: t("badge-claim-until") });
    const syncUntil = () => {
      untilLabel.hidden = until.hidden = select.value !== "claim_code";
    };
    select.addEventListener("change", syncUntil);
    form.append(el("label", { htmlFor: "badge-mode", textContent: t("badge-mode") }), select, untilLabel, until, el("button", { type: "submit", textContent: t(mode ? "badge-reopen" : "badge-open") }));
    syncUntil();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const frame = { type: "badge.open", mode: select.value };
      if (select.value === "claim_code") frame.valid_until = new Date(until.value).toISOString().replace(/\.\d+Z$/, "Z");
      send(frame);
    });
    root.append(form);
    root.append(el("p", { role: "status", textContent: mode ? t("badge-desk-open", { mode: t(`badge-mode-${mode}`) }) : t("badge-desk-closed") }));
    if (claim && mode === "claim_code") {
      root.append(el("p", { className: "claim" }, t("badge-claim-code"), " ", el("strong", { className: "code", textContent: claim.code }), " · ", t("badge-claim-valid", { until: new Date(claim.valid_until).toLocaleString() })));
    }
    const issued = [...requests.values()].filter((r) => r.status === "issued").length;
    root.append(el("p", { textContent: t("badge-count", { count: issued + claimed }) }));
    const table = el("table", { className: "requests" });
    table.append(el("thead", {}, el("tr", {}, ...["badge-col-name", "badge-col-status", "badge-col-action"].map((k) => el("th", { scope: "col", textContent: t(k) })))));
    const body = el("tbody");
    for (const [pid, r] of requests) {
      const actions = el("td");
      if (r.status === "pending" || r.status === "refused") {
        actions.append(el("button", { type: "button", textContent: t("badge-approve"), onclick: () => send({ type: "badge.decide", pid, approve: true }) }));
      }
      if (r.status === "pending") {
        actions.append(" ", el("button", { type: "button", className: "secondary", textContent: t("badge-refuse"), onclick: () => send({ type: "badge.decide", pid, approve: false }) }));
      }
      if (r.status === "approved" && failed.has(pid)) {
        actions.append(el("button", { type: "button", textContent: t("badge-sign-again"), onclick: () => { failed.delete(pid); send({ type: "badge.decide", pid, approve: true }); render(); } }));
      }
      const known = people && people.get(pid);
      const who = r.name || known || `#${pid}`;
      const details = [who];
      // The participant corrected the name to print: the facilitator sees both.
      if (r.name && known && r.name !== known) details.push(" ", el("small", { className: "corrected", textContent: t("badge-name-corrected", { name: known }) }));
      if (r.has_email) details.push(" ✉");
      if (r.comment) details.push(el("br"), el("small", { textContent: r.comment }));
      const status = r.status === "approved" && failed.has(pid) ? t("badge-status-failed") : t(`badge-status-${r.status}`);
      body.append(el("tr", {}, el("td", {}, ...details), el("td", { textContent: status }), actions));
    }
    table.append(body);
    if (requests.size) root.append(table);
    else root.append(el("p", { textContent: t("badge-no-request") }));
  }

  render();
  return {
    // The badges phase shows the desk, the feedback phase the live figures, the end both
    // (style.css, by the container's data-phase).
    phase(phase) {
      container.dataset.phase = phase?.kind || "";
    },
    update(message) {
      if (message.type === "badge.opened") mode = message.mode;
      else if (message.type === "badge.claim_code") claim = { code: message.code, valid_until: message.valid_until };
      else if (message.type === "badge.request") {
        requests.set(message.pid, message.request);
        if (message.request.status !== "approved") failed.delete(message.pid);
      } else if (message.type === "badge.failed") failed.add(message.pid);
      else if (message.type === "badge.claimed") claimed += 1;
      else if (message.type.startsWith("feedback.")) return stats && stats.update(message);
      else return;
      render();
    },
    people(map) {
      people = map;
      render();
    },
  };
}

// ---- projector -----------------------------------------------------------------------------

function screen(container, ctx) {
  const { t } = ctx;
  let view = ctx.view || {};
  let mode = view.mode;
  let claim = view.claim;
  const statuses = new Map(Object.entries(view.requests || {}).map(([pid, r]) => [Number(pid), r.status]));
  let claimed = 0;
  const root = el("section", { className: "badge-screen" });
  const statsBox = el("div");
  container.append(root, statsBox);
  let stats = null;
  import("./feedback.js").then((m) => {
    stats = m.mountStats(statsBox, { t, code: ctx.session.code, screenKey: document.getElementById("app").dataset.key });
  });

  function render() {
    root.replaceChildren(el("h2", { textContent: t("badge-title") }));
    if (!mode) root.append(el("p", { className: "big", textContent: t("badge-screen-soon") }));
    else if (mode === "claim_code" && claim) {
      root.append(
        el("div", { className: "claim-panel" },
          el("img", { src: `/qr/claim/${claim.code}.svg`, alt: "", className: "qr" }),
          el("div", {}, el("p", { textContent: t("badge-screen-claim", { host: location.host }) }), el("p", { className: "code", textContent: claim.code }))),
      );
    } else root.append(el("p", { className: "big", textContent: t("badge-screen-phones") }));
    const issued = [...statuses.values()].filter((s) => s === "issued").length;
    root.append(el("p", { className: "count", textContent: t("badge-count", { count: issued + claimed }) }));
  }

  render();
  return {
    // The badges phase shows the desk, the feedback phase the live figures, the end both
    // (style.css, by the container's data-phase).
    phase(phase) {
      container.dataset.phase = phase?.kind || "";
    },
    update(message) {
      if (message.type === "badge.opened") mode = message.mode;
      else if (message.type === "badge.claim_code") claim = { code: message.code, valid_until: message.valid_until };
      else if (message.type === "badge.request") statuses.set(message.pid, message.request.status);
      else if (message.type === "badge.claimed") claimed += 1;
      else if (message.type.startsWith("feedback.")) return stats && stats.update(message);
      else return;
      render();
    },
  };
}
