-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "cniNetwork" TEXT;

-- CreateTable
CREATE TABLE "Network" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "driver" TEXT NOT NULL DEFAULT 'bridge',
    "labels" JSONB NOT NULL DEFAULT '{}',
    "attachable" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Network_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Network_tenantId_name_key" ON "Network"("tenantId", "name");

-- AddForeignKey
ALTER TABLE "Network" ADD CONSTRAINT "Network_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
