// Package migrate moves legacy community topics, friend groups and conversation groups into
// Tencent Cloud Chat. It validates the records the sources package reads, plans them into
// requests that fit the vendor's limits, sends the plan with a checkpoint so that a stopped
// run resumes without losing or repeating work, verifies the result by reading the target
// back, and writes the reports a person acts on.
//
// Data flows one way through the files, grouped by their prefix:
//
//   - validate*.go: the rules of one record. validate_topic.go checks a topic's fields and
//     TopicId, validate_groups.go those of friend and conversation groups, and validate.go
//     the text rules every field shares and the Problem a broken record becomes. Limits are
//     those of docs/vendor-api.md, "Limits".
//   - plan*.go: BuildPlan reads every input (plan_read.go, decoding each file a little ahead
//     of validation and hashing it into the plan's fingerprint), applies the rules across
//     records (duplicate topics in plan_topics.go; a user's group and friend counts in
//     plan_friends.go and plan_contacts.go) and cuts the valid records into units
//     (plan_friends_units.go, plan_contacts_units.go). Friend groups make one unit per user,
//     the user's intended groups, and plan_friends_diff.go turns the difference between
//     that and what the target holds into sns/group_add and sns/friend_update requests; the
//     plan estimates them against an empty target, choosing per user how to spread them
//     over the two endpoints. Conversation groups make one unit per user too, each group
//     followed through its renames (a lineage), and plan_contacts_diff.go turns the
//     difference with the target into renames, creates and updates, never a create of a
//     name the user has, a repeated add or an absent remove. The plan is deterministic, so
//     a rerun sees the same units in the same order.
//   - spill*.go and plan_groups.go: input that does not fit the memory budget is sorted by
//     user on disk (an external sort) and collected a batch of users at a time, the two
//     grouped kinds side by side, each in half the budget; the plan is the same as in memory.
//   - unit.go: what flows between the stages. An Item is one reported outcome (a topic, a
//     friend in a group, a conversation in a group), a Unit one planned request (for friend
//     and conversation groups, one user's groups) carrying its Items, a Problem one invalid
//     record.
//   - execute*.go and doubt.go: Execute sends the units, the three kinds at once, a user's
//     writes of one family one after the other (execute.go, execute_chain.go), and reads each
//     answer item by item (execute_units.go). A user's friend groups are read, diffed and
//     written in a loop that reads again whenever a write's answer was lost, so no answer
//     code has to mean "already there" (execute_friends.go); a user's conversation groups
//     likewise, reading every page of get_contact_group first (execute_contacts.go,
//     execute_contacts_read.go, which verify reads with too). A topic whose answer was lost
//     is settled before it is sent again (doubt.go), by reading the target where a resend
//     could duplicate (docs/vendor-api.md, "What the vendor leaves open").
//   - execute_topics*.go: before a Community's first import, its topics on the target are
//     read once (get_topic, ahead of the imports, on its own limit) and a topic already there
//     is skipped with the ID it has, so that a run without its checkpoint imports nothing
//     twice; what is kept of the Communities in flight is bounded.
//   - preflight*.go: Preflight, validate's online check, reads the target with read
//     endpoints only and predicts item by item what a run would fail, with the run's own
//     reads, diffs and topic matching, and what is there already.
//   - journal*.go and report*.go: every unit is journalled in the checkpoint before it is sent
//     and when it is answered (journal.go), under its content key (unit_content.go), so that
//     a rerun after any edit of the input skips what is done and sends what is new; a
//     resumed run rebuilds its reports from the journal (journal_replay.go). Reports writes failures.csv, topic_ids.csv and
//     failed_<kind>.jsonl as the run goes, and summary.json (report_summary.go); the names
//     are those of docs/contract.md, "Output".
//   - verify*.go: Verify reads the target back per Community group or user (verify_read.go,
//     verify_kinds.go), compares it with the plan's intended end state (verify_compare.go,
//     verify_topics.go) and writes diff.csv and missing_<kind>.jsonl (verify_report.go).
//     verify_topics.go also reads a Community's topics in pieces when get_topic's answer
//     would pass the vendor's 1 MB, for verify and for settling topics in doubt alike.
//
// Execute and Verify reach the API through the API interface (api.go), so that tests can
// count or disturb calls. Every request is paced by the sub-package migrate/pacer: a rate
// limit per endpoint that backs off on throttle answers, retries by error class, a cap on
// requests in flight and a stop of the whole run on a fatal answer. The vendor's wire types,
// error codes and classes live in migrate/chatapi, and its emulator in
// migrate/chatapi/chatsim. hashset.go and intern.go keep large inputs small in memory.
package migrate
