/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type-checking runs once for the whole project (`tsc --noEmit` in `npm test`),
    // so ts-jest only transpiles: it keeps the suite fast.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  globalSetup: '<rootDir>/tests/global-setup.ts',
  // Silences the AWS SDK's Node-version notice in every test process (as npm start does).
  setupFiles: ['<rootDir>/tests/setup-env.ts'],
  testTimeout: 30000,
};
