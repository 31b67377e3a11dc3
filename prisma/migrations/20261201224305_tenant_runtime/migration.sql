-- CreateEnum
CREATE TYPE "ContainerRuntime" AS ENUM ('docker', 'ucr');

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "runtime" "ContainerRuntime";
