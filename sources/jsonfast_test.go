package sources

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"
)

// agree decodes one line with the fast path and, when the fast path takes it, checks that the
// exact walk takes it too and gives the same record. It reports whether the fast path took it.
func agree[T Topic | FriendGroup | ContactGroup](t *testing.T, b []byte, sp spec[T]) bool {
	t.Helper()
	pos := Pos{File: "fast.jsonl", Line: 3}
	got, ok := sp.fast(b, pos)
	if !ok {
		return false
	}
	if !utf8.Valid(b) {
		return true // decodeLine refuses such a line before it asks the fast path
	}
	want, err := walkLine(b, pos, sp)
	if err != nil {
		t.Fatalf("%s: the fast path took %q, the exact walk refuses it: %v", sp.kind, b, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: %q:\nfast path  %#v\nexact walk %#v", sp.kind, b, got, want)
	}
	return true
}

// agreeAll runs agree for every kind; the result is per kind, in the order of Kinds.
func agreeAll(t *testing.T, b []byte) [3]bool {
	t.Helper()
	return [3]bool{agree(t, b, topicSpec), agree(t, b, friendGroupSpec), agree(t, b, contactGroupSpec)}
}

// TestJSONLFastPath: the ordinary forms take the fast path, every form the walk must judge (a
// key in another case or escaped, a repeated key, a lone surrogate, a value of the wrong type,
// not an object) falls back to it, and whenever the fast path takes a line it agrees with the
// walk.
func TestJSONLFastPath(t *testing.T) {
	for _, tt := range []struct {
		name string
		kind Kind
		line string
		fast bool
	}{
		{"topic", Topics, `{"GroupId":"@TGS#_g1","TopicName":"综合讨论","From_Account":"li.wei","CreateTime":1609459200}`, true},
		{"topic every key", Topics, `{"GroupId":"g","TopicId":"t","TopicName":"n","From_Account":"a","CustomString":"{\"c\":1}","FaceUrl":"u","Notification":"a\nb","Introduction":"i","CreateTime":"1612137600"}`, true},
		{"topic nulls", Topics, `{"GroupId":"g","TopicName":"n","TopicId":null,"CreateTime":null}`, true},
		{"topic float time", Topics, `{"GroupId":"g","TopicName":"n","CreateTime":1.6e9}`, true},
		{"topic spaces", Topics, " \t{ \"TopicName\" : \"n\" ,\r\n\"GroupId\":\"g\" } ", true},
		{"topic surrogate pair", Topics, `{"GroupId":"g","TopicName":"\u00e9 \ud83d\ude00 \uFFFD \\ud800"}`, true},
		{"topic empty object", Topics, `{}`, true},
		{"topic time not a number", Topics, `{"GroupId":"g","TopicName":"n","CreateTime":"soon"}`, false},
		{"topic time bool", Topics, `{"GroupId":"g","TopicName":"n","CreateTime":true}`, false},
		{"topic lone high surrogate", Topics, `{"GroupId":"g","TopicName":"a \ud800 b"}`, false},
		{"topic high surrogate at end", Topics, `{"GroupId":"g","TopicName":"a \ud800"}`, false},
		{"topic lone low surrogate", Topics, `{"GroupId":"g","TopicName":"a \udc00 b"}`, false},
		{"topic two high surrogates", Topics, `{"GroupId":"g","TopicName":"\ud800\ud800"}`, false},
		{"topic key case", Topics, `{"groupid":"g","TopicName":"n"}`, false},
		{"topic escaped key", Topics, `{"Group\u0049d":"g","TopicName":"n"}`, false},
		{"topic unknown key", Topics, `{"GroupId":"g","TopicName":"n","Owner":"bob"}`, false},
		{"topic repeated key", Topics, `{"GroupId":"g","TopicName":"a","TopicName":"b"}`, false},
		{"topic number id", Topics, `{"GroupId":123,"TopicName":"n"}`, false},
		{"topic object value", Topics, `{"GroupId":{"a":"}"},"TopicName":"n"}`, false},
		{"topic null line", Topics, `null`, false},
		{"topic array line", Topics, `["GroupId","g"]`, false},
		{"topic trailing", Topics, `{"GroupId":"g"} x`, false},
		{"topic two objects", Topics, `{"GroupId":"g"}{"GroupId":"h"}`, false},
		{"topic unterminated", Topics, `{"GroupId":"g","TopicName":"n}`, false},
		{"friends", FriendGroups, `{"From_Account":"li.wei","GroupName":"家人","To_Account":["zhang.min","li.na"]}`, true},
		{"friends empty array", FriendGroups, `{"From_Account":"a","GroupName":"g","To_Account":[]}`, true},
		{"friends null array", FriendGroups, `{"From_Account":"a","GroupName":"g","To_Account":null}`, true},
		{"friends null friend", FriendGroups, `{"From_Account":"a","GroupName":"g","To_Account":["b",null]}`, true},
		{"friends not an array", FriendGroups, `{"From_Account":"a","GroupName":"g","To_Account":"b"}`, false},
		{"friends number friend", FriendGroups, `{"From_Account":"a","GroupName":"g","To_Account":["b",7]}`, false},
		{"friends nested array", FriendGroups, `{"From_Account":"a","GroupName":"g","To_Account":[["b"]]}`, false},
		{"contacts", ContactGroups, `{"From_Account":"li.wei","GroupName":"工作","ContactItem":[{"Type":1,"To_Account":"zhang.min"},{"Type":"2","ToGroupId":"@TGS#_x"}]}`, true},
		{"contacts rename", ContactGroups, `{"From_Account":"a","GroupName":"g","Op":"rename","NewGroupName":"h"}`, true},
		{"contacts empty", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[ ]}`, true},
		{"contacts null items", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":null}`, true},
		{"contacts empty item", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[{}]}`, true},
		{"contacts float type", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[{"Type":1.0,"To_Account":"b"}]}`, true},
		{"contacts items not an array", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":{"Type":1}}`, false},
		{"contacts null item", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[null]}`, false},
		{"contacts string item", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[{"Type":1},"x"]}`, false},
		{"contacts item key case", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[{"Type":1,"to_account":"b"}]}`, false},
		{"contacts item repeated key", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[{"Type":1,"Type":2}]}`, false},
		{"contacts item unknown key", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[{"Type":1,"Op":"add"}]}`, false},
		{"contacts item bool type", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[{"Type":true}]}`, false},
		{"contacts item type text", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[{"Type":"C2C"}]}`, false},
		{"contacts item key of the group", ContactGroups, `{"From_Account":"a","GroupName":"g","ContactItem":[{"GroupName":"x"}]}`, false},
		{"contacts group key of an item", ContactGroups, `{"From_Account":"a","GroupName":"g","Type":1}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := agreeAll(t, []byte(tt.line))
			i := 0
			for i < len(Kinds) && Kinds[i] != tt.kind {
				i++
			}
			if got[i] != tt.fast {
				t.Errorf("fast path took the line: %v, want %v", got[i], tt.fast)
			}
		})
	}
}

// FuzzJSONLFastPath: whenever the fast path takes a line, as any kind, the exact walk takes it
// too and gives the same record.
func FuzzJSONLFastPath(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for line := range bytes.Lines(data) {
			f.Add(bytes.TrimRight(line, "\r\n"))
		}
	}
	f.Add([]byte(`{"From_Account":"a","GroupName":"g","ContactItem":[{"Type":1,"To_Account":"b"},{"Type":"2","ToGroupId":"\ud83d\ude00"}],"Op":null}`))
	f.Add([]byte(`{"GroupId":"g","TopicName":"\ud83d\ude00\\ud800\"","CreateTime":-0.5E+3}`))
	f.Fuzz(func(t *testing.T, line []byte) { agreeAll(t, line) })
}
