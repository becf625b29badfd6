// Atelier's wrapper (not part of SortableJS): `Sortable.min.js` is the upstream UMD build, which,
// run as a module (no `exports`, no `define`, no `this`), sets `self.Sortable`; this module hands
// it to importers as an ES module's default export.
import "./Sortable.min.js";

export default globalThis.Sortable;
