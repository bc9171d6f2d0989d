package chatsim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// BenchmarkServeLoopback: the emulator's ceiling over real HTTP (net/http over 127.0.0.1,
// keep-alive, 16 requests in flight), unlimited rate and no latency: the bound on the
// executor's unthrottled requests/s (target >= 5000/s), which goes the same way.
// BenchmarkServe measures the handler alone.
func BenchmarkServeLoopback(b *testing.B) {
	const app, key, admin = 1400000001, "loopback-bench-key", "administrator"
	sim, err := chatsim.New(chatsim.Config{SDKAppID: app, Key: key, RPS: -1})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	sig, err := tencentyun.GenUserSig(app, key, admin, 86400)
	if err != nil {
		b.Fatal(err)
	}
	url := fmt.Sprintf("%s/v4/%s?sdkappid=%d&identifier=%s&usersig=%s&random=12345&contenttype=json",
		srv.URL, chatapi.PathImportTopic, app, admin, sig)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	b.SetParallelism(8) // 16 goroutines on 2 cores
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body, _ := json.Marshal(chatapi.ImportTopicRequest{GroupId: "@TGS#_loop" + strconv.FormatInt(i%1000, 10),
				TopicName: "topic " + strconv.FormatInt(i, 10), CreateTime: 1600000000})
			resp, err := client.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !bytes.Contains(answer, []byte(`"ErrorCode":0`)) {
				b.Errorf("answer: %s", answer)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
