// The projector shows each activity on one screen, read from 10 metres: text never shrinks
// under its floor (28 px) and nothing scrolls, so when a screen (a 1280×720 projector, a long
// list of teams) cannot hold everything, the parts marked `data-fit="N"` give way, the highest
// N first and all of one level at once (every team card loses the same detail), until the root
// no longer overflows. Shown again on the next fit: a bigger window gets them back.

const DROPPED = "fit-dropped";

function overflows(root) {
  return root.scrollHeight > root.clientHeight + 1 || root.scrollWidth > root.clientWidth + 1;
}

/** Fits `root` (a box of fixed size that hides its overflow) by dropping optional parts. */
export function fit(root) {
  const parts = [...root.querySelectorAll("[data-fit]")];
  for (const part of parts) part.classList.remove(DROPPED);
  if (!root.clientHeight || !overflows(root)) return;
  const levels = [...new Set(parts.map((p) => Number(p.dataset.fit)))].sort((a, b) => b - a);
  for (const level of levels) {
    for (const part of parts) if (Number(part.dataset.fit) === level) part.classList.add(DROPPED);
    if (!overflows(root)) return;
  }
}

/** Fits `root` whenever its box changes size (shown after being hidden, a window resized);
 *  returns the function that stops. A render calls `fit` itself: its size does not change. */
export function fitOnResize(root) {
  const observer = new ResizeObserver(() => fit(root));
  observer.observe(root);
  return () => observer.disconnect();
}
