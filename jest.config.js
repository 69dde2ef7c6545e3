/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Transpile only: `npm test` typechecks the whole tree with tsc first.
    '^.+\\.(tsx?|jsx?|cjs|mjs)$': [
      'ts-jest',
      {
        diagnostics: false,
        tsconfig: { isolatedModules: true, module: 'commonjs', moduleResolution: 'node10', target: 'es2022', allowJs: true, esModuleInterop: true },
      },
    ],
  },
  // middy ships ESM only, and PGlite's CommonJS build loads Node modules with import(), which Jest's VM
  // refuses without --experimental-vm-modules: transpile both to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|@electric-sql)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
};
