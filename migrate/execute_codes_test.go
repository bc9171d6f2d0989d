package migrate

import (
	"errors"
	"fmt"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

// TestFailureCodeOfPacerErrors: the pacer's errors reach failures.csv with the API's code,
// and only a permanent refusal counts as the API's answer for apiCode.
func TestFailureCodeOfPacerErrors(t *testing.T) {
	transient := &chatapi.Error{Endpoint: "x", Code: chatapi.CodeInternal, Class: chatapi.ClassTransient, Info: "test"}
	notFriend := &chatapi.Error{Endpoint: "x", Code: chatapi.CodeNotFriend, Class: chatapi.ClassPermanent, Info: "not a friend"}
	for _, tc := range []struct {
		name     string
		err      error
		wantCode string
		wantAPI  int
	}{
		{"permanent", notFriend, "32216", chatapi.CodeNotFriend},
		{"exhausted", &pacer.ExhaustedError{Attempts: pacer.DefaultMaxAttempts, Last: transient}, "10002", 0},
		{"http", &chatapi.Error{Endpoint: "x", HTTPStatus: 502, Class: chatapi.ClassTransient}, "http-502", 0},
		{"transport", &pacer.ExhaustedError{Attempts: 8, Last: &chatapi.Error{Endpoint: "x", Class: chatapi.ClassTransient}}, "transport", 0},
		{"local", errors.New("boom"), "client", 0},
		{"wrapped permanent", fmt.Errorf("ctx: %w", notFriend), "32216", chatapi.CodeNotFriend},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _ := failureCode(tc.err); code != tc.wantCode {
				t.Errorf("failureCode = %q, want %q", code, tc.wantCode)
			}
			if got := apiCode(tc.err); got != tc.wantAPI {
				t.Errorf("apiCode = %d, want %d", got, tc.wantAPI)
			}
		})
	}
}
