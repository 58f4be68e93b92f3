package postgres

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"fundhub"
)

// upsertTarget stores a performance target keyed by (source, external id).
func upsertTarget(ctx context.Context, tx *sqlx.Tx, rec *fundhub.TargetRecord,
	now time.Time) (fundhub.Outcome, error) {
	fundID, err := ensureFund(ctx, tx, rec.Fund)
	if err != nil {
		return "", err
	}

	var inserted bool
	err = tx.GetContext(ctx, &inserted, `INSERT INTO performance_targets (region_code,
		fund_id, year, level1, level2, indicator, unit, comparator, target_value,
		target_text, source_system, external_id, last_synced_at)
		VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, NULLIF($7, ''),
			NULLIF($8, ''), $9, NULLIF($10, ''), $11, $12, $13)
		ON CONFLICT (source_system, external_id) WHERE source_system IS NOT NULL
		DO UPDATE SET region_code = EXCLUDED.region_code, fund_id = EXCLUDED.fund_id,
			year = EXCLUDED.year, level1 = EXCLUDED.level1, level2 = EXCLUDED.level2,
			indicator = EXCLUDED.indicator, unit = EXCLUDED.unit,
			comparator = EXCLUDED.comparator, target_value = EXCLUDED.target_value,
			target_text = EXCLUDED.target_text, last_synced_at = EXCLUDED.last_synced_at
		WHERE (performance_targets.region_code, performance_targets.fund_id,
			performance_targets.year, performance_targets.level1,
			performance_targets.level2, performance_targets.indicator,
			performance_targets.unit, performance_targets.comparator,
			performance_targets.target_value, performance_targets.target_text)
		IS DISTINCT FROM (EXCLUDED.region_code, EXCLUDED.fund_id, EXCLUDED.year,
			EXCLUDED.level1, EXCLUDED.level2, EXCLUDED.indicator, EXCLUDED.unit,
			EXCLUDED.comparator, EXCLUDED.target_value, EXCLUDED.target_text)
		RETURNING xmax = 0`, rec.RegionCode, fundID, rec.Fund.Year, rec.Level1,
		rec.Level2, rec.Indicator, rec.Unit, rec.Comparator, rec.TargetValue,
		rec.TargetText, rec.SourceSystem, rec.ExternalID, now)

	return outcome(inserted, err, "target "+rec.ExternalID)
}
