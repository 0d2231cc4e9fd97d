package a2awire

import "strings"

// Protocol versions as recorded.
const (
	V03 = "0.3"
	V10 = "1.0"
)

// Bindings as recorded.
const (
	BindingJSONRPC = "jsonrpc"
	BindingREST    = "rest"
)

// HeaderVersion is the request header that names the protocol version (v1.0).
// Absent means 0.3.
const HeaderVersion = "A2A-Version"

// v1Methods maps every JSON-RPC method name, in both spellings, to its v1.0 name.
var v1Methods = map[string]string{
	"message/send":                        "SendMessage",
	"message/stream":                      "SendStreamingMessage",
	"tasks/get":                           "GetTask",
	"tasks/list":                          "ListTasks",
	"tasks/cancel":                        "CancelTask",
	"tasks/resubscribe":                   "SubscribeToTask",
	"tasks/pushNotificationConfig/set":    "CreateTaskPushNotificationConfig",
	"tasks/pushNotificationConfig/get":    "GetTaskPushNotificationConfig",
	"tasks/pushNotificationConfig/list":   "ListTaskPushNotificationConfigs",
	"tasks/pushNotificationConfig/delete": "DeleteTaskPushNotificationConfig",
	"agent/getAuthenticatedExtendedCard":  "GetExtendedAgentCard",
	"SendMessage":                         "SendMessage",
	"SendStreamingMessage":                "SendStreamingMessage",
	"GetTask":                             "GetTask",
	"ListTasks":                           "ListTasks",
	"CancelTask":                          "CancelTask",
	"SubscribeToTask":                     "SubscribeToTask",
	"CreateTaskPushNotificationConfig":    "CreateTaskPushNotificationConfig",
	"GetTaskPushNotificationConfig":       "GetTaskPushNotificationConfig",
	"ListTaskPushNotificationConfigs":     "ListTaskPushNotificationConfigs",
	"DeleteTaskPushNotificationConfig":    "DeleteTaskPushNotificationConfig",
	"GetExtendedAgentCard":                "GetExtendedAgentCard",
	"SetTaskPushNotificationConfig":       "CreateTaskPushNotificationConfig", // pre-1.0 drafts
	"TaskResubscription":                  "SubscribeToTask",                  // pre-1.0 drafts
	"GetAuthenticatedExtendedCard":        "GetExtendedAgentCard",             // pre-1.0 drafts
}

// V1Method returns the v1.0 spelling of an A2A method name given in either
// version's spelling ("message/stream" -> "SendStreamingMessage"). Unknown
// names come back unchanged.
func V1Method(method string) string {
	if m, ok := v1Methods[method]; ok {
		return m
	}
	return method
}

// IsStreamingMethod reports whether a method (either spelling) answers with an
// SSE stream.
func IsStreamingMethod(method string) bool {
	switch V1Method(method) {
	case "SendStreamingMessage", "SubscribeToTask":
		return true
	}
	return false
}

// MethodVersion tells the protocol version from a JSON-RPC method name: the
// slash style is v0.3, the PascalCase style v1.0. It returns "" for names it
// does not know.
func MethodVersion(method string) string {
	if _, ok := v1Methods[method]; !ok {
		return ""
	}
	if strings.Contains(method, "/") {
		return V03
	}
	return V10
}

// HeaderProtocolVersion normalizes an A2A-Version header value to V03 or V10;
// an absent header means 0.3.
func HeaderProtocolVersion(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return V03
	case strings.HasPrefix(v, "1"):
		return V10
	case strings.HasPrefix(v, "0.3"):
		return V03
	}
	return v
}
