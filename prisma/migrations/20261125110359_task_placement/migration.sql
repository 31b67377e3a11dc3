-- AlterTable
ALTER TABLE "Container" ADD COLUMN     "restartAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "agentEndpoint" TEXT,
ADD COLUMN     "killedBy" TEXT,
ADD COLUMN     "ports" JSONB;
