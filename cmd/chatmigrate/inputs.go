package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/chatmigrate/chatmigrate/sources"
)

// warnEmptyInputs warns, on stderr, of every input file that holds no record: an export
// of nothing reads without error, but a file given by name and found empty is more often
// a wrong path, a failed export or a truncated copy than an intended no-op.
func warnEmptyInputs(in sources.Inputs, stderr io.Writer) {
	for _, k := range sources.Kinds {
		for _, f := range in.Files(k) {
			if holdsNoRecord(k, f) {
				fmt.Fprintf(stderr, "chatmigrate: warning: %s holds no %s: the file is empty or has only a header\n", f, k)
			}
		}
	}
}

// holdsNoRecord reports whether file, read as kind k, ends before its first record. A file
// that cannot be read says false: the plan has reported it already.
func holdsNoRecord(k sources.Kind, file string) bool {
	switch k {
	case sources.Topics:
		return endsAtOnce(sources.OpenTopics(file))
	case sources.FriendGroups:
		return endsAtOnce(sources.OpenFriendGroups(file))
	case sources.ContactGroups:
		return endsAtOnce(sources.OpenContactGroups(file))
	}
	return false
}

func endsAtOnce[T sources.Topic | sources.FriendGroup | sources.ContactGroup](r *sources.Reader[T], err error) bool {
	if err != nil {
		return false
	}
	defer r.Close()
	_, err = r.Next()
	return errors.Is(err, io.EOF)
}
