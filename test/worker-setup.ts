/**
 * Test files run side by side, one per vitest worker, on the run's one database. Each worker
 * keeps its jobs in a queue schema of its own (inherited by the processes its tests start), so
 * that a file's queued jobs are run by its own workers, with its own hooks, and no other's.
 */
process.env.ROSTER_QUEUE_SCHEMA = `pgboss_test_${process.env.VITEST_POOL_ID ?? '1'}`
