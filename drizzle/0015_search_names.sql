DROP INDEX "customers_name_trgm_idx";--> statement-breakpoint
CREATE INDEX "customers_name_fold_trgm_idx" ON "customers" USING gin (roster_fold("name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "contacts_name_fold_trgm_idx" ON "contacts" USING gin (roster_fold(coalesce("first_name", '') || ' ' || coalesce("last_name", '')) gin_trgm_ops);