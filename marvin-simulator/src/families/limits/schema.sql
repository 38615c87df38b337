-- Resource limits: the tables (resource_limits, resource_counts) belong to
-- the identity family's schema; this family owns their commands and the
-- reserve/release seam (families/limits/api.rs). Counts are per account and
-- per domain (owner_id); storage counts are in bytes, storage limits in GiB.
CREATE INDEX IF NOT EXISTS resource_counts_type ON resource_counts(resource_type);

-- Deleting an account takes its counts off its domains' counts (the
-- identity family then drops the account's own rows).
INSERT INTO account_cleanup (event, table_name, statement) VALUES
    ('delete', 'resource_counts',
     'UPDATE resource_counts SET count = max(0, count - COALESCE((SELECT c.count FROM resource_counts c
          WHERE c.owner_id = ?1 AND c.resource_type = resource_counts.resource_type), 0))
      WHERE owner_id IN (WITH RECURSIVE chain(id) AS (
          SELECT domain_id FROM accounts WHERE id = ?1
          UNION SELECT d.parent_id FROM domains d JOIN chain ON d.id = chain.id WHERE d.parent_id IS NOT NULL)
        SELECT id FROM chain)');
