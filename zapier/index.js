// Zapier's entry point: the app definition, built from `src/` into `dist/` (`pnpm build`, which
// `zapier push` runs as `_zapier-build`).
module.exports = require('./dist/src/index.js').default;
