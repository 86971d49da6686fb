ALTER TABLE "import_rejections" ADD COLUMN "seq" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_rejections" ADD COLUMN "field" text;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "value_map" jsonb;