-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "logsCheckedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "LogMark" (
    "taskId" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LogMark_pkey" PRIMARY KEY ("taskId","stream","size")
);

-- AddForeignKey
ALTER TABLE "LogMark" ADD CONSTRAINT "LogMark_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;
