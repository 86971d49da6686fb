-- The API's counters are written twice by every request (platform/http/limits.ts). Unlogged, those
-- writes make no WAL and their commits wait for no disk flush: the limits cost a request far less.
-- A database server crash empties them, which forgets the minute's counts and gives back every
-- place in flight, as the crash ended those requests anyway.
ALTER TABLE "api_usage" SET UNLOGGED;--> statement-breakpoint
ALTER TABLE "api_requests_in_flight" SET UNLOGGED;
