package migrate

import (
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// readings are the emulator's readings of the vendor's open questions that the end-to-end
// suites run under, each named by its chatsim.ParseDialect spec (what a command line that
// selects a dialect takes, to replay a failure): every preset, and for the suites with lost
// answers also the default with lost answers that applied nothing (the presets' own lost
// answers applied everything, or for strictest and silent either, drawn by seed).
func readings(lostNothing bool) []string {
	names := chatsim.DialectNames()
	if lostNothing {
		names = append(names, "default,lost-answer="+chatsim.LostNothing)
	}
	return names
}

// eachReading runs f as a subtest per reading, the reading's spec in the subtest's name so
// that CI's output shows which ran. The subtests run one after the other: the machine has two
// cores, and parallel runs would only make each one's timing faults less predictable.
func eachReading(t *testing.T, lostNothing bool, f func(t *testing.T, d chatsim.Dialect)) {
	t.Helper()
	for _, spec := range readings(lostNothing) {
		d, err := chatsim.ParseDialect(spec)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(spec, func(t *testing.T) { f(t, d) })
	}
}
