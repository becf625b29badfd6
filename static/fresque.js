// Fresque de la reconnaissance: placeholder until the fresque screens land (see activities.js for the contract).
export function mount(role, container, ctx) {
  return { update() {} };
}
