// One jest setup for every workspace package: ESM TypeScript through @swc/jest (fast, no type check;
// `pnpm typecheck` does that), real services booted by the global setup in @pulse/testing.
const path = require('node:path');

/** @param {string} dir the package directory (pass __dirname) */
module.exports = function jestConfig(dir, overrides = {}) {
  return {
    rootDir: dir,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    transform: {
      '^.+\\.(t|j)s$': [
        require.resolve('@swc/jest'),
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'es6' },
        },
      ],
    },
    transformIgnorePatterns: ['/node_modules/'],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    globalSetup: path.join(__dirname, 'packages/testing/src/global-setup.ts'),
    testTimeout: 60_000,
    ...overrides,
  };
};
