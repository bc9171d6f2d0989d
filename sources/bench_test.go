package sources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

const benchRows = 20000

func benchTopics(b *testing.B, f Format) {
	var in bytes.Buffer
	if f == CSV {
		in.WriteString("GroupId,TopicId,TopicName,From_Account,Introduction,CreateTime\n")
	}
	for i := range benchRows {
		if f == CSV {
			fmt.Fprintf(&in, "@TGS#_g%d,,话题 %d 🎉,user%d,Some introduction text,1609459200\n", i%50, i, i%300)
		} else {
			fmt.Fprintf(&in, `{"GroupId":"@TGS#_g%d","TopicName":"话题 %d 🎉","From_Account":"user%d","Introduction":"Some introduction text","CreateTime":1609459200}`+"\n", i%50, i, i%300)
		}
	}
	data := in.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	rows := 0
	for b.Loop() {
		r, err := NewTopics("bench", bytes.NewReader(data), f, false)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkReadTopicsCSV(b *testing.B)   { benchTopics(b, CSV) }
func BenchmarkReadTopicsJSONL(b *testing.B) { benchTopics(b, JSONL) }
