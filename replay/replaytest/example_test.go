package replaytest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	builtinagent "github.com/a2aproxy/a2a-proxy/builtin-agent"
	"github.com/a2aproxy/a2a-proxy/replay"
	"github.com/a2aproxy/a2a-proxy/replay/replaytest"
)

// sendMessage sends message/send with a user text and returns the task's
// state and the text of its status message.
func sendMessage(agentURL, text string) (state, answer string, err error) {
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":%q}]}}}`, text)
	resp, err := http.Post(agentURL, "application/json", strings.NewReader(body))
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var doc struct {
		Result struct {
			Status struct {
				State   string `json:"state"`
				Message struct {
					Parts []struct {
						Text string `json:"text"`
					} `json:"parts"`
				} `json:"message"`
			} `json:"status"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return "", "", err
	}
	for _, part := range doc.Result.Status.Message.Parts {
		answer += part.Text
	}
	return doc.Result.Status.State, answer, nil
}

// A test runs its client against recorded answers. In a test function,
// replaytest.NewServer(t, "testdata/*.ndjson") starts the same server and
// closes it when the test ends.
func Example() {
	agent, err := replaytest.Start("testdata/*.ndjson")
	if err != nil {
		log.Fatal(err)
	}
	defer agent.Close()

	// ?speed=0: no recorded pauses.
	state, answer, err := sendMessage(agent.URL+"/?speed=0", "What is 2+2?")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(state, answer)
	// Output: completed 4
}

// A request no fixture matches goes to the live agent, and its answer is
// appended to the fixture: the next run replays it. In a test:
// replaytest.NewServer(t, "testdata/weather.ndjson", replaytest.RecordMissing(agentURL)).
func ExampleRecordMissing() {
	live := httptest.NewServer(builtinagent.NewHandler(builtinagent.Options{StepDelay: -1, Logger: slog.New(slog.DiscardHandler)}))
	defer live.Close()
	dir, err := os.MkdirTemp("", "fixtures")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fixture := filepath.Join(dir, "weather.ndjson") // created by the first recording

	agent, err := replaytest.Start(fixture, replaytest.RecordMissing(live.URL))
	if err != nil {
		log.Fatal(err)
	}
	defer agent.Close()
	state, _, err := sendMessage(agent.URL+"/?speed=0", "Process my data")
	if err != nil {
		log.Fatal(err)
	}
	recs, err := replay.ReadFixtures(fixture)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(state, len(recs), "recording")
	// Output: completed 1 recording
}
