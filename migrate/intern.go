package migrate

import (
	"context"
	"slices"
	"strings"
)

// strtab interns strings as dense int32 IDs, so that grouping a million memberships by user
// holds each distinct account or group name once and the memberships as small fixed-size
// structs: the whole input is never held as Go strings.
type strtab struct {
	ids  map[string]int32
	strs []string
}

func newStrtab() *strtab { return &strtab{ids: make(map[string]int32)} }

// id returns s's ID, adding it if new. The stored copy is cloned: s may point into a reader's
// line buffer, which would otherwise stay alive as long as the table.
func (t *strtab) id(s string) int32 {
	if id, ok := t.ids[s]; ok {
		return id
	}
	id := int32(len(t.strs))
	s = strings.Clone(s)
	t.strs = append(t.strs, s)
	t.ids[s] = id
	return id
}

// str returns the string of an ID.
func (t *strtab) str(id int32) string { return t.strs[id] }

// ranks returns each ID's position among the strings sorted bytewise, so that sorting by
// rank sorts by string without comparing strings again.
func (t *strtab) ranks() []int32 {
	order := make([]int32, len(t.strs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(t.strs[a], t.strs[b]) })
	rank := make([]int32, len(order))
	for r, id := range order {
		rank[id] = int32(r)
	}
	return rank
}

// dropIndex frees the lookup map once no more strings are added; str and ranks still work.
func (t *strtab) dropIndex() { t.ids = nil }

// fileTab numbers input file names, so that a position costs an int32 and a line.
type fileTab []string

func (f *fileTab) id(name string) int32 {
	for i, n := range *f {
		if n == name {
			return int32(i)
		}
	}
	*f = append(*f, name)
	return int32(len(*f) - 1)
}

// eachUser calls fn with each run of s whose elements have the same user (s is sorted by
// user), in order, checking ctx every ctxCheckEvery users.
func eachUser[E any](ctx context.Context, s []E, user func(*E) int32, fn func([]E) error) error {
	for i, n := 0, 0; i < len(s); n++ {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		j := i + 1
		for j < len(s) && user(&s[j]) == user(&s[i]) {
			j++
		}
		if err := fn(s[i:j]); err != nil {
			return err
		}
		i = j
	}
	return nil
}
