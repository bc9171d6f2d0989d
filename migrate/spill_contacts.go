package migrate

import (
	"context"
	"encoding/binary"
	"hash"
	"slices"

	"github.com/chatmigrate/chatmigrate/sources"
)

// contactCodec spills a conversation-groups record: its group, operation and new name, then
// its conversations as written.
var contactCodec = spillCodec[sources.ContactGroup]{
	encode: func(b []byte, file int, r *sources.ContactGroup) []byte {
		b = appendSortKey(b, r.From_Account, file, r.Pos.Line)
		b = appendStr(b, r.GroupName)
		b = appendStr(b, r.Op)
		b = appendStr(b, r.NewGroupName)
		b = binary.AppendUvarint(b, uint64(len(r.ContactItem)))
		for _, ct := range r.ContactItem {
			b = appendStr(b, ct.Type)
			b = appendStr(b, ct.To_Account)
			b = appendStr(b, ct.ToGroupId)
		}
		return b
	},
	decode: func(user string, pos sources.Pos, p string) (sources.ContactGroup, error) {
		r := sources.ContactGroup{Pos: pos, From_Account: user}
		var err error
		for _, f := range []*string{&r.GroupName, &r.Op, &r.NewGroupName} {
			if *f, err = takeStr(&p); err != nil {
				return r, err
			}
		}
		n, err := takeUvarint(&p)
		if err != nil || n > uint64(len(p)) {
			return r, errBadSpill
		}
		if n > 0 {
			r.ContactItem = make([]sources.Contact, n)
		}
		for i := range r.ContactItem {
			ct := &r.ContactItem[i]
			for _, f := range []*string{&ct.Type, &ct.To_Account, &ct.ToGroupId} {
				if *f, err = takeStr(&p); err != nil {
					return r, err
				}
			}
		}
		return r, nil
	},
}

// newContactBatchCollector is a collector for the batches of a spill, its file table
// starting with every file in read order (see newFriendBatchCollector).
func newContactBatchCollector(files []string) *contactCollector {
	c := newContactCollector()
	c.d.files = slices.Clone(files)
	return c
}

// held is the number of operations collected.
func (c *contactCollector) held() int { return len(c.d.ops) }

// flush finishes the batch, encodes it and starts the next one.
func (c *contactCollector) flush() []byte {
	d := c.finish()
	*c = *newContactBatchCollector(d.files)
	var w batchWriter
	w.strs(d.strs.strs)
	w.uint(uint64(len(d.groups)))
	for _, g := range d.groups {
		w.uint(uint64(g))
	}
	w.uint(uint64(len(d.ops)))
	for _, o := range d.ops {
		w.uint(uint64(o.user))
		w.uint(uint64(o.group))
		w.uint(uint64(o.kind))
		w.uint(uint64(o.typ))
		w.int(int64(o.target))
		w.uint(uint64(o.file))
		w.uint(uint64(o.line))
	}
	return w.b
}

// decodeContactBatch reads back a batch flush wrote.
func decodeContactBatch(blob []byte, files []string) (*contactData, error) {
	r := batchReader{b: blob}
	d := &contactData{strs: &strtab{strs: r.strs()}, files: files}
	d.groups = make([]int32, r.count(1))
	for i := range d.groups {
		d.groups[i] = int32(r.uint())
	}
	d.ops = make([]cop, r.count(7))
	for i := range d.ops {
		d.ops[i] = cop{user: int32(r.uint()), group: int32(r.uint()), kind: uint8(r.uint()), typ: uint8(r.uint()),
			target: int32(r.int()), file: int32(r.uint()), line: int64(r.uint())}
	}
	if r.err != nil {
		return nil, r.err
	}
	n, ng := int32(len(d.strs.strs)), int32(len(d.groups))
	for _, g := range d.groups {
		if g < 0 || g >= n {
			return nil, errBadSpill
		}
	}
	for _, o := range d.ops {
		if o.user < 0 || o.user >= n || o.group < 0 || o.group >= ng || o.target < -1 || o.target >= n || int(o.file) >= len(files) {
			return nil, errBadSpill
		}
	}
	return d, nil
}

// collectContacts collects the conversation-groups files: in memory, or through a spill
// when the budget says so.
func collectContacts(ctx context.Context, files []string, h hash.Hash, st *KindStats, report func(Problem),
	header func(error) error, cfg spillConfig) (*contactSet, error) {
	if !cfg.tuning.shouldSpill(cfg.budget, files) {
		cd := newContactCollector()
		for _, name := range files {
			if err := header(cd.readFile(ctx, name, h, st, report)); err != nil {
				return nil, err
			}
		}
		return &contactSet{groupSet[contactData]{mem: cd.finish()}}, nil
	}
	j := &spillJob[sources.ContactGroup]{kind: sources.ContactGroups, files: files, open: sources.NewContactGroups,
		codec: contactCodec, c: newContactBatchCollector(files), st: st, report: report, header: header,
		sizing: cfg.tuning.sizing(cfg.share), dir: cfg.dir, onCount: cfg.onCount(sources.ContactGroups)}
	bf, err := j.run(ctx, h)
	if err != nil {
		return nil, err
	}
	return &contactSet{groupSet[contactData]{spill: bf, decode: func(blob []byte) (*contactData, error) {
		return decodeContactBatch(blob, files)
	}}}, nil
}
