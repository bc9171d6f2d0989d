package migrate

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/chatmigrate/chatmigrate/migrate/internal/atomicfile"
)

// A topic whose fields other than GroupId and TopicName were edited after it was imported is a
// unit of a new content key: a rerun sends it again, finds it on the target and records it,
// found, with the same topic_ids.csv row as the earlier record of the topic, which the rerun
// rebuilt from the journal. Reports.Close then calls dedupTopicIDs, which keeps the first row
// of each topic. Runs without such a topic never pay for it.

// noteFoundTopic says that a row of a topic found on the target is being written.
func (r *Reports) noteFoundTopic() {
	r.mu.Lock()
	r.foundTopics = true
	r.mu.Unlock()
}

// dedupTopicIDs rewrites the topic_ids.csv at path with one row per (GroupId, TopicName), the
// first, in one rename. The set of the rows seen holds 64-bit hashes, not the strings: 16 MiB
// for a million topics, for the moment of the rewrite.
func dedupTopicIDs(path string) error {
	in, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("dedup %s: %w", filepath.Base(path), err)
	}
	defer in.Close()
	if err := atomicfile.Write(path, func(w io.Writer) error { return copyUniqueTopics(w, in) }); err != nil {
		return fmt.Errorf("dedup %s: %w", filepath.Base(path), err)
	}
	return nil
}

// copyUniqueTopics copies the topic_ids.csv rows of in to out, the header and the first row of
// each topic.
func copyUniqueTopics(out io.Writer, in io.Reader) error {
	r := csv.NewReader(bufio.NewReaderSize(in, 1<<20))
	r.ReuseRecord = true
	r.FieldsPerRecord = len(topicIDsHeader)
	bw := bufio.NewWriterSize(out, 1<<20)
	w := csv.NewWriter(bw)
	var seen hashSet
	for first := true; ; first = false {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if !first && !seen.add(pairHash(row[0], row[1])) {
			continue
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
