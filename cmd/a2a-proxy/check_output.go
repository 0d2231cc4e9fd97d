package main

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/a2aproxy/a2a-proxy/checks"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// writeCheckText prints the report for a terminal: the findings of each
// task, then a total.
func writeCheckText(w io.Writer, r *checkReport) error {
	bw := bufio.NewWriter(w)
	exchanges := 0
	for _, t := range r.Tasks {
		fmt.Fprintf(bw, "task %s (agent %s): %s\n", t.TaskID, t.Agent, countText(t.Checks))
		for _, x := range t.Exchanges {
			exchanges++
			if len(x.Findings) == 0 {
				continue
			}
			fmt.Fprintf(bw, "  exchange %s %s (v%s, %s)\n", x.ExchangeID, x.Method, x.Version, x.Outcome)
			for _, f := range x.Findings {
				where := "exchange"
				if f.Seq >= 0 {
					where = fmt.Sprintf("event %d", f.Seq)
				}
				if f.Path != "" {
					where += " " + f.Path
				}
				fmt.Fprintf(bw, "    %-7s %s  %s: %s\n", f.Severity, f.Rule, where, oneLine(f.Message))
				if f.Spec != nil {
					fmt.Fprintf(bw, "            spec %s %s", f.Spec.Section, f.Spec.URL)
					if len(f.TCK) > 0 {
						fmt.Fprintf(bw, "  TCK %s", strings.Join(f.TCK, ", "))
					}
					fmt.Fprintln(bw)
				}
			}
		}
	}
	fmt.Fprintf(bw, "%d tasks, %d exchanges checked: %s\n", len(r.Tasks), exchanges, countText(r.Checks))
	return bw.Flush()
}

func countText(c recorder.CheckCounts) string {
	if c.Errors == 0 && c.Warnings == 0 {
		return "ok"
	}
	return fmt.Sprintf("%d errors, %d warnings", c.Errors, c.Warnings)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// JUnit XML as CI servers read it (the Ant/Surefire schema): one testsuite
// per task, one testcase per exchange, a failure per exchange with errors.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, r *checkReport) error {
	out := junitSuites{Name: "a2a-proxy conformance"}
	for _, t := range r.Tasks {
		s := junitSuite{Name: "task " + t.TaskID}
		for _, x := range t.Exchanges {
			c := junitCase{Name: x.Method + " " + x.ExchangeID, Classname: "a2a." + t.Agent}
			var errs, warns []string
			var rules []string
			for _, f := range x.Findings {
				line := findingLine(f)
				if f.Severity == recorder.SeverityError {
					errs = append(errs, line)
					rules = append(rules, f.Rule)
				} else {
					warns = append(warns, line)
				}
			}
			if len(errs) > 0 {
				c.Failure = &junitFailure{Message: strings.Join(rules, " "), Type: "conformance", Text: strings.Join(errs, "\n")}
				s.Failures++
			}
			if len(warns) > 0 {
				c.SystemOut = strings.Join(warns, "\n")
			}
			s.Cases = append(s.Cases, c)
			s.Tests++
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func findingLine(f checks.Described) string {
	line := fmt.Sprintf("%s %s seq %d", f.Severity, f.Rule, f.Seq)
	if f.Path != "" {
		line += " " + f.Path
	}
	line += ": " + oneLine(f.Message)
	if f.Spec != nil {
		line += " (" + f.Spec.Section + " " + f.Spec.URL + ")"
	}
	return line
}
