import { defineConfig } from 'vitest/config';

// The SDK warns about Node 20 (this machine) from every client; Lambda runs Node 22. Set before workers start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run; each test file creates its own uniquely prefixed tables.
    globalSetup: ['test/support/global-setup.ts'],
    // Limits only catch a test that hangs; none may fail a slow machine. A busy 2-core machine (CI beside other
    // work) can take minutes for what takes seconds alone, so each test and hook gets ten.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Two cores: keep the Java engine and the workers from starving each other.
    maxWorkers: 2,
  },
});
