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

-- What the two keys' cascades did, once per statement: a deleted tenant's containers go
-- with it, and a deleted container's tasks (whose history and log marks then go with
-- them). The trigger names the table to delete from and its column holding the gone id.
CREATE FUNCTION "shoal_cascade_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DELETE FROM %I c USING "shoal_gone" g WHERE c.%I = g."id"',
                 TG_ARGV[0], TG_ARGV[1]);
  RETURN NULL;
END $$;

CREATE TRIGGER "Tenant_forget_containers" AFTER DELETE ON "Tenant"
  REFERENCING OLD TABLE AS "shoal_gone"
  FOR EACH STATEMENT EXECUTE FUNCTION "shoal_cascade_delete"('Container', 'tenantId');

CREATE TRIGGER "Container_forget_tasks" AFTER DELETE ON "Container"
  REFERENCING OLD TABLE AS "shoal_gone"
  FOR EACH STATEMENT EXECUTE FUNCTION "shoal_cascade_delete"('Task', 'containerId');
-- shoal:procedural-end
