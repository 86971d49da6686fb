CREATE TYPE "public"."sync_mode" AS ENUM('full', 'incremental');--> statement-breakpoint
CREATE TYPE "public"."sync_run_status" AS ENUM('queued', 'running', 'completed', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."sync_trigger" AS ENUM('schedule', 'manual', 'webhook', 'cli');--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'restore' BEFORE 'disconnect_contacts';--> statement-breakpoint
CREATE TABLE "sync_run_seen" (
	"organization_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	CONSTRAINT "sync_run_seen_organization_id_run_id_external_id_pk" PRIMARY KEY("organization_id","run_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"organization_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"mode" "sync_mode" NOT NULL,
	"trigger" "sync_trigger" NOT NULL,
	"status" "sync_run_status" DEFAULT 'queued' NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"pages" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"archived" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	CONSTRAINT "sync_runs_organization_id_id_pk" PRIMARY KEY("organization_id","id")
);
--> statement-breakpoint
DROP INDEX "contacts_email_unique";--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "contact_source_connection_id" uuid;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "status_message" text;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "last_full_sync_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "next_sync_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_run_seen" ADD CONSTRAINT "sync_run_seen_organization_id_run_id_sync_runs_organization_id_id_fk" FOREIGN KEY ("organization_id","run_id") REFERENCES "public"."sync_runs"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_organization_id_connection_id_connections_organization_id_id_fk" FOREIGN KEY ("organization_id","connection_id") REFERENCES "public"."connections"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_runs_connection_idx" ON "sync_runs" USING btree ("organization_id","connection_id","queued_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_queued" ON "sync_runs" USING btree ("organization_id","connection_id") WHERE "sync_runs"."status" = 'queued';--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_running" ON "sync_runs" USING btree ("organization_id","connection_id") WHERE "sync_runs"."status" = 'running';--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_id_contact_source_connection_id_connections_organization_id_id_fk" FOREIGN KEY ("id","contact_source_connection_id") REFERENCES "public"."connections"("organization_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connections_id_unique" ON "connections" USING btree ("id");--> statement-breakpoint
CREATE INDEX "connections_next_sync_idx" ON "connections" USING btree ("next_sync_at");--> statement-breakpoint
CREATE INDEX "customers_source_idx" ON "customers" USING btree ("organization_id","source_connection_id");--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_email_unique" ON "contacts" USING btree ("organization_id","customer_id",lower("email")) WHERE "contacts"."archived_at" is null;