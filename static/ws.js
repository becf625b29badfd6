// A WebSocket that keeps coming back: venue Wi-Fi drops and phone screens lock, so the
// client reconnects (with backoff, and at once when the page becomes visible or the
// network returns) and re-introduces itself with `hello()` each time.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;

export function connect({ hello, onMessage, onStatus = () => {} }) {
  let socket = null;
  let delay = MIN_DELAY_MS;
  let timer = null;
  let stopped = false;
  let snapshotSeq = 0;

  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;

  function open() {
    clearTimeout(timer);
    timer = null;
    if (stopped || (socket && socket.readyState <= WebSocket.OPEN)) return;
    onStatus("connecting");
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify(hello()));
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "welcome") {
        delay = MIN_DELAY_MS;
        snapshotSeq = message.seq || 0;
        onStatus("open");
      } else if (typeof message.seq === "number" && message.seq <= snapshotSeq) {
        // Already reflected in the snapshot. (Several events may share one seq: one command,
        // several audiences; so only the snapshot's seq is a boundary.)
        return;
      }
      onMessage(message);
    });
    socket.addEventListener("close", () => {
      socket = null;
      if (stopped) return;
      onStatus("offline");
      timer = setTimeout(open, delay + Math.random() * 250);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    });
  }

  const retryNow = () => {
    if (!stopped && !socket) {
      delay = MIN_DELAY_MS;
      open();
    }
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") retryNow();
  });
  window.addEventListener("online", retryNow);

  open();
  return {
    send(message) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(message));
        return true;
      }
      return false;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      if (socket) socket.close();
    },
  };
}

// Shows the connection state in the page's #net banner (messages from i18n.js).
export function statusBanner(element, t) {
  let wasOffline = false;
  let hideTimer = null;
  return (status) => {
    clearTimeout(hideTimer);
    if (status === "open") {
      if (wasOffline) {
        element.textContent = t("net-back");
        element.className = "banner ok";
        element.hidden = false;
        hideTimer = setTimeout(() => (element.hidden = true), 2500);
      }
      wasOffline = false;
    } else if (status === "offline") {
      wasOffline = true;
      element.textContent = t("net-offline");
      element.className = "banner warn";
      element.hidden = false;
    }
  };
}

export function phaseLabel(t, phase, activity) {
  if (!phase) return "";
  if (phase.kind === "activity") return t(`phase-${activity}`);
  return t(`phase-${phase.kind}`);
}
