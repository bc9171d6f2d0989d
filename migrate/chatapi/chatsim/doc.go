// Package chatsim emulates the part of Tencent Cloud Chat's server REST API that chatmigrate
// uses, closely enough that a migration which passes against it passes against production:
// the seven endpoints with state, the documented field limits and error codes, the per-user
// limits, UserSig checks with the vendor's own verifier, per-endpoint rate limits, a world of
// pre-existing groups, users and friendships, and seeded fault injection.
//
// It shares nothing with the client in package chatapi beyond the wire types and code
// constants: requests are read by its own strict field reader, so a bug in the client's
// encoding or validation shows up as a refusal here instead of being agreed with.
//
// Where the vendor's documentation is silent, the emulator follows ../shared/API.md's model
// ("What the vendor leaves open"); every such choice is noted at the code that makes it. The
// main ones:
//
//   - Query checks, in order: contenttype must be "json" and random an unsigned 32-bit integer
//     (60002); sdkappid must be this app's (60006); the usersig must verify for identifier
//     (70003 undecodable, 70013 other app, 70009 other identifier, 70014 other key, 70001
//     expired); identifier must be an App admin (60010). A method other than POST → 60002; a
//     body that is not a JSON object → 60003; an unknown /v4/ command → 10003 (in the body,
//     HTTP 200). Paths outside /v4/ and /_sim/ are HTTP 404.
//   - Strict bodies: an optional field sent as "", null or 0 is a bad parameter (10004 / 30001
//     / 50002 by family); integers must be JSON integers; field names are case-sensitive;
//     unknown fields are ignored.
//   - Rate limits: one token bucket per endpoint (both import_topic paths have their own),
//     refilled at Config.RPS with Config.Burst tokens; a refused request answers 60007 (10006
//     on group endpoints) and changes nothing.
//   - Writes (sns/group_add, create_contact_group, update_contact_group) hold their
//     From_Account for the whole request, added latency included; another write for the same
//     user and family meanwhile answers 30008 / 50004 and changes nothing.
//   - Idempotency: a friend already in a group and a conversation already in a group answer
//     ResultCode 0; deleting a conversation that is not in the group answers 0 as well;
//     re-importing a used TopicId answers 10021; re-creating a conversation group answers 51012.
//
// Fault decisions are drawn from a hash of (Seed, path, body, how often that body was seen),
// so a run replays identically for a seed whatever the goroutine interleaving, and a retry of
// the same body draws afresh.
package chatsim
