-- CreateTable
CREATE TABLE "ContainerEventEntry" (
    "id" BIGSERIAL NOT NULL,
    "tenantId" TEXT NOT NULL,
    "containerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "attributes" JSONB NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ContainerEventEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ContainerEventEntry_tenantId_at_idx" ON "ContainerEventEntry"("tenantId", "at");

-- CreateIndex
CREATE INDEX "ContainerEventEntry_at_idx" ON "ContainerEventEntry"("at");

-- AddForeignKey
ALTER TABLE "ContainerEventEntry" ADD CONSTRAINT "ContainerEventEntry_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
