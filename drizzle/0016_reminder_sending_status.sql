ALTER TYPE "public"."reminder_status" ADD VALUE 'sending' BEFORE 'sent';--> statement-breakpoint
ALTER TYPE "public"."reminder_status" ADD VALUE 'unconfirmed' BEFORE 'failed';