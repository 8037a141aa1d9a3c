-- Any change to plan content announces itself on the cache channel. PostgreSQL sends the
-- notification when (and only if) the transaction commits, and merges duplicates within one
-- transaction, so every app instance drops its cached plan pages exactly when they go stale,
-- whichever code path (or person with psql) made the change.
CREATE OR REPLACE FUNCTION mitsprache_plans_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mitsprache_cache', 'plans');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER consultation_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "consultation" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
--> statement-breakpoint
CREATE TRIGGER phase_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "phase" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
--> statement-breakpoint
CREATE TRIGGER plan_version_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "plan_version" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
--> statement-breakpoint
CREATE TRIGGER principle_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "principle" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
--> statement-breakpoint
CREATE TRIGGER field_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "field" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
--> statement-breakpoint
CREATE TRIGGER goal_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "goal" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
--> statement-breakpoint
CREATE TRIGGER measure_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "measure" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
--> statement-breakpoint
CREATE TRIGGER measure_department_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "measure_department" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
--> statement-breakpoint
CREATE TRIGGER measure_committee_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "measure_committee" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
--> statement-breakpoint
CREATE TRIGGER department_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "department" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
--> statement-breakpoint
CREATE TRIGGER committee_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "committee" FOR EACH STATEMENT EXECUTE FUNCTION mitsprache_plans_changed();
