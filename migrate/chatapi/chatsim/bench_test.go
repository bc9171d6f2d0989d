package chatsim_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// BenchmarkServe measures the emulator's own cost per request (no network), with the rate
// limit off: benchmarks of the migration push ~10k requests a second through it.
func BenchmarkServe(b *testing.B) {
	for _, tt := range []struct {
		name string
		path string
		body func(i int64) string
	}{
		{"import_topic", chatapi.PathImportTopic, func(i int64) string {
			return fmt.Sprintf(`{"GroupId":"@TGS#_g%d","TopicName":"topic %d","CreateTime":1700000000}`, i%100, i)
		}},
		{"group_add", chatapi.PathGroupAdd, func(i int64) string {
			return fmt.Sprintf(`{"From_Account":"u%d","GroupName":["g%d"],"To_Account":["a","b","c"]}`, i, i%32)
		}},
		{"create_contact_group", chatapi.PathCreateContactGroup, func(i int64) string {
			return fmt.Sprintf(`{"From_Account":"u%d","GroupContactItem":[{"GroupName":"g","ContactItem":[{"Type":1,"To_Account":"a"}]}]}`, i)
		}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			srv, err := chatsim.New(chatsim.Config{SDKAppID: testApp, Key: testKey, RPS: -1, Faults: chatsim.Faults{TransientRate: 0.01}})
			if err != nil {
				b.Fatal(err)
			}
			u := "/v4/" + tt.path + "?" + query("1400000001", admin, genSig(b, testApp, testKey, admin, 3600)).Encode()
			var n atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, u, strings.NewReader(tt.body(n.Add(1)))))
					if rec.Code != http.StatusOK {
						b.Errorf("HTTP %d", rec.Code)
					}
				}
			})
		})
	}
}
