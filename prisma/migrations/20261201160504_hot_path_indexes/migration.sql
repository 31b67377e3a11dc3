-- DropIndex
DROP INDEX "Task_containerId_idx";

-- DropIndex
DROP INDEX "Task_state_idx";

-- CreateIndex
CREATE INDEX "Container_state_desiredState_idx" ON "Container"("state", "desiredState");

-- CreateIndex
CREATE INDEX "Task_containerId_launchedAt_idx" ON "Task"("containerId", "launchedAt");

-- CreateIndex
CREATE INDEX "Task_state_killedBy_idx" ON "Task"("state", "killedBy");
