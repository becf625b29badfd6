// "My data": what Atelier stores about this phone's participations, read with the resume
// tokens this browser keeps, shown and downloadable (right of access).
import { lang, ready, t } from "./i18n.js";

const box = document.getElementById("me");
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c != null));
  return node;
};

await ready;
const tokens = Object.keys(localStorage)
  .filter((key) => key.startsWith("atelier:token:"))
  .map((key) => localStorage.getItem(key));
if (!tokens.length) box.append(el("p", { textContent: t("me-nothing") }));
for (const token of tokens) {
  const response = await fetch("/api/me", { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) continue;
  const data = await response.json();
  const card = el("section", { className: "card" });
  card.append(el("h2", { textContent: data.session.title }));
  const list = el("dl");
  const row = (label, value) => value != null && value !== "" && list.append(el("dt", { textContent: t(label) }), el("dd", { textContent: String(value) }));
  // Dates as the reader's language writes them, not the stored RFC 3339.
  const when = new Date(data.session.created_at);
  const date = Number.isNaN(when.getTime()) ? "" : ` · ${when.toLocaleString(lang, { dateStyle: "long", timeStyle: "short" })}`;
  row("me-session", `${data.session.code}${date}`);
  row("me-name", data.participant && data.participant.display_name);
  row("me-badge-name", data.badge_request && data.badge_request.name_in_badge);
  row("me-badge-status", data.badge_request && t(`me-badge-${data.badge_request.status}`));
  row("me-feedback", t("me-feedback-anonymous"));
  row("me-retention", t("me-retention-days", { days: data.retention_days }));
  card.append(list);
  if (data.badge_links) card.append(el("p", { className: "standalone" }, el("a", { href: data.badge_links.page, textContent: t("badge-private-link-label") })));
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  card.append(el("a", { className: "button", href: URL.createObjectURL(blob), download: `atelier-${data.session.code}.json`, textContent: t("me-download") }));
  box.append(card);
}
