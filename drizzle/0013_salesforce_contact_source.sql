CREATE TABLE "source_accounts" (
	"organization_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"name" text NOT NULL,
	"match_value" text,
	"owner_email" text,
	"customer_id" uuid,
	"confirmed_customer_id" uuid,
	"ambiguous" boolean DEFAULT false NOT NULL,
	"contact_count" integer DEFAULT 0 NOT NULL,
	"deleted_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "source_accounts_organization_id_connection_id_external_id_pk" PRIMARY KEY("organization_id","connection_id","external_id")
);
--> statement-breakpoint
ALTER TABLE "contacts" ALTER COLUMN "email" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "contacts_connection_id" uuid;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "job_title" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "email_opted_out" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "source_accounts" ADD CONSTRAINT "source_accounts_organization_id_connection_id_connections_organization_id_id_fk" FOREIGN KEY ("organization_id","connection_id") REFERENCES "public"."connections"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "source_accounts_match_idx" ON "source_accounts" USING btree ("organization_id","connection_id","match_value");--> statement-breakpoint
CREATE INDEX "source_accounts_customer_idx" ON "source_accounts" USING btree ("organization_id","customer_id");--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_organization_id_contacts_connection_id_connections_organization_id_id_fk" FOREIGN KEY ("organization_id","contacts_connection_id") REFERENCES "public"."connections"("organization_id","id") ON DELETE no action ON UPDATE no action;