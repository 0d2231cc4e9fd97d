package main

import (
	"context"
	"io"

	"github.com/a2aproxy/a2a-proxy/internal/console"
	"github.com/a2aproxy/a2a-proxy/internal/streamclient"
)

func runSend(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("send", "Usage: a2a-proxy send [flags] URL TEXT\n\nSends TEXT as a user message to the A2A agent at URL (its card is read from\nURL/.well-known/agent-card.json) on a streaming call, and prints each event\nas it arrives. Works with v0.3 and v1.0 agents.", stderr)
	version := fs.String("protocol", "", "protocol version to speak: 0.3 or 1.0 (default: v1.0 if the card offers it, else v0.3)")
	asJSON := fs.Bool("json", false, "print each event's JSON document on one line instead")
	if err := parseFlags(fs, args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 2 {
		return usageErrorf("want URL and TEXT, got %d arguments", fs.NArg())
	}
	baseURL, text := fs.Arg(0), fs.Arg(1)
	client, err := streamclient.New(streamclient.Options{Version: *version})
	if err != nil {
		return usageError{error: err}
	}
	ep, err := client.Discover(ctx, baseURL)
	if err != nil {
		return err
	}
	format := console.Pretty
	if *asJSON {
		format = console.JSON
	}
	return console.PrintEvents(stdout, client.Stream(ctx, ep, text), format)
}
