-- shoal:procedural-begin
-- A best-effort container runs on revocable cpus and memory, which Mesos never counts
-- toward a role's quota: it claims none of its tenant's cpus or memory (its disk and
-- gpus are firm, and still claimed). The claim functions read each row's claim through
-- one function, and every tenant's usage is added up again under the new rule.
CREATE FUNCTION "shoal_quota_claim"(amount DOUBLE PRECISION, best_effort BOOLEAN)
  RETURNS DOUBLE PRECISION LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE WHEN best_effort THEN 0 ELSE amount END $$;

CREATE OR REPLACE FUNCTION "shoal_add_claims"() RETURNS trigger LANGUAGE plpgsql AS $$
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
      SELECT "tenantId", "shoal_quota_claim"("cpus", "bestEffort") AS "cpus",
             "shoal_quota_claim"("memMb", "bestEffort") AS "memMb", "diskMb", "gpus"
      FROM "shoal_new_rows" WHERE "desiredState" = 'RUNNING'
      UNION ALL
      SELECT "tenantId", -"shoal_quota_claim"("cpus", "bestEffort"),
             -"shoal_quota_claim"("memMb", "bestEffort"), -"diskMb", -"gpus"
      FROM "shoal_old_rows" WHERE "desiredState" = 'RUNNING'
    ) AS changes
    GROUP BY "tenantId"
  ) AS d
  WHERE u."tenantId" = d."tenantId"
    AND (d."cpus" <> 0 OR d."memMb" <> 0 OR d."diskMb" <> 0 OR d."gpus" <> 0);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "shoal_add_new_claims"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "TenantUsage" u SET
    "cpus" = round((u."cpus" + d."cpus")::numeric, 6),
    "memMb" = round((u."memMb" + d."memMb")::numeric, 6),
    "diskMb" = round((u."diskMb" + d."diskMb")::numeric, 6),
    "gpus" = round((u."gpus" + d."gpus")::numeric, 6)
  FROM (
    SELECT "tenantId", sum("shoal_quota_claim"("cpus", "bestEffort")) AS "cpus",
           sum("shoal_quota_claim"("memMb", "bestEffort")) AS "memMb",
           sum("diskMb") AS "diskMb", sum("gpus") AS "gpus"
    FROM "shoal_new_rows" WHERE "desiredState" = 'RUNNING' GROUP BY "tenantId"
  ) AS d
  WHERE u."tenantId" = d."tenantId";
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "shoal_drop_old_claims"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "TenantUsage" u SET
    "cpus" = round((u."cpus" - d."cpus")::numeric, 6),
    "memMb" = round((u."memMb" - d."memMb")::numeric, 6),
    "diskMb" = round((u."diskMb" - d."diskMb")::numeric, 6),
    "gpus" = round((u."gpus" - d."gpus")::numeric, 6)
  FROM (
    SELECT "tenantId", sum("shoal_quota_claim"("cpus", "bestEffort")) AS "cpus",
           sum("shoal_quota_claim"("memMb", "bestEffort")) AS "memMb",
           sum("diskMb") AS "diskMb", sum("gpus") AS "gpus"
    FROM "shoal_old_rows" WHERE "desiredState" = 'RUNNING' GROUP BY "tenantId"
  ) AS d
  WHERE u."tenantId" = d."tenantId";
  RETURN NULL;
END $$;

-- What containers meant to run claim under the rule above.
UPDATE "TenantUsage" u SET
  "cpus" = coalesce(s."cpus", 0), "memMb" = coalesce(s."memMb", 0),
  "diskMb" = coalesce(s."diskMb", 0), "gpus" = coalesce(s."gpus", 0)
FROM "Tenant" t
LEFT JOIN (
  SELECT "tenantId",
         round(sum("shoal_quota_claim"("cpus", "bestEffort"))::numeric, 6) AS "cpus",
         round(sum("shoal_quota_claim"("memMb", "bestEffort"))::numeric, 6) AS "memMb",
         round(sum("diskMb")::numeric, 6) AS "diskMb", round(sum("gpus")::numeric, 6) AS "gpus"
  FROM "Container" WHERE "desiredState" = 'RUNNING' GROUP BY "tenantId"
) s ON s."tenantId" = t.id
WHERE u."tenantId" = t.id;
-- shoal:procedural-end
