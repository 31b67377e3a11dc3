-- shoal:procedural-begin
-- A deleted task's history goes with it through the one function that does what the
-- dropped foreign keys' cascades did (migration containers_and_tasks_without_keys), in
-- place of the function of its own it had before that one existed.
DROP TRIGGER "Task_forget_history" ON "Task";
DROP FUNCTION "shoal_forget_task_history"();

CREATE TRIGGER "Task_forget_history" AFTER DELETE ON "Task"
  REFERENCING OLD TABLE AS "shoal_gone"
  FOR EACH STATEMENT EXECUTE FUNCTION "shoal_cascade_delete"('TaskUpdate', 'taskId');
-- shoal:procedural-end
