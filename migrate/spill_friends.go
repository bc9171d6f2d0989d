package migrate

import (
	"context"
	"encoding/binary"
	"hash"
	"slices"

	"github.com/chatmigrate/chatmigrate/sources"
)

// friendCodec spills a friend-groups record: its group, then its friends.
var friendCodec = spillCodec[sources.FriendGroup]{
	encode: func(b []byte, file int, r *sources.FriendGroup) []byte {
		b = appendSortKey(b, r.From_Account, file, r.Pos.Line)
		b = appendStr(b, r.GroupName)
		b = binary.AppendUvarint(b, uint64(len(r.To_Account)))
		for _, to := range r.To_Account {
			b = appendStr(b, to)
		}
		return b
	},
	decode: func(user string, pos sources.Pos, p string) (sources.FriendGroup, error) {
		r := sources.FriendGroup{Pos: pos, From_Account: user}
		var err error
		if r.GroupName, err = takeStr(&p); err != nil {
			return r, err
		}
		n, err := takeUvarint(&p)
		if err != nil || n > uint64(len(p)) {
			return r, errBadSpill
		}
		if n > 0 {
			r.To_Account = make([]string, n)
		}
		for i := range r.To_Account {
			if r.To_Account[i], err = takeStr(&p); err != nil {
				return r, err
			}
		}
		return r, nil
	},
}

// newFriendBatchCollector is a collector for the batches of a spill: its file table starts
// with every file in read order, as the in-memory collector numbers them, since a user's
// groups are ordered by their first row's file index.
func newFriendBatchCollector(files []string) *friendCollector {
	c := newFriendCollector()
	c.d.files = slices.Clone(files)
	return c
}

// held is the number of memberships collected.
func (c *friendCollector) held() int { return len(c.full)*memberChunk + len(c.cur) }

// flush finishes the batch, encodes it and starts the next one.
func (c *friendCollector) flush() []byte {
	d := c.finish()
	*c = *newFriendBatchCollector(d.files)
	var w batchWriter
	w.strs(d.strs.strs)
	w.uint(uint64(len(d.members)))
	for _, m := range d.members {
		w.uint(uint64(m.user))
		w.uint(uint64(m.group))
		w.int(int64(m.friend))
		w.uint(uint64(m.file))
		w.uint(uint64(m.line))
	}
	return w.b
}

// decodeFriendBatch reads back a batch flush wrote.
func decodeFriendBatch(blob []byte, files []string) (*friendData, error) {
	r := batchReader{b: blob}
	d := &friendData{strs: &strtab{strs: r.strs()}, files: files}
	d.members = make([]membership, r.count(5))
	for i := range d.members {
		d.members[i] = membership{user: int32(r.uint()), group: int32(r.uint()), friend: int32(r.int()),
			file: int32(r.uint()), line: int64(r.uint())}
	}
	if r.err != nil {
		return nil, r.err
	}
	n := int32(len(d.strs.strs))
	for _, m := range d.members {
		if m.user >= n || m.group >= n || m.friend >= n || m.friend < noFriend || int(m.file) >= len(files) {
			return nil, errBadSpill
		}
	}
	return d, nil
}

// collectFriends collects the friend-groups files: in memory, or through a spill when the
// budget says so.
func collectFriends(ctx context.Context, files []string, h hash.Hash, st *KindStats, report func(Problem),
	header func(error) error, cfg spillConfig) (*friendSet, error) {
	if !cfg.tuning.shouldSpill(cfg.budget, files) {
		fd := newFriendCollector()
		for _, name := range files {
			if err := header(fd.readFile(ctx, name, h, st, report)); err != nil {
				return nil, err
			}
		}
		return &friendSet{groupSet[friendData]{mem: fd.finish()}}, nil
	}
	j := &spillJob[sources.FriendGroup]{kind: sources.FriendGroups, files: files, open: sources.NewFriendGroups,
		codec: friendCodec, c: newFriendBatchCollector(files), st: st, report: report, header: header,
		sizing: cfg.tuning.sizing(cfg.share), dir: cfg.dir, onCount: cfg.onCount(sources.FriendGroups)}
	bf, err := j.run(ctx, h)
	if err != nil {
		return nil, err
	}
	return &friendSet{groupSet[friendData]{spill: bf, decode: func(blob []byte) (*friendData, error) {
		return decodeFriendBatch(blob, files)
	}}}, nil
}
