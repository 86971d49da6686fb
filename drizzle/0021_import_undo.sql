ALTER TYPE "public"."audit_action" ADD VALUE 'undo';--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "retry_of" uuid;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "undo" jsonb;--> statement-breakpoint
CREATE INDEX "audit_events_import_idx" ON "audit_events" USING btree ("organization_id","actor_id") WHERE "audit_events"."actor_kind" = 'import';--> statement-breakpoint
CREATE INDEX "imports_retry_of_idx" ON "imports" USING btree ("organization_id","retry_of");