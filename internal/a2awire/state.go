package a2awire

import "strings"

// NormalizeState returns a task state in the v0.3 lowercase spelling
// ("TASK_STATE_INPUT_REQUIRED" -> "input-required"). Already-lowercase states
// come back unchanged; "" stays "".
func NormalizeState(s string) string {
	if !strings.HasPrefix(s, "TASK_STATE_") {
		return s
	}
	switch s = s[len("TASK_STATE_"):]; s {
	case "CANCELLED", "CANCELED":
		return "canceled"
	case "UNSPECIFIED":
		return "unknown"
	}
	return strings.ToLower(strings.ReplaceAll(s, "_", "-"))
}

// V1State returns a task state in the v1.0 spelling ("input-required" ->
// "TASK_STATE_INPUT_REQUIRED"), for telemetry, which follows v1.0.
func V1State(s string) string {
	switch s {
	case "":
		return ""
	case "unknown":
		return "TASK_STATE_UNSPECIFIED"
	}
	if strings.HasPrefix(s, "TASK_STATE_") {
		return s
	}
	return "TASK_STATE_" + strings.ToUpper(strings.ReplaceAll(s, "-", "_"))
}

// IsTerminalState reports whether a (normalized) state ends a task.
func IsTerminalState(s string) bool {
	switch s {
	case "completed", "canceled", "failed", "rejected":
		return true
	}
	return false
}
