// A WebSocket that keeps coming back: venue Wi-Fi drops and phone screens lock, so the
// client reconnects and re-introduces itself with `hello()` each time.
//
// A dropped network often closes nothing: the socket looks open while its TCP connection is
// gone, and TCP's own retries can wait seconds after the network returns. So the client sends
// a `ping` every few seconds (the server answers `pong`, docs/protocol.md) and gives up on a
// socket that has been silent too long: it opens a new one at once, then retries every 0.6–1 s
// at most, so a phone is back within about a second of the network's return (issue 19;
// BENCHMARKS.md, "Phone on a slow network"). A retry that fails while the phone is offline
// costs nothing; when the network is up but the server restarts, a room of phones retrying
// each second is a light load. It retries at once when the page becomes visible again or the
// browser says the network is back.

const MIN_DELAY_MS = 250;
const MAX_DELAY_MS = 800;
/** How often an open socket says it is alive. */
const PING_MS = 4000;
/** Nothing heard for this long (a pong is due every PING_MS): the connection is gone. */
const SILENT_MS = 7000;

export function connect({ hello, onMessage, onStatus = () => {} }) {
  let socket = null;
  let delay = MIN_DELAY_MS;
  let timer = null;
  let stopped = false;
  let snapshotSeq = 0;
  let lastHeard = 0;

  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;

  function retryLater() {
    onStatus("offline");
    clearTimeout(timer);
    timer = setTimeout(open, delay * (0.75 + Math.random() * 0.5));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }

  function open() {
    clearTimeout(timer);
    timer = null;
    if (stopped || (socket && socket.readyState <= WebSocket.OPEN)) return;
    onStatus("connecting");
    const ws = new WebSocket(url);
    socket = ws;
    lastHeard = Date.now();
    ws.addEventListener("open", () => {
      if (ws !== socket) return;
      lastHeard = Date.now();
      ws.send(JSON.stringify(hello()));
    });
    ws.addEventListener("message", (event) => {
      if (ws !== socket) return;
      lastHeard = Date.now();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "pong") return;
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
    ws.addEventListener("close", () => {
      // A socket given up for silence closes late, if ever: its close is no news.
      if (ws !== socket) return;
      socket = null;
      if (!stopped) retryLater();
    });
  }

  // Leaves a silent socket behind (closing it politely would wait on the dead connection).
  function abandon() {
    const ws = socket;
    socket = null;
    ws.close();
    onStatus("offline");
    open();
  }

  // Checked every second, so a dead socket is left within a second of SILENT_MS.
  let lastPing = 0;
  function alive() {
    if (stopped || !socket) return;
    if (Date.now() - lastHeard > SILENT_MS) abandon();
    else if (socket.readyState === WebSocket.OPEN && Date.now() - lastPing >= PING_MS) {
      lastPing = Date.now();
      socket.send('{"type":"ping"}');
    }
  }
  const heartbeat = setInterval(alive, 1000);

  const retryNow = () => {
    if (stopped) return;
    delay = MIN_DELAY_MS;
    if (!socket) open();
    // A phone whose screen was locked: its socket may have died meanwhile.
    else if (Date.now() - lastHeard > SILENT_MS) abandon();
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
      clearInterval(heartbeat);
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
