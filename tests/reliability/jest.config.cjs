// The bounded CI subset is test/*.test.ts; the heavy fault and load scenarios in test/full/ run only
// with RELIABILITY_FULL=1 (`pnpm test:full`, or `pnpm test:reliability` from the repo root).
const full = process.env.RELIABILITY_FULL === '1';
module.exports = require('../../jest.base.cjs')(__dirname, {
  testTimeout: 180_000,
  testPathIgnorePatterns: full ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/full/'],
  globalSetup: '<rootDir>/src/global-setup.ts',
  globalTeardown: '<rootDir>/src/global-teardown.ts',
});
