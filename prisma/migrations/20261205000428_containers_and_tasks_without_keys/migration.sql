-- shoal:procedural-begin
-- Two foreign keys Prisma's model keeps as relations (its queries join and count through
-- them) but the database no longer checks: each was checked row by row, planned afresh
-- every time (connections force custom plans, see createDb), locking the row it points
-- to, once per container created and once per task queued. The batches that insert
-- containers and tasks lock those rows themselves, once per statement (CreateBatch,
-- StartBatch, Supervisor). Inside these markers, so that the schema diff still reads
-- the relations as the model has them.
ALTER TABLE "Container" DROP CONSTRAINT "Container_tenantId_fkey";
ALTER TABLE "Task" DROP CONSTRAINT "Task_containerId_fkey";

-- What the two foreign keys' cascades did, once per statement: a deleted tenant's
-- containers go with it, and a deleted container's tasks (whose history and log marks
-- then go with them).
CREATE FUNCTION "shoal_forget_tenant_containers"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "Container" c USING "shoal_gone_tenants" g WHERE c."tenantId" = g."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "Tenant_forget_containers" AFTER DELETE ON "Tenant"
  REFERENCING OLD TABLE AS "shoal_gone_tenants"
  FOR EACH STATEMENT EXECUTE FUNCTION "shoal_forget_tenant_containers"();

CREATE FUNCTION "shoal_forget_container_tasks"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "Task" k USING "shoal_gone_containers" g WHERE k."containerId" = g."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "Container_forget_tasks" AFTER DELETE ON "Container"
  REFERENCING OLD TABLE AS "shoal_gone_containers"
  FOR EACH STATEMENT EXECUTE FUNCTION "shoal_forget_container_tasks"();
-- shoal:procedural-end
