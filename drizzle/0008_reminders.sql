CREATE TYPE "public"."reminder_status" AS ENUM('queued', 'sent', 'failed');--> statement-breakpoint
CREATE TYPE "public"."step_recipient" AS ENUM('main', 'ACCOUNTING', 'SALES', 'PURCHASER', 'PAYER');--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'send';--> statement-breakpoint
ALTER TYPE "public"."audit_entity" ADD VALUE 'reminder';--> statement-breakpoint
CREATE TABLE "reminder_bounces" (
	"organization_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"reminder_id" uuid NOT NULL,
	"email" text NOT NULL,
	"kind" text NOT NULL,
	"reason" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reminder_bounces_organization_id_id_pk" PRIMARY KEY("organization_id","id")
);
--> statement-breakpoint
CREATE TABLE "reminders" (
	"organization_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"step_id" uuid,
	"step_name" text NOT NULL,
	"to" jsonb NOT NULL,
	"cc" jsonb NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"status" "reminder_status" DEFAULT 'queued' NOT NULL,
	"reason" text,
	"message_id" text NOT NULL,
	"actor_kind" "actor_kind" NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "reminders_organization_id_id_pk" PRIMARY KEY("organization_id","id")
);
--> statement-breakpoint
CREATE TABLE "workflow_steps" (
	"organization_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"workflow_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"delay_days" integer NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"to" "step_recipient"[] NOT NULL,
	"cc" "step_recipient"[] NOT NULL,
	CONSTRAINT "workflow_steps_organization_id_id_pk" PRIMARY KEY("organization_id","id")
);
--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "bounced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "bounce_reason" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "do_not_remind" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "reminder_bounces" ADD CONSTRAINT "reminder_bounces_organization_id_reminder_id_reminders_organization_id_id_fk" FOREIGN KEY ("organization_id","reminder_id") REFERENCES "public"."reminders"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_organization_id_customer_id_customers_organization_id_id_fk" FOREIGN KEY ("organization_id","customer_id") REFERENCES "public"."customers"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_steps" ADD CONSTRAINT "workflow_steps_organization_id_workflow_id_workflows_organization_id_id_fk" FOREIGN KEY ("organization_id","workflow_id") REFERENCES "public"."workflows"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reminders_customer_idx" ON "reminders" USING btree ("organization_id","customer_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reminders_message_id_unique" ON "reminders" USING btree (lower("message_id"));--> statement-breakpoint
CREATE INDEX "workflow_steps_workflow_idx" ON "workflow_steps" USING btree ("organization_id","workflow_id","position");