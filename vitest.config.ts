import { configDefaults, defineConfig } from "vitest/config";

/** Started after the rest, alone (scripts/test-all.sh): three-node PostgreSQL and NATS clusters and a dozen processes. */
const CLUSTER = [
  "test/cluster/stores.test.ts",
  "test/cluster/consumer-leader.test.ts",
  "test/cluster/failover.test.ts",
  "test/cluster/cluster-command.test.ts",
];
/** The unit tests that live under test/, beside the helpers they check. */
const UNIT_IN_TEST_DIR = ["test/architecture/**/*.test.ts", "test/faults/seed.test.ts"];
/** One PostgreSQL and one NATS for the project's run, and a development CA (see test/global-setup.ts). */
const WITH_SERVICES = { globalSetup: ["test/global-setup.ts"] };

/**
 * The test pyramid. `unit` is every test beside the code (services/**, psp-simulator/**, scripts/**) and UNIT_IN_TEST_DIR: no
 * PostgreSQL, no NATS, nothing beyond loopback sockets, so it runs in seconds and `npm test` runs it alone. The other
 * projects get the run's PostgreSQL and NATS.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          pool: "threads",
          include: ["services/**/*.test.ts", "psp-simulator/**/*.test.ts", "scripts/**/*.test.ts", ...UNIT_IN_TEST_DIR],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_IN_TEST_DIR, "test/faults/**", "test/browser/**", ...CLUSTER],
          ...WITH_SERVICES,
        },
      },
      {
        extends: true,
        test: {
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_IN_TEST_DIR],
          ...WITH_SERVICES,
        },
      },
      { extends: true, test: { name: "browser", include: ["test/browser/**/*.test.ts"], ...WITH_SERVICES } },
      { extends: true, test: { name: "cluster", include: CLUSTER, fileParallelism: false, ...WITH_SERVICES } },
    ],
  },
});
