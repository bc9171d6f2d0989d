package chatsim_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func contains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }

func newRecorder(h *harness, method, path string) int {
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Code
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode: %v", err)
	}
}

func sortedJoin(parts []string) string {
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

func newRecorderBody(h *harness, method, path string) []byte {
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Body.Bytes()
}
