ALTER TYPE "public"."audit_action" ADD VALUE 'erase';--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "file_erased_at" timestamp with time zone;