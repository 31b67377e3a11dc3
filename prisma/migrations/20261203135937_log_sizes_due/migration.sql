-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "logsDueAt" TIMESTAMP(3);

-- shoal:procedural-begin
-- Functions, triggers, data and partial indexes: Prisma models none of them, and new
-- migrations are diffed without what stands between these markers (see
-- packages/db/scripts/schema-diff.ts).

-- What the log sampler looked for at each pass, reading every task to find it: running
-- tasks (due now; the first pass samples them, in batches) and ended tasks whose final
-- sizes were not noted yet (due at their end).
UPDATE "Task" SET "logsDueAt" = CASE
    WHEN state = 'TASK_RUNNING' THEN now() AT TIME ZONE 'UTC'
    ELSE "updatedAt" END
  WHERE "agentEndpoint" IS NOT NULL AND (state = 'TASK_RUNNING' OR (
    state IN ('TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR',
              'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN')
    AND ("logsCheckedAt" IS NULL OR "logsCheckedAt" < "updatedAt")));

-- Only the tasks something is due for: a pass reads its batch, however many tasks the
-- cluster holds.
CREATE INDEX "Task_logsDueAt_idx" ON "Task"("logsDueAt") WHERE "logsDueAt" IS NOT NULL;
-- shoal:procedural-end

ALTER TABLE "Task" DROP COLUMN "logsCheckedAt";
