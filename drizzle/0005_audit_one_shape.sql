-- One audit shape: rows written before the field catalogue take the shape every writer records
-- now (names a person can read, not ids). The import and the sync wrote groupId, workflowId and
-- sourceConnectionId; the API wrote the group as an object. Names are today's: a group, workflow
-- or connection removed since leaves null.
CREATE FUNCTION roster_audit_0005(org uuid, entity text, x jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN x IS NULL OR jsonb_typeof(x) <> 'object' THEN x
    WHEN entity = 'customer' AND x ? 'sourceConnectionId' THEN
      (x - 'groupId' - 'workflowId' - 'sourceConnectionId') || jsonb_build_object(
        'group', (SELECT g.name FROM customers g
          WHERE g.organization_id = org AND g.id = (x ->> 'groupId')::uuid),
        'workflow', (SELECT w.name FROM workflows w
          WHERE w.organization_id = org AND w.id = (x ->> 'workflowId')::uuid),
        'source', CASE WHEN x ->> 'sourceConnectionId' IS NULL THEN 'roster'
          ELSE (SELECT s.system::text FROM connections s
            WHERE s.organization_id = org AND s.id = (x ->> 'sourceConnectionId')::uuid) END)
    WHEN entity = 'customer' AND jsonb_typeof(x -> 'group') = 'object' THEN
      jsonb_set(x, '{group}', coalesce(x -> 'group' -> 'name', 'null'::jsonb))
    WHEN entity = 'contact' AND x ? 'sourceConnectionId' THEN
      (x - 'sourceConnectionId') || jsonb_build_object(
        'source', CASE WHEN x ->> 'sourceConnectionId' IS NULL THEN 'roster'
          ELSE (SELECT s.system::text FROM connections s
            WHERE s.organization_id = org AND s.id = (x ->> 'sourceConnectionId')::uuid) END)
    ELSE x
  END
$$;
--> statement-breakpoint
UPDATE audit_events SET
  before = roster_audit_0005(organization_id, entity::text, before),
  after = roster_audit_0005(organization_id, entity::text, after)
WHERE entity IN ('customer', 'contact')
  AND (before ? 'sourceConnectionId' OR after ? 'sourceConnectionId'
    OR jsonb_typeof(before -> 'group') = 'object' OR jsonb_typeof(after -> 'group') = 'object');
--> statement-breakpoint
DROP FUNCTION roster_audit_0005(uuid, text, jsonb);
