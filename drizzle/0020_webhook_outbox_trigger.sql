-- Outbound webhooks: every change to a customer or contact writes its audit row in the change's
-- own transaction (the API, the CLI, the import merge, the sync), so a trigger on audit_events
-- writes the outbox in that same transaction, whoever the writer. It runs once per statement over
-- the statement's new rows (a transition table): an organisation without an enabled endpoint
-- costs one look-up of webhook_endpoints per statement, not per row.
-- Compared as text: an enum value added earlier in the same migration run cannot be named yet.
CREATE OR REPLACE FUNCTION roster_webhook_event_type(entity text, action text)
  RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN entity = 'customer' AND action = 'create' THEN 'customer.created'
    WHEN entity = 'customer' AND action IN ('update', 'restore') THEN 'customer.updated'
    WHEN entity = 'customer' AND action = 'archive' THEN 'customer.archived'
    WHEN entity = 'contact' AND action = 'create' THEN 'contact.created'
    WHEN entity = 'contact' AND action IN ('update', 'restore') THEN 'contact.updated'
    WHEN entity = 'contact' AND action IN ('delete', 'archive') THEN 'contact.deleted'
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
    CROSS JOIN LATERAL (SELECT roster_webhook_event_type(n.entity::text, n.action::text) AS type) t
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
--> statement-breakpoint
CREATE TRIGGER audit_events_webhook_outbox AFTER INSERT ON audit_events
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION roster_webhook_outbox();
