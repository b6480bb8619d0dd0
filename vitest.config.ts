import { defineConfig } from 'vitest/config';

// The SDK warns about Node 20 (this machine) from every client; Lambda runs Node 22. Set before workers start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run; each test file creates its own uniquely prefixed tables.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep the Java engine and the workers from starving each other.
    maxWorkers: 2,
  },
});
