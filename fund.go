package fundhub

import (
	"context"
	"time"
)

// FundCategory says whose money a fund is.
type FundCategory string

// The three categories of fund in the notice.
const (
	// CategoryCentral is 中央财政支持专项相关资金: central special transfers.
	CategoryCentral FundCategory = "CENTRAL"
	// CategoryLocal is 地方财政支持专项相关资金: a province, city or county
	// budget's own special fund, with no central money.
	CategoryLocal FundCategory = "LOCAL"
	// CategorySocial is 社会资金: no fiscal money at all.
	CategorySocial FundCategory = "SOCIAL"
)

// Valid reports whether c is a known category.
func (c FundCategory) Valid() bool {
	switch c {
	case CategoryCentral, CategoryLocal, CategorySocial:
		return true
	}

	return false
}

// Direction is the field of work a fund serves. Directions are a table, not
// a closed list, so new ones can be added; these two are always present.
type Direction string

// Directions named by the notice.
const (
	DirectionEcoRestoration Direction = "ECO_RESTORATION"
	DirectionGeohazard      Direction = "GEOHAZARD"
	DirectionDisasterRelief Direction = "DISASTER_RELIEF"
	DirectionOther          Direction = "OTHER"
)

// FundSource is where an amount of money comes from. Every amount keeps its
// source.
type FundSource string

// The sources of money within a fund.
const (
	SourceCentralTransfer  FundSource = "CENTRAL_TRANSFER"
	SourceProvinceMatch    FundSource = "PROVINCE_MATCH"
	SourceCityMatch        FundSource = "CITY_MATCH"
	SourceCountyMatch      FundSource = "COUNTY_MATCH"
	SourceResponsibleParty FundSource = "RESPONSIBLE_PARTY"
	SourceSocialInvestment FundSource = "SOCIAL_INVESTMENT"
)

// Valid reports whether s is a known source.
func (s FundSource) Valid() bool {
	switch s {
	case SourceCentralTransfer, SourceProvinceMatch, SourceCityMatch,
		SourceCountyMatch, SourceResponsibleParty, SourceSocialInvestment:
		return true
	}

	return false
}

// Fiscal reports whether the source is budget money. Social funds carry no
// fiscal source.
func (s FundSource) Fiscal() bool {
	switch s {
	case SourceCentralTransfer, SourceProvinceMatch, SourceCityMatch,
		SourceCountyMatch:
		return true
	}

	return false
}

// Fund is one fund of one budget year, such as the 2020 中央对地方重点生态
// 功能区转移支付. A fund is identified by its name and year.
type Fund struct {
	ID        int64        `db:"id"`
	Code      *string      `db:"code"`
	Name      string       `db:"name"`
	Year      int          `db:"year"`
	Category  FundCategory `db:"category"`
	Direction Direction    `db:"direction"`
	// LocalLevel is the level whose budget set up a LOCAL fund.
	LocalLevel *RegionLevel `db:"local_level"`
	// OwnerRegion is the region whose budget holds the fund: the nation for
	// central funds, the budget's region for local ones.
	OwnerRegion string `db:"owner_region"`
	Provenance
}

// Provenance says where a record synced from a source came from. Records
// entered by people have no source system.
type Provenance struct {
	SourceSystem *string    `db:"source_system"`
	ExternalID   *string    `db:"external_id"`
	LastSyncedAt *time.Time `db:"last_synced_at"`
}

// FundFilter selects funds. Nil fields do not filter.
type FundFilter struct {
	Year      *int
	Category  *FundCategory
	Direction *Direction
	NameLike  *string
}

// FundService reads funds.
type FundService interface {
	// FindFund returns the fund, or ENOTFOUND if it does not exist or lies
	// outside the scope.
	FindFund(ctx context.Context, scope Scope, id int64) (*Fund, error)
	// FindFunds returns one page of funds and the count of all that match.
	FindFunds(ctx context.Context, scope Scope, f FundFilter, p Page) ([]*Fund, int, error)
	// FundsByIDs returns the visible funds among ids, for dataloaders.
	FundsByIDs(ctx context.Context, scope Scope, ids []int64) ([]*Fund, error)
}
