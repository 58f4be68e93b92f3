package graph

import (
	"encoding/base64"
	"strconv"
	"strings"

	"fundhub"
)

const cursorPrefix = "offset:"

// maxOffset bounds the offset a cursor may carry, far above any list.
const maxOffset = 1 << 40

// encodeCursor makes the opaque cursor of the item at offset i.
func encodeCursor(i int) string {
	return base64.StdEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(i)))
}

// pageArgs checks Relay arguments and turns them into a store page. first
// must lie in 0..MaxPageSize; after must be a cursor this API issued.
func pageArgs(first *int, after *string) (fundhub.Page, error) {
	p := fundhub.Page{First: fundhub.DefaultPageSize}
	if first != nil {
		if *first < 0 || *first > fundhub.MaxPageSize {
			return p, fundhub.Invalid("first", "first must be between 0 and %d",
				fundhub.MaxPageSize)
		}
		p.First = *first
	}
	if after == nil || *after == "" {
		return p, nil
	}

	b, err := base64.StdEncoding.DecodeString(*after)
	s, ok := strings.CutPrefix(string(b), cursorPrefix)
	n, nerr := strconv.Atoi(s)
	if err != nil || !ok || nerr != nil || n < 0 || n >= maxOffset {
		return p, fundhub.Invalid("after", "after is not a cursor of this list")
	}
	p.Offset = n + 1

	return p, nil
}

// edges builds the edges of a page with their cursors, and its PageInfo.
// first: 0 asks for no items; the store still fetched the default page for
// the count, and it is dropped here.
func edges[N any, E any](nodes []N, p fundhub.Page, total int, edge func(string, N) E) ([]E,
	*PageInfo) {
	if p.First == 0 {
		nodes = nil
	}
	out := make([]E, len(nodes))
	start := p.Offset
	for i, n := range nodes {
		out[i] = edge(encodeCursor(start+i), n)
	}

	info := &PageInfo{
		HasPreviousPage: start > 0,
		HasNextPage:     start+len(nodes) < total,
	}
	if len(nodes) > 0 {
		first, last := encodeCursor(start), encodeCursor(start+len(nodes)-1)
		info.StartCursor, info.EndCursor = &first, &last
	}

	return out, info
}
