-- The customers search compares text folded to lower case without accents ("Élodie" finds
-- "elodie"). unaccent() is only stable (its dictionary could change), so an index cannot use it;
-- this wrapper names the dictionary and is declared immutable, so the trigram indexes can.
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
CREATE OR REPLACE FUNCTION roster_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;
