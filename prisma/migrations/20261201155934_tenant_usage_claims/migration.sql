-- CreateTable
CREATE TABLE "TenantUsage" (
    "tenantId" TEXT NOT NULL,
    "cpus" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "memMb" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "diskMb" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "gpus" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "TenantUsage_pkey" PRIMARY KEY ("tenantId")
);

-- AddForeignKey
ALTER TABLE "TenantUsage" ADD CONSTRAINT "TenantUsage_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- shoal:procedural-begin
-- Functions, triggers and data: Prisma models none of them, and new migrations are
-- diffed without what stands between these markers (see packages/db/scripts/schema-diff.ts).

-- Every tenant has its usage row, made with the tenant.
INSERT INTO "TenantUsage" ("tenantId") SELECT "id" FROM "Tenant";

CREATE FUNCTION "shoal_tenant_usage_row"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "TenantUsage" ("tenantId") VALUES (NEW."id") ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER "Tenant_usage_row" AFTER INSERT ON "Tenant"
  FOR EACH ROW EXECUTE FUNCTION "shoal_tenant_usage_row"();

-- A container claims its resources while it is meant to run. Sums are rounded to
-- Mesos's fixed point, so adding and taking away 0.1 a million times leaves no crumbs.
CREATE FUNCTION "shoal_claim"(tenant TEXT, sign DOUBLE PRECISION, c "Container") RETURNS void
LANGUAGE sql AS $$
  UPDATE "TenantUsage" SET
    "cpus" = round(("cpus" + sign * c."cpus")::numeric, 6),
    "memMb" = round(("memMb" + sign * c."memMb")::numeric, 6),
    "diskMb" = round(("diskMb" + sign * c."diskMb")::numeric, 6),
    "gpus" = round(("gpus" + sign * c."gpus")::numeric, 6)
  WHERE "tenantId" = tenant
$$;

CREATE FUNCTION "shoal_container_claims"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."desiredState" = 'RUNNING' THEN
    PERFORM "shoal_claim"(OLD."tenantId", -1, OLD);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW."desiredState" = 'RUNNING' THEN
    PERFORM "shoal_claim"(NEW."tenantId", 1, NEW);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Container_claims_insert" AFTER INSERT ON "Container"
  FOR EACH ROW WHEN (NEW."desiredState" = 'RUNNING')
  EXECUTE FUNCTION "shoal_container_claims"();

CREATE TRIGGER "Container_claims_update"
  AFTER UPDATE OF "desiredState", "cpus", "memMb", "diskMb", "gpus", "tenantId" ON "Container"
  FOR EACH ROW WHEN (
    (OLD."desiredState" = 'RUNNING' OR NEW."desiredState" = 'RUNNING') AND
    (OLD."desiredState", OLD."cpus", OLD."memMb", OLD."diskMb", OLD."gpus", OLD."tenantId")
      IS DISTINCT FROM
    (NEW."desiredState", NEW."cpus", NEW."memMb", NEW."diskMb", NEW."gpus", NEW."tenantId")
  )
  EXECUTE FUNCTION "shoal_container_claims"();

CREATE TRIGGER "Container_claims_delete" AFTER DELETE ON "Container"
  FOR EACH ROW WHEN (OLD."desiredState" = 'RUNNING')
  EXECUTE FUNCTION "shoal_container_claims"();

-- What containers meant to run claim today.
UPDATE "TenantUsage" u SET
  "cpus" = s."cpus", "memMb" = s."memMb", "diskMb" = s."diskMb", "gpus" = s."gpus"
FROM (
  SELECT "tenantId", round(sum("cpus")::numeric, 6) AS "cpus", round(sum("memMb")::numeric, 6) AS "memMb",
         round(sum("diskMb")::numeric, 6) AS "diskMb", round(sum("gpus")::numeric, 6) AS "gpus"
  FROM "Container" WHERE "desiredState" = 'RUNNING' GROUP BY "tenantId"
) s
WHERE u."tenantId" = s."tenantId";
-- shoal:procedural-end
