package synth

import (
	"context"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/chatmigrate/chatmigrate/sources"
)

// topicNames are the bases of generated topic names; with " NN" appended each stays within
// the 30 bytes a TopicName allows.
var topicNames = []string{
	"公告", "闲聊☕", "Off-topic", "技术交流", "活动🎉", "游戏🎮 开黑", "General", "新手问答",
	"反馈与建议", "Release notes 🚀", "摄影📷分享", "Jobs & hiring",
}

// Free-text fields, the first with a line break (a quoted multi-line CSV field).
var (
	notifications = []string{"欢迎来到本话题！\n请遵守社区规范。", "Be kind. No spam.", "本话题每周五更新 🗓️"}
	introductions = []string{"在这里讨论产品的日常使用。", "A place for everything else.", "新人请先看置顶帖 📌"}
)

// epoch2020 is 2020-01-01T00:00:00Z: CreateTime is drawn from the four years after it, all in
// the past.
const epoch2020 = 1577836800

// topicColumns is the topics header: every column docs/contract.md, "Input formats", names.
var topicColumns = []string{"GroupId", "TopicId", "TopicName", "From_Account", "CustomString",
	"FaceUrl", "Notification", "Introduction", "CreateTime"}

// WriteTopics writes cfg.Topics topics over cfg.Groups communities in cfg.Format (the topics
// format of docs/contract.md, "Input formats"). Half the topics bring their own TopicId.
func WriteTopics(ctx context.Context, w io.Writer, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	lw, err := newLineWriter(w, cfg.Format, topicColumns)
	if err != nil {
		return err
	}
	quota := allocate(cfg.Topics, cfg.Groups, MaxTopicsPerGroup, topicSkew, cfg.Seed, saltTopics)
	accounts := max(cfg.Users, 1)
	open := func(i int) owner {
		if quota[i] == 0 {
			return nil
		}
		return &topicGroup{id: community(i), n: int(quota[i]), accounts: accounts,
			rng: newRand(cfg.Seed, saltTopics|saltOwner, i), base: int(uint(i*7) % uint(len(topicNames)))}
	}
	return drain(ctx, lw, cfg.Groups, cfg.Sorted, newRand(cfg.Seed, saltTopics|saltWindow, 0), open)
}

// topicJSON is a topic as the JSONL of docs/contract.md, "Input formats", writes it; absent
// fields are left out.
type topicJSON struct {
	GroupId      string
	TopicId      string `json:",omitempty"`
	TopicName    string
	From_Account string `json:",omitempty"`
	CustomString string `json:",omitempty"`
	FaceUrl      string `json:",omitempty"`
	Notification string `json:",omitempty"`
	Introduction string `json:",omitempty"`
	CreateTime   int64  `json:",omitempty"`
}

// topicGroup is one community's topics, written one by one.
type topicGroup struct {
	id       string
	n, k     int // topics in all, next topic
	accounts int
	base     int
	rng      *rand.Rand
}

func (g *topicGroup) emit(lw *lineWriter) (bool, error) {
	r := g.rng
	t := topicJSON{GroupId: g.id, TopicName: topicNames[(g.base+g.k)%len(topicNames)] + " " + strconv.Itoa(g.k+1)}
	if r.IntN(2) == 0 {
		t.TopicId = g.id + "@TOPIC#_t" + strconv.Itoa(g.k+1)
	}
	if r.IntN(10) < 7 {
		t.From_Account = account(r.IntN(g.accounts))
	}
	if r.IntN(5) == 0 {
		t.CustomString = `{"legacy_id":` + strconv.Itoa(r.IntN(1<<30)) + `,"pinned":false}`
	}
	if r.IntN(5) == 0 {
		t.FaceUrl = "https://img.example.com/topic/" + strconv.Itoa(r.IntN(1<<20)) + ".png"
	}
	if r.IntN(10) < 3 {
		t.Notification = notifications[r.IntN(len(notifications))]
	}
	if r.IntN(10) < 3 {
		t.Introduction = introductions[r.IntN(len(introductions))]
	}
	if r.IntN(5) != 0 {
		t.CreateTime = epoch2020 + r.Int64N(4*365*86400)
	}
	var err error
	if lw.format == sources.CSV {
		created := ""
		if t.CreateTime != 0 {
			created = strconv.FormatInt(t.CreateTime, 10)
		}
		lw.rec = append(lw.rec[:0], t.GroupId, t.TopicId, t.TopicName, t.From_Account, t.CustomString,
			t.FaceUrl, t.Notification, t.Introduction, created)
		err = lw.row()
	} else {
		err = lw.object(t)
	}
	if err != nil {
		return false, err
	}
	g.k++
	return g.k < g.n, nil
}
