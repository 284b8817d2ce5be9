import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "scripts/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // CI asks for a JSON report to print the closing "N passed, N failed" line.
    reporters: process.env.IOKIT_VITEST_JSON ? ["default", "json"] : ["default"],
    outputFile: process.env.IOKIT_VITEST_JSON ? { json: process.env.IOKIT_VITEST_JSON } : undefined,
  },
});
