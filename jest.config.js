/** Tests are transpiled only (isolatedModules); `tsc` in `npm test` type-checks the whole tree once. */
module.exports = {
  // Node's environment, failing a file that leaves a process it started running.
  testEnvironment: '<rootDir>/test/setup/no-leftover-processes.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/setup/private-tmpdir.ts',
  globalTeardown: '<rootDir>/test/setup/private-tmpdir-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup/plain-capture-stacks.ts'],
  // One worker per core, not jest's cores - 1: the real-consumer tests spend most of their time
  // waiting on terraform and TensorFlow processes, so the main process never needs a core of its own.
  maxWorkers: '100%',
};
