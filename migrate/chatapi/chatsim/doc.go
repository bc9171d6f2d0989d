// Package chatsim emulates the part of Tencent Cloud Chat's server REST API that chatmigrate
// uses, closely enough that a migration which passes against it under every reading of the
// vendor's open questions should pass against production: the writes (import_topic,
// sns/group_add, sns/friend_update, create_contact_group, update_contact_group) and the reads
// (get_topic, sns/group_get, sns/friend_get, sns/friend_check, account_check, get_group_info,
// get_role_in_group, get_contact_group) with state, the documented field limits and error
// codes, the per-user limits, UserSig checks with the vendor's own verifier, per-endpoint rate
// limits, a World of pre-existing groups, members, users, friendships and target state, and
// seeded fault injection.
//
// It shares nothing with the client in package chatapi beyond the wire types and code
// constants: requests are read by its own strict field reader, so a bug in the client's
// encoding or validation shows up as a refusal here instead of being agreed with.
//
// Where the vendor's pages are silent or disagree (docs/vendor-api.md, "What the vendor leaves
// open"), a Dialect picks one reading of each question; the zero value of every option is the
// first reading. Config.Dialect sets it, else the World's "Dialect" field, and cmd/chatsim has
// a flag per option:
//
//   - GroupAddExisting (question 1): group_add naming a group the user has merges the friends
//     in (merge), refuses the whole request with 30001 (refuse), or answers OK and leaves it
//     unchanged while the request's new groups are still created (ignore).
//   - FriendUpdateGroups and FriendUpdateUnknownGroup (question 2): friend_update's
//     Tag_SNS_IM_Group replaces the friend's groups (replace) or adds to them (add); a name the
//     user has no group of fails the item with 30001 (refuse) or is created, counting toward
//     the 32 (create).
//   - CreateExisting (question 3): create_contact_group, or a rename, to a name the user has
//     answers 51012 (refuse: on purpose, as the vendor's list gives 51012 another meaning),
//     makes a second group of that name (duplicate; updates then reach the older), or answers
//     50002 (50002).
//   - ContactItemRequired (question 4): a create without ContactItem answers 50002; [] passes.
//   - RepeatAddAbsentRemove (question 5): adding a conversation a group holds, or deleting one
//     it does not, answers item ResultCode 0 (ok) or 50002 (error).
//   - GroupItemFirstPageOnly and ContactPageSize (question 6): get_contact_group's GroupItem on
//     every page or only the first; its page size (default Config.PageSize, else 100).
//     FriendPageSize is friend_get's (default 100).
//   - LostAnswer (question 7): a request whose answer the ambiguous fault drops was applied
//     (applied), not applied (nothing), or either, drawn from the seed per request (mixed).
//
// Presets (Dialects, ParseDialect): "default", the first reading of each; "strictest"
// (refuse; replace and refuse; duplicate; ContactItem required; repeat/absent error; GroupItem
// on the first page only; lost answers mixed); "silent" (ignore; add and create; 50002; lost
// answers mixed).
//
// Other choices the emulator makes, each noted at the code that makes it:
//
//   - Query checks, in order: contenttype must be "json" and random an unsigned 32-bit integer
//     (60002); sdkappid must be this app's (60006); the usersig must verify for identifier
//     (70003 undecodable, 70014 another SDKAppID, 70013 another identifier, 70009 another key,
//     70001 expired); identifier must be an App admin (60010). A method other than POST →
//     60002; a body that is not a JSON object → 60003; an unknown /v4/ command → 10003 (in
//     the body, HTTP 200). Paths outside /v4/ and /_sim/ are HTTP 404.
//   - Strict bodies: an optional field sent as "", null or 0 is a bad parameter (10004 / 30001
//     / 50002 / 70402 by family); integers must be JSON integers; field names are
//     case-sensitive; unknown fields are ignored.
//   - Limits as docs/vendor-api.md, "Limits" and "Endpoints", give them: 1000 UpdateItem per
//     friend_update and 1000 To_Account per friend_check; 100 per account_check, 50 per
//     get_group_info, 500 per get_role_in_group; at most 100 conversations per request (51006),
//     20 conversation groups per user (51010), names of up to 64 bytes (51011 past them), and
//     1000 distinct conversations per user across all of its groups (51008; conversation marks,
//     which share the 1000 on the service, are not modelled). A Type 2 conversation needs a
//     group the World has and the user in it (51007); custom group IDs (printable ASCII, at
//     most 48 bytes, not starting with "@TGS#") are groups like any other.
//   - get_group_info honours its ResponseFilter and refuses an answer over 1 MB (10018), which
//     an unfiltered one with member lists soon is; get_role_in_group answers 10007 for an
//     AVChatRoom.
//   - Rate limits: one token bucket per endpoint (both import_topic paths have their own),
//     refilled at Config.RPS, or at an endpoint's own lower limit (account_check: 100/s); a
//     refused request answers 60007 (10006 on group endpoints) and changes nothing.
//   - Writes (sns/group_add, sns/friend_update, create_contact_group, update_contact_group)
//     hold their From_Account for the whole request, added latency included; another write for
//     the same user and family meanwhile answers 30008 / 50004 and changes nothing (question 8).
//   - IDs: a UserID over 32 bytes exists nowhere, not even in the lenient world; a custom
//     TopicId is {GroupId}@TOPIC#_{part}, printable ASCII, at most 96 bytes, the part without
//     "@TGS#_" and the whole not in the vendor's default form "…@TOPIC#_@TOPIC#…" (10004).
//   - Re-importing a used TopicId answers 10021; a friend already in a group answers 0.
//
// Fault decisions are drawn from a hash of (Seed, path, body, how often that body was seen),
// so a run replays identically for a seed whatever the goroutine interleaving, and a retry of
// the same body draws afresh.
package chatsim
