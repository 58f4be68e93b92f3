package gqlhttp

import (
	"mime"
	"strconv"
	"strings"
)

// mediaRange is one entry of an Accept header.
type mediaRange struct {
	typ, sub string
	q        float64
	index    int
}

// match is how well an Accept header matches one candidate media type.
type match struct {
	q           float64
	specificity int
	index       int
}

// negotiate picks the response media type for the given Accept header
// values. It returns MediaTypeJSON and true when there is no Accept header,
// and MediaTypeJSON and false when the header allows neither media type.
func negotiate(accept []string) (string, bool) {
	ranges := parseAccept(accept)
	if len(ranges) == 0 {
		return MediaTypeJSON, !hasContent(accept)
	}

	gql := bestMatch(ranges, MediaTypeGraphQLResponse)
	legacy := bestMatch(ranges, MediaTypeJSON)
	if gql.q <= 0 && legacy.q <= 0 {
		return MediaTypeJSON, false
	}

	if prefers(gql, legacy) {
		return MediaTypeGraphQLResponse, true
	}

	return MediaTypeJSON, true
}

// prefers reports whether a beats b: by q-value, then by the more specific
// range, then by the range listed first. A full tie goes to b, which
// negotiate passes as application/json, the legacy default.
func prefers(a, b match) bool {
	if a.q != b.q {
		return a.q > b.q
	}

	if a.specificity != b.specificity {
		return a.specificity > b.specificity
	}

	return a.index < b.index
}

// bestMatch finds the most specific range that matches mediaType, the first
// listed among equally specific ones, as RFC 9110 section 12.5.1 asks.
func bestMatch(ranges []mediaRange, mediaType string) match {
	typ, sub, _ := strings.Cut(mediaType, "/")
	best := match{specificity: -1}

	for _, r := range ranges {
		s := specificity(r, typ, sub)
		if s > best.specificity {
			best = match{q: r.q, specificity: s, index: r.index}
		}
	}

	return best
}

// specificity is 2 for an exact match, 1 for type/*, 0 for */* and -1 when
// the range does not match.
func specificity(r mediaRange, typ, sub string) int {
	switch {
	case r.typ == typ && r.sub == sub:
		return 2
	case r.typ == typ && r.sub == "*":
		return 1
	case r.typ == "*" && r.sub == "*":
		return 0
	default:
		return -1
	}
}

// parseAccept splits Accept header values into media ranges, skipping
// entries that do not parse.
func parseAccept(accept []string) []mediaRange {
	var ranges []mediaRange

	for _, value := range accept {
		for entry := range strings.SplitSeq(value, ",") {
			r, ok := parseRange(strings.TrimSpace(entry), len(ranges))
			if ok {
				ranges = append(ranges, r)
			}
		}
	}

	return ranges
}

func parseRange(entry string, index int) (mediaRange, bool) {
	if entry == "" {
		return mediaRange{}, false
	}

	mediaType, params, err := mime.ParseMediaType(entry)
	if err != nil {
		return mediaRange{}, false
	}

	typ, sub, ok := strings.Cut(mediaType, "/")
	if !ok {
		return mediaRange{}, false
	}

	q, ok := parseQ(params["q"])

	return mediaRange{typ: typ, sub: sub, q: q, index: index}, ok
}

// parseQ reads a q parameter; an absent one means 1.
func parseQ(value string) (float64, bool) {
	if value == "" {
		return 1, true
	}

	q, err := strconv.ParseFloat(value, 64)
	if err != nil || q < 0 || q > 1 {
		return 0, false
	}

	return q, true
}

func hasContent(values []string) bool {
	for _, v := range values {
		if strings.Trim(v, " \t,") != "" {
			return true
		}
	}

	return false
}
