/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(tsx?|jsx?|cjs)$': ['@swc/jest'] },
  // middy ships ESM only; let swc turn it into CommonJS for Jest. PGlite's CommonJS build loads Node
  // modules with import(), which Jest's VM refuses without --experimental-vm-modules; swc turns those into require().
  transformIgnorePatterns: ['/node_modules/(?!(@middy|@electric-sql)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
};
