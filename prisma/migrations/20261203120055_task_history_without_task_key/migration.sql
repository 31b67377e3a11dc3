-- DropForeignKey
ALTER TABLE "TaskUpdate" DROP CONSTRAINT "TaskUpdate_taskId_fkey";

-- shoal:procedural-begin
-- What the foreign key did when tasks are deleted (a container removed, a queued task
-- dropped): their history goes with them, once per statement.
CREATE FUNCTION "shoal_forget_task_history"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "TaskUpdate" h USING "shoal_gone_tasks" g WHERE h."taskId" = g."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "Task_forget_history" AFTER DELETE ON "Task"
  REFERENCING OLD TABLE AS "shoal_gone_tasks"
  FOR EACH STATEMENT EXECUTE FUNCTION "shoal_forget_task_history"();
-- shoal:procedural-end
