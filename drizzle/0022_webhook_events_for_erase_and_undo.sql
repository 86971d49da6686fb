-- An erasure (GDPR) and an import's undo are changes the outbound webhooks tell too: an erased
-- contact is gone as far as other systems should know (contact.deleted, without its data); an
-- undo that puts values back is an update, and one that removes a contact the import created is
-- a contact.deleted. A customer an undo removes sends nothing, as a customer deleted by hand.
DROP FUNCTION IF EXISTS roster_webhook_event_type(text, text);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION roster_webhook_event_type(entity text, action text, removed boolean)
  RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN entity = 'customer' AND action = 'create' THEN 'customer.created'
    WHEN entity = 'customer' AND action IN ('update', 'restore') THEN 'customer.updated'
    WHEN entity = 'customer' AND action = 'undo' AND NOT removed THEN 'customer.updated'
    WHEN entity = 'customer' AND action = 'archive' THEN 'customer.archived'
    WHEN entity = 'contact' AND action = 'create' THEN 'contact.created'
    WHEN entity = 'contact' AND action IN ('update', 'restore') THEN 'contact.updated'
    WHEN entity = 'contact' AND action = 'undo' AND NOT removed THEN 'contact.updated'
    WHEN entity = 'contact' AND action = 'undo' AND removed THEN 'contact.deleted'
    WHEN entity = 'contact' AND action IN ('delete', 'archive', 'erase') THEN 'contact.deleted'
  END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION roster_webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    RETURN NULL;
  END IF;
  WITH events AS (
    INSERT INTO webhook_outbox (organization_id, type, audit_event_id, occurred_at)
    SELECT n.organization_id, t.type, n.id, n.at
    FROM changed n
    CROSS JOIN LATERAL (
      SELECT roster_webhook_event_type(n.entity::text, n.action::text, n.after IS NULL) AS type
    ) t
    WHERE t.type IS NOT NULL
      AND (n.action::text <> 'update' OR n.before IS DISTINCT FROM n.after)
      AND EXISTS (
        SELECT 1 FROM webhook_endpoints e
        WHERE e.organization_id = n.organization_id AND e.enabled AND t.type = ANY (e.events))
    RETURNING organization_id, id, type
  )
  INSERT INTO webhook_deliveries (organization_id, endpoint_id, event_id)
  SELECT ev.organization_id, e.id, ev.id
  FROM events ev
  JOIN webhook_endpoints e
    ON e.organization_id = ev.organization_id AND e.enabled AND ev.type = ANY (e.events);
  RETURN NULL;
END $$;
