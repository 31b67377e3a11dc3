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

-- A container claims its resources while it is meant to run. Statement triggers add
-- up a whole statement's changes per tenant (a batch of starts is one UPDATE, so one
-- write per tenant, not one per container). Sums are rounded to Mesos's fixed point, so
-- adding and taking away 0.1 a million times leaves no crumbs.
CREATE FUNCTION "shoal_add_claims"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "TenantUsage" u SET
    "cpus" = round((u."cpus" + d."cpus")::numeric, 6),
    "memMb" = round((u."memMb" + d."memMb")::numeric, 6),
    "diskMb" = round((u."diskMb" + d."diskMb")::numeric, 6),
    "gpus" = round((u."gpus" + d."gpus")::numeric, 6)
  FROM (
    SELECT "tenantId", sum("cpus") AS "cpus", sum("memMb") AS "memMb",
           sum("diskMb") AS "diskMb", sum("gpus") AS "gpus"
    FROM (
      SELECT "tenantId", "cpus", "memMb", "diskMb", "gpus"
      FROM "shoal_new_rows" WHERE "desiredState" = 'RUNNING'
      UNION ALL
      SELECT "tenantId", -"cpus", -"memMb", -"diskMb", -"gpus"
      FROM "shoal_old_rows" WHERE "desiredState" = 'RUNNING'
    ) AS changes
    GROUP BY "tenantId"
  ) AS d
  WHERE u."tenantId" = d."tenantId"
    AND (d."cpus" <> 0 OR d."memMb" <> 0 OR d."diskMb" <> 0 OR d."gpus" <> 0);
  RETURN NULL;
END $$;

CREATE FUNCTION "shoal_add_new_claims"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "TenantUsage" u SET
    "cpus" = round((u."cpus" + d."cpus")::numeric, 6),
    "memMb" = round((u."memMb" + d."memMb")::numeric, 6),
    "diskMb" = round((u."diskMb" + d."diskMb")::numeric, 6),
    "gpus" = round((u."gpus" + d."gpus")::numeric, 6)
  FROM (
    SELECT "tenantId", sum("cpus") AS "cpus", sum("memMb") AS "memMb",
           sum("diskMb") AS "diskMb", sum("gpus") AS "gpus"
    FROM "shoal_new_rows" WHERE "desiredState" = 'RUNNING' GROUP BY "tenantId"
  ) AS d
  WHERE u."tenantId" = d."tenantId";
  RETURN NULL;
END $$;

CREATE FUNCTION "shoal_drop_old_claims"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "TenantUsage" u SET
    "cpus" = round((u."cpus" - d."cpus")::numeric, 6),
    "memMb" = round((u."memMb" - d."memMb")::numeric, 6),
    "diskMb" = round((u."diskMb" - d."diskMb")::numeric, 6),
    "gpus" = round((u."gpus" - d."gpus")::numeric, 6)
  FROM (
    SELECT "tenantId", sum("cpus") AS "cpus", sum("memMb") AS "memMb",
           sum("diskMb") AS "diskMb", sum("gpus") AS "gpus"
    FROM "shoal_old_rows" WHERE "desiredState" = 'RUNNING' GROUP BY "tenantId"
  ) AS d
  WHERE u."tenantId" = d."tenantId";
  RETURN NULL;
END $$;

CREATE TRIGGER "Container_claims_insert" AFTER INSERT ON "Container"
  REFERENCING NEW TABLE AS "shoal_new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "shoal_add_new_claims"();

CREATE TRIGGER "Container_claims_update" AFTER UPDATE ON "Container"
  REFERENCING OLD TABLE AS "shoal_old_rows" NEW TABLE AS "shoal_new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "shoal_add_claims"();

CREATE TRIGGER "Container_claims_delete" AFTER DELETE ON "Container"
  REFERENCING OLD TABLE AS "shoal_old_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "shoal_drop_old_claims"();

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
