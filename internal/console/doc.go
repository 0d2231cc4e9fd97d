// Package console prints A2A traffic for the terminal: live or replayed event
// streams, the way the A2A tutorial's test client shows them, and the
// recorder's task list and task timelines. Output is plain text without
// colour, so it reads the same in a terminal, a file or a CI log.
package console
