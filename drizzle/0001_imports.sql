CREATE TYPE "public"."import_status" AS ENUM('uploaded', 'mapped', 'queued', 'running', 'completed', 'failed', 'cancelled');--> statement-breakpoint
CREATE TABLE "import_files" (
	"organization_id" uuid NOT NULL,
	"import_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "import_files_organization_id_import_id_seq_pk" PRIMARY KEY("organization_id","import_id","seq")
);
--> statement-breakpoint
CREATE TABLE "import_lines" (
	"organization_id" uuid NOT NULL,
	"import_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"customer_external_id" text,
	"customer_name" text,
	"accounting_code" text,
	"vat_number" text,
	"address" text,
	"postal_code" text,
	"city" text,
	"country" char(2),
	"group_external_id" text,
	"group_name" text,
	"account_manager_ids" uuid[],
	"workflow_id" uuid,
	"contact_email" text,
	"contact_first_name" text,
	"contact_last_name" text,
	"contact_phone" text,
	"contact_external_id" text,
	"contact_role" "contact_role",
	"contact_is_main" boolean,
	"customer_key" text,
	"customer_id" uuid,
	"customer_is_new" boolean DEFAULT false NOT NULL,
	"group_key" text,
	"group_id" uuid,
	"contact_key" text,
	"contact_id" uuid,
	"contact_is_new" boolean DEFAULT false NOT NULL,
	"rejected" boolean DEFAULT false NOT NULL,
	"customer_outcome" text,
	"contact_outcome" text,
	"chunk" integer,
	CONSTRAINT "import_lines_organization_id_import_id_line_pk" PRIMARY KEY("organization_id","import_id","line")
);
--> statement-breakpoint
CREATE TABLE "import_rejections" (
	"organization_id" uuid NOT NULL,
	"import_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"column" text,
	"value" text,
	"reason" text NOT NULL,
	CONSTRAINT "import_rejections_organization_id_import_id_line_pk" PRIMARY KEY("organization_id","import_id","line")
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"organization_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"actor_kind" "actor_kind" NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"file_name" text NOT NULL,
	"file_size" integer NOT NULL,
	"file_sha256" text NOT NULL,
	"read" jsonb NOT NULL,
	"columns" jsonb NOT NULL,
	"mapping" jsonb,
	"status" "import_status" DEFAULT 'uploaded' NOT NULL,
	"lines_read" integer DEFAULT 0 NOT NULL,
	"lines_total" integer,
	"lines_done" integer DEFAULT 0 NOT NULL,
	"staged_at" timestamp with time zone,
	"chunk_count" integer,
	"chunks_applied" integer DEFAULT 0 NOT NULL,
	"summary" jsonb,
	"dry_run" jsonb,
	"error" text,
	"cancel_requested_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "imports_organization_id_id_pk" PRIMARY KEY("organization_id","id")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"organization_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"member_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"subject" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone,
	CONSTRAINT "notifications_organization_id_id_pk" PRIMARY KEY("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "import_files" ADD CONSTRAINT "import_files_organization_id_import_id_imports_organization_id_id_fk" FOREIGN KEY ("organization_id","import_id") REFERENCES "public"."imports"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_lines" ADD CONSTRAINT "import_lines_organization_id_import_id_imports_organization_id_id_fk" FOREIGN KEY ("organization_id","import_id") REFERENCES "public"."imports"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_rejections" ADD CONSTRAINT "import_rejections_organization_id_import_id_imports_organization_id_id_fk" FOREIGN KEY ("organization_id","import_id") REFERENCES "public"."imports"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_organization_id_member_id_members_organization_id_id_fk" FOREIGN KEY ("organization_id","member_id") REFERENCES "public"."members"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_lines_chunk_idx" ON "import_lines" USING btree ("organization_id","import_id","chunk");--> statement-breakpoint
CREATE INDEX "import_lines_customer_key_idx" ON "import_lines" USING btree ("organization_id","import_id","customer_key");--> statement-breakpoint
CREATE INDEX "imports_history_idx" ON "imports" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "notifications_member_idx" ON "notifications" USING btree ("organization_id","member_id","created_at");