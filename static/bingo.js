// Bingo des Open Badges: placeholder until the bingo screens land (see activities.js for the contract).
export function mount(role, container, ctx) {
  return { update() {} };
}
