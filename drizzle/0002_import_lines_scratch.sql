-- Staged lines are a run's scratch space, rewritten by every pass of the plan. Unlogged: no WAL
-- for them (PostgreSQL empties an unlogged table after a server crash; a run that resumes with
-- its lines gone stages the file again, see imports/apply/run.ts). Half-filled pages and no
-- index on a column the plan rewrites let most passes update rows in place (HOT).
DROP INDEX "import_lines_customer_key_idx";--> statement-breakpoint
ALTER TABLE "import_lines" SET UNLOGGED;--> statement-breakpoint
ALTER TABLE "import_lines" SET (fillfactor = 50);
