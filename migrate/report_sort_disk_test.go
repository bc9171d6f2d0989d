package migrate

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestSortFailuresOnDisk: the sort on disk, which a failures file bigger than
// failuresInMemory takes, gives byte for byte the file the sort in memory gives, equal keys
// in their order included, and leaves no temporary file.
func TestSortFailuresOnDisk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"contact_groups", "topics", "friend_groups", "odd\x00kind"}
	files := []string{"a.csv", "b.csv", "a.csv\x00x", "dir/a.csv", ""}
	lines := []string{"2", "10", "9", "", "-1", "x", "100000000000"}
	for _, n := range []int{0, 1, 2, 500, failuresChunk*2 + 17} {
		t.Run(fmt.Sprint(n, "_rows"), func(t *testing.T) {
			dir := t.TempDir()
			rows := [][]string{failuresHeader}
			for i := range n {
				row := make([]string, len(failuresHeader))
				row[0], row[1], row[2] = kinds[rng.IntN(len(kinds))], files[rng.IntN(len(files))], lines[rng.IntN(len(lines))]
				row[len(row)-1] = fmt.Sprintf("row %d, \"quoted\"\nand a new line", i) // tells equal keys apart
				rows = append(rows, row)
			}
			mem, disk := filepath.Join(dir, "mem.csv"), filepath.Join(dir, "disk.csv")
			for _, p := range []string{mem, disk} {
				writeCSV(t, p, rows)
			}
			if err := sortFailuresInMemory(mem); err != nil {
				t.Fatal(err)
			}
			if err := sortFailuresOnDisk(disk); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(mem)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(disk)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("sorted on disk differs from sorted in memory (%d and %d bytes)", len(got), len(want))
			}
			if n >= 2 && slices.Equal(got, mustRead(t, filepath.Join(dir, "unsorted.csv"), rows)) {
				t.Error("nothing was sorted")
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".*"))
			if len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

func writeCSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := csv.NewWriter(f).WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// mustRead writes rows to path, unsorted, and returns the file's bytes.
func mustRead(t *testing.T, path string, rows [][]string) []byte {
	t.Helper()
	writeCSV(t, path, rows)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
