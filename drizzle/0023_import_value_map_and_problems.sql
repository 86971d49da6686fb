ALTER TABLE "import_rejections" ADD COLUMN "seq" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_rejections" ADD COLUMN "field" text;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "value_map" jsonb;--> statement-breakpoint
ALTER TABLE "import_rejections" DROP CONSTRAINT "import_rejections_organization_id_import_id_line_pk";--> statement-breakpoint
ALTER TABLE "import_rejections" ADD CONSTRAINT "import_rejections_organization_id_import_id_line_seq_pk" PRIMARY KEY("organization_id","import_id","line","seq");
