// Two projects: `unit` (pure specs beside the code, no services) and
// `integration` (test/, against a real Kafka broker and a real PostgreSQL that
// the tests bring up through the project's own launcher).
// tsconfig.json sets isolatedModules, so ts-jest transpiles each file alone (no
// type check per test file: `npm test` runs tsc over everything first).
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
const moduleNameMapper = {
  '^@ndxp/(contracts|metrics|platform|infra)$': '<rootDir>/libs/$1/src',
  '^@ndxp/(contracts|metrics|platform|infra)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
module.exports = {
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'],
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'integration',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      transform,
      moduleNameMapper,
      setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
    },
  ],
};
