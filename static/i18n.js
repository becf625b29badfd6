// Messages for scripts: the same Fluent files the server uses, formatted in the browser.
// The page's <html lang> says which language; `await ready` before the first `t()`.
// Fluent's one-file build: imported as a module, it defines `globalThis.FluentBundle` (one
// request instead of the nine modules of its ES build, a round trip less on a slow link).
import "./vendor/fluent/fluent-bundle.js";

const { FluentBundle, FluentResource } = globalThis.FluentBundle;

export const lang = document.documentElement.lang || "fr";
const bundle = new FluentBundle(lang, { useIsolating: false });

export const ready = fetch(`/i18n/${lang}.ftl`)
  .then((response) => response.text())
  .then((text) => {
    const errors = bundle.addResource(new FluentResource(text));
    if (errors.length) console.warn("i18n", errors);
  });

// The message `id` formatted with `args`; its id when missing (tests check none is).
export function t(id, args) {
  const message = bundle.getMessage(id);
  if (!message || !message.value) return id;
  return bundle.formatPattern(message.value, args);
}

// The reader's words for an `error` frame: its code's message, else a generic one naming the
// code (never the server's English `message`).
export function errorText(message) {
  const id = `code-${message.code}`;
  const text = t(id);
  return text === id ? t("code-other", { code: message.code }) : text;
}

// Announces a game event to screen readers through the page's polite live region.
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after clearing makes screen readers read repeated messages too.
  requestAnimationFrame(() => (region.textContent = text));
}
