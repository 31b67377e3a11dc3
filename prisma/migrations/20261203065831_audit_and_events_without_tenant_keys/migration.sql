-- DropForeignKey
ALTER TABLE "AuditEvent" DROP CONSTRAINT "AuditEvent_tenantId_fkey";

-- DropForeignKey
ALTER TABLE "ContainerEventEntry" DROP CONSTRAINT "ContainerEventEntry_tenantId_fkey";

-- shoal:procedural-begin
-- What the two foreign keys did when a tenant is deleted, once per statement: its
-- events go with it, and its audit entries stay, no longer tied to a tenant.
CREATE FUNCTION "shoal_forget_tenants"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "ContainerEventEntry" e USING "shoal_gone" g WHERE e."tenantId" = g."id";
  UPDATE "AuditEvent" a SET "tenantId" = NULL FROM "shoal_gone" g WHERE a."tenantId" = g."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "Tenant_forget" AFTER DELETE ON "Tenant"
  REFERENCING OLD TABLE AS "shoal_gone"
  FOR EACH STATEMENT EXECUTE FUNCTION "shoal_forget_tenants"();
-- shoal:procedural-end
