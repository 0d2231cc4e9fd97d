// Package diff compares two recordings of A2A traffic (two runs of the same
// interaction) and reports what differs: events added, removed, moved or
// changed, with the JSON path and old and new value of each change, and,
// when asked, timing differences.
//
// # Alignment
//
// Events are aligned by position and kind, so one extra or missing event is
// reported as one added or removed event, not as every later event changed.
// Compare first pairs events equal in content (after ignoring volatile
// values) along a longest common subsequence, then, in each gap between
// those, pairs the remaining events of the same kind (and Event.Exchange) in
// order: those are the changed events. Alignment leaves out the default
// volatile values even under Options.Strict, so a rerun, whose ids all
// differ, still aligns event by event. An equal event left over on both
// sides is reported as moved. The subsequence costs O(n*m) for the n and m
// events between the recordings' common start and end; beyond MaxAlignCells
// the events are paired by position and kind instead, and
// Result.Approximate is set.
//
// # Comparison
//
// An event's data is compared as JSON when it is one JSON document (numbers
// exactly, objects by member, arrays by index), else as text. By default the
// values that differ between two runs of the same interaction are ignored:
//
//   - the ids an agent mints: any member named taskId, contextId, messageId,
//     artifactId or referenceTaskIds, and the id of a task (an object with
//     kind "task", the value of a "task" member, or an object with both
//     contextId and status);
//   - the JSON-RPC id: the id member of a top-level object with a jsonrpc
//     member;
//   - timestamps: any member named timestamp, and any string that parses as
//     RFC 3339 (two such strings are equal whatever their values).
//
// Nothing else is guessed at: a time or counter inside a text (such as the
// built-in agent's "Processed at: ...") differs between runs until it is
// ignored explicitly with Options.Ignore. Options.Strict turns the default
// list off.
//
// # Paths
//
// Reports name values, and Options.Ignore selects them, with paths in a
// small subset of JSONPath:
//
//	$                      the whole event
//	.name                  an object member (name free of . [ ] " ' and space)
//	["na.me"]              an object member, its name as a JSON string
//	[2]                    an array element, from 0
//	.* or [*]              any one member or element
//	..name, ..[*], ..[0]   the same, after any number of steps (any depth)
//
// For example $.result.artifact.parts[0].text, $..artifact.parts[*].text,
// $..timestamp. The leading $ may be left out. A path ignores the value it
// names with everything below it; a report's path can be given to Ignore as
// it is.
package diff
