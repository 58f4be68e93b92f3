package postgres

import (
	"database/sql"

	"fundhub"
)

// bulkPaymentSQL upserts arrays of payments. The old rows are read before
// the upsert in the same statement (one snapshot), so the audit records
// pair each update's before and after.
const bulkPaymentSQL = `
WITH incoming AS (
	SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::numeric[],
		$5::date[], $6::text[], $7::text[], $8::text[], $9::text[])
	AS t(allocation_id, region_code, source, amount, paid_on, reverses, project,
		system, ext)
), old AS (
	SELECT p.* FROM payments p JOIN incoming i
		ON p.source_system = i.system AND p.external_id = i.ext
), up AS (
	INSERT INTO payments (allocation_id, region_code, source, amount, paid_on,
		reverses_external_id, project_code, source_system, external_id, last_synced_at)
	SELECT allocation_id, region_code, NULLIF(source, ''), amount, paid_on,
		NULLIF(reverses, ''), NULLIF(project, ''), system, ext, $10 FROM incoming
	ON CONFLICT (source_system, external_id) WHERE source_system IS NOT NULL
	DO UPDATE SET allocation_id = EXCLUDED.allocation_id,
		region_code = EXCLUDED.region_code, source = EXCLUDED.source,
		amount = EXCLUDED.amount, paid_on = EXCLUDED.paid_on,
		reverses_external_id = EXCLUDED.reverses_external_id,
		reverses_id = CASE WHEN payments.reverses_external_id
			IS NOT DISTINCT FROM EXCLUDED.reverses_external_id
			THEN payments.reverses_id END,
		project_code = EXCLUDED.project_code, withdrawn = false,
		last_synced_at = EXCLUDED.last_synced_at
	WHERE (payments.allocation_id, payments.region_code, payments.source,
		payments.amount, payments.paid_on, payments.reverses_external_id,
		payments.project_code, payments.withdrawn)
	IS DISTINCT FROM (EXCLUDED.allocation_id, EXCLUDED.region_code, EXCLUDED.source,
		EXCLUDED.amount, EXCLUDED.paid_on, EXCLUDED.reverses_external_id,
		EXCLUDED.project_code, false)
	RETURNING payments.external_id, payments.source_system, xmax = 0 AS inserted,
		CASE WHEN xmax <> 0 THEN to_jsonb(payments.*) END AS after
), audit AS (
	INSERT INTO audit_log (actor, action, entity, entity_id, before, after)
	SELECT 'sync:' || up.source_system, 'sync.update', 'payment', up.external_id,
		to_jsonb(old.*), up.after
	FROM up JOIN old ON old.source_system = up.source_system
		AND old.external_id = up.external_id
	WHERE NOT up.inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted,
	count(*) FILTER (WHERE NOT inserted) AS updated FROM up`

// paymentCols holds a batch of payments column by column, for unnest.
type paymentCols struct {
	alloc                                             []sql.NullInt64
	region, source, amount, paidOn, reverses, project []string
	system, ext                                       []string
}

func paymentColumns(items []*fundhub.SyncItem) paymentCols {
	n := len(items)
	c := paymentCols{alloc: make([]sql.NullInt64, n), region: make([]string, n),
		source: make([]string, n), amount: make([]string, n), paidOn: make([]string, n),
		reverses: make([]string, n), project: make([]string, n), system: make([]string, n),
		ext: make([]string, n)}
	for i, it := range items {
		p := it.Payment
		if p.AllocationID != nil {
			c.alloc[i] = sql.NullInt64{Int64: *p.AllocationID, Valid: true}
		}
		c.region[i], c.source[i], c.amount[i] = p.RegionCode, string(p.Source), p.Amount.String()
		c.paidOn[i] = p.PaidOn.Format("2006-01-02")
		c.reverses[i], c.project[i] = p.Reverses, p.ProjectCode
		c.system[i], c.ext[i] = p.SourceSystem, p.ExternalID
	}

	return c
}
