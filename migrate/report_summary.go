package migrate

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/internal/atomicfile"
	"github.com/chatmigrate/chatmigrate/sources"
)

// KindSummary is one kind's line in summary.json (docs/contract.md, "Output"). Skipped counts
// items that needed no write: done by an earlier run, or found on the target by this one; the
// verify counts are present only for verify.
type KindSummary struct {
	// Items is the planned items of a run (what succeeded, failed and skipped add up to at
	// the end), so that a page or a script can tell how much of a running run is left.
	Items     int `json:"items,omitempty"`
	Records   int `json:"records"`
	Invalid   int `json:"invalid"`
	Requests  int `json:"requests"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	Retries   int `json:"retries"`
	Throttled int `json:"throttled"`

	// Valid and Warnings are validate's: records without an invalid item, and accepted
	// records with a remark (a merged duplicate, a long conversation group name).
	Valid    int `json:"valid,omitempty"`
	Warnings int `json:"warnings,omitempty"`

	// Predicted and Present are validate's with an online check: items the run would fail,
	// and items the target holds already.
	Predicted int `json:"predicted,omitempty"`
	Present   int `json:"present,omitempty"`

	Checked int `json:"checked,omitempty"`
	Equal   int `json:"equal,omitempty"`
	Missing int `json:"missing,omitempty"`
	Extra   int `json:"extra,omitempty"`
	Differs int `json:"differs,omitempty"`
}

// Command names the command a summary is of: summary.json's "command".
type Command string

// The commands that write a summary. Verify's summary differs in shape (see verifyKind).
const (
	CommandValidate Command = "validate"
	CommandRun      Command = "run"
	CommandVerify   Command = "verify"
)

// Summary is summary.json: what a command did, with one KindSummary per kind.
type Summary struct {
	Command           Command
	Started, Finished time.Time
	Target            string // where the data went ("" for validate); never holds a credential
	Kinds             map[sources.Kind]*KindSummary
	ExitCode          int
	// Online marks a validate that read the target: predicted and present are written even
	// when zero.
	Online bool
}

// onlineKind is a KindSummary of validate with an online check (see verifyKind).
type onlineKind struct {
	validateKind
	Predicted int `json:"predicted"`
	Present   int `json:"present"`
}

// validateKind is a KindSummary as validate writes it: valid and warnings are there even
// when zero.
type validateKind struct {
	*KindSummary
	Valid    int `json:"valid"`
	Warnings int `json:"warnings"`
}

// verifyKind is a KindSummary as verify writes it: its counts are there even when zero, so
// that a script can read "missing": 0 rather than guess what an absent key means. Fields at
// the outer level win over the embedded ones of the same JSON name.
type verifyKind struct {
	*KindSummary
	Checked int `json:"checked"`
	Equal   int `json:"equal"`
	Missing int `json:"missing"`
	Extra   int `json:"extra"`
	Differs int `json:"differs"`
}

// summaryHead is the part of summary.json that is not per kind.
type summaryHead struct {
	Command  Command   `json:"command"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Target   string    `json:"target,omitempty"`
	ExitCode int       `json:"exit_code"`
}

// MarshalJSON writes the three kinds as top-level keys next to the command's fields; every
// kind is present, zero when it had no input.
func (s *Summary) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	head, err := json.Marshal(summaryHead{s.Command, s.Started, s.Finished, s.Target, s.ExitCode})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(head, &m); err != nil {
		return nil, err
	}
	for _, k := range sources.Kinds {
		ks := s.Kinds[k]
		if ks == nil {
			ks = &KindSummary{}
		}
		if s.Online {
			m[string(k)] = onlineKind{validateKind{ks, ks.Valid, ks.Warnings}, ks.Predicted, ks.Present}
			continue
		}
		if s.Command == CommandValidate {
			m[string(k)] = validateKind{ks, ks.Valid, ks.Warnings}
			continue
		}
		if s.Command == CommandVerify {
			m[string(k)] = verifyKind{ks, ks.Checked, ks.Equal, ks.Missing, ks.Extra, ks.Differs}
			continue
		}
		m[string(k)] = ks
	}
	return json.Marshal(m) // map keys come out sorted: a stable file
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Summary) UnmarshalJSON(b []byte) error {
	var head summaryHead
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	var kinds map[string]json.RawMessage
	if err := json.Unmarshal(b, &kinds); err != nil {
		return err
	}
	*s = Summary{Command: head.Command, Started: head.Started, Finished: head.Finished,
		Target: head.Target, ExitCode: head.ExitCode, Kinds: make(map[sources.Kind]*KindSummary)}
	for _, k := range sources.Kinds {
		raw, ok := kinds[string(k)]
		if !ok {
			continue
		}
		ks := &KindSummary{}
		if err := json.Unmarshal(raw, ks); err != nil {
			return fmt.Errorf("summary %s: %w", k, err)
		}
		s.Kinds[k] = ks
	}
	return nil
}

// WriteSummary writes summary.json (validate's: validate_summary.json) atomically: a reader sees the old file or the new one,
// never half of one, even if the process dies while writing.
func (r *Reports) WriteSummary(s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	b = append(b, '\n')
	r.mu.Lock()
	defer r.mu.Unlock()
	return writeAtomic(filepath.Join(r.dir, r.set.summary), b)
}

// writeAtomic replaces the report at path with data (atomicfile.WriteData), naming the file
// in its error.
func writeAtomic(path string, data []byte) error {
	if err := atomicfile.WriteData(path, data); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}
