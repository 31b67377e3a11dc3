-- CreateTable
CREATE TABLE "PulledImage" (
    "tenantId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "pulledAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PulledImage_pkey" PRIMARY KEY ("tenantId","reference")
);

-- AddForeignKey
ALTER TABLE "PulledImage" ADD CONSTRAINT "PulledImage_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
