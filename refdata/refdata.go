// Package refdata ships the reference data fundhub needs in its binary: the
// GB/T 2260 region list and the public-holiday calendar, with parsers that
// also read newer lists from files. README.md beside this file gives the
// sources and licences.
package refdata

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"fundhub"
)

//go:embed regions.csv holidays.csv
var files embed.FS

// Names of the embedded lists, as recorded in the database's import log.
const (
	RegionsFile  = "regions.csv"
	HolidaysFile = "holidays.csv"
)

// Embedded returns the bytes of an embedded list and their SHA-256 checksum.
func Embedded(name string) ([]byte, string, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, "", fmt.Errorf("reading embedded %s: %w", name, err)
	}

	return b, Checksum(b), nil
}

// Checksum returns the hex SHA-256 of b, which identifies a list's content.
func Checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// separatelyPlanned are the 计划单列市, budgeted apart from their provinces.
var separatelyPlanned = map[string]bool{
	"210200": true, "330200": true, "350200": true, "370200": true, "440300": true,
}

// IsSeparatelyPlanned reports whether code is one of the five 计划单列市.
func IsSeparatelyPlanned(code string) bool { return separatelyPlanned[code] }

// groupingNames are the GB/T 2260 rows that group counties without standing
// for a real prefecture-level government.
var groupingNames = map[string]bool{
	"市辖区": true, "县": true, "省直辖县级行政区划": true, "自治区直辖县级行政区划": true,
}

// IsGrouping reports whether a city-level row only groups counties.
func IsGrouping(level fundhub.RegionLevel, name string) bool {
	return level == fundhub.LevelCity && groupingNames[name]
}

// ParseRegions reads a region list in the columns code,name,level,
// parent_code (levels province, city, county; an empty parent for a
// province) and an optional successor_code column. Provinces get the
// national root as parent. Errors name the line.
func ParseRegions(r io.Reader) ([]fundhub.RegionImport, error) {
	recs, cols, err := readCSV(r, "code", "name", "level", "parent_code")
	if err != nil {
		return nil, fmt.Errorf("reading region list: %w", err)
	}

	out := make([]fundhub.RegionImport, 0, len(recs))
	seen := make(map[string]int, len(recs))
	for i, rec := range recs {
		ri, err := regionRow(rec, cols)
		if err != nil {
			return nil, fmt.Errorf("region list line %d: %w", i+2, err)
		}
		if first, dup := seen[ri.Code]; dup {
			return nil, fmt.Errorf("region list line %d: code %s is also on line %d",
				i+2, ri.Code, first)
		}
		seen[ri.Code] = i + 2
		out = append(out, ri)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the region list has no regions")
	}

	return out, checkParents(out)
}

// checkParents refuses a list in which a region's parent is not one level
// above it, in the list or the national root.
func checkParents(rows []fundhub.RegionImport) error {
	level := map[string]fundhub.RegionLevel{fundhub.NationalCode: fundhub.LevelNational}
	for _, r := range rows {
		level[r.Code] = r.Level
	}

	for _, r := range rows {
		pl, ok := level[r.ParentCode]
		if !ok {
			return fmt.Errorf("region %s: parent %s is not in the list", r.Code, r.ParentCode)
		}
		if pl.Depth() != r.Level.Depth()-1 {
			return fmt.Errorf("region %s (%s): parent %s is a %s", r.Code,
				strings.ToLower(string(r.Level)), r.ParentCode, strings.ToLower(string(pl)))
		}
	}

	return nil
}

func regionRow(rec []string, cols map[string]int) (fundhub.RegionImport, error) {
	get := func(c string) string { return field(rec, cols, c) }
	ri := fundhub.RegionImport{
		Code:          get("code"),
		Name:          get("name"),
		Level:         fundhub.RegionLevel(strings.ToUpper(get("level"))),
		ParentCode:    get("parent_code"),
		SuccessorCode: get("successor_code"),
	}

	switch {
	case len(ri.Code) != 6 || strings.Trim(ri.Code, "0123456789") != "":
		return ri, fmt.Errorf("code %q is not six digits", ri.Code)
	case ri.Name == "":
		return ri, fmt.Errorf("region %s has no name", ri.Code)
	case !ri.Level.Valid() || ri.Level == fundhub.LevelNational:
		return ri, fmt.Errorf("region %s has unknown level %q", ri.Code, get("level"))
	}
	if ri.ParentCode == "" {
		ri.ParentCode = fundhub.NationalCode
	}

	return ri, nil
}

// ParseHolidays reads a holiday calendar in the columns date,name,
// is_off_day. Errors name the line.
func ParseHolidays(r io.Reader) ([]fundhub.CalendarDay, error) {
	recs, cols, err := readCSV(r, "date", "name", "is_off_day")
	if err != nil {
		return nil, fmt.Errorf("reading calendar: %w", err)
	}

	out := make([]fundhub.CalendarDay, 0, len(recs))
	for i, rec := range recs {
		day, err := time.Parse(time.DateOnly, field(rec, cols, "date"))
		if err != nil {
			return nil, fmt.Errorf("calendar line %d: bad date: %w", i+2, err)
		}
		off := field(rec, cols, "is_off_day")
		if off != "true" && off != "false" {
			return nil, fmt.Errorf("calendar line %d: is_off_day %q is not true or false", i+2, off)
		}
		out = append(out, fundhub.CalendarDay{
			Day: day, Name: field(rec, cols, "name"), OffDay: off == "true",
		})
	}

	return out, nil
}

// readCSV reads all records after the header and maps column names to
// indexes, failing when a required column is missing.
func readCSV(r io.Reader, required ...string) ([][]string, map[string]int, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("empty file")
	}

	cols := make(map[string]int, len(recs[0]))
	for i, h := range recs[0] {
		cols[strings.TrimSpace(h)] = i
	}
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			return nil, nil, fmt.Errorf("missing column %q", c)
		}
	}

	return recs[1:], cols, nil
}

func field(rec []string, cols map[string]int, name string) string {
	i, ok := cols[name]
	if !ok || i >= len(rec) {
		return ""
	}

	return strings.TrimSpace(rec[i])
}

// EmbeddedCalendar returns the working-day calendar of the holiday list
// shipped in the binary, covering the years it lists: for tools and tests
// that count working days without a database.
func EmbeddedCalendar() (*fundhub.Calendar, error) {
	b, _, err := Embedded(HolidaysFile)
	if err != nil {
		return nil, err
	}
	days, err := ParseHolidays(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}

	seen := map[int]bool{}
	var years []int
	for _, d := range days {
		if y := d.Day.Year(); !seen[y] {
			seen[y] = true
			years = append(years, y)
		}
	}

	return fundhub.NewCalendar(days, years), nil
}
