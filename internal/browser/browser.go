// Package browser drives a headless Chromium from Go tests, through
// chromedp, to test the admin UI as a person uses it.
//
// The browser is Debian's chromium package (`make browser-deps` installs
// it). Without it, Require skips the test, except under CI (env CI set),
// where it fails it.
package browser

import (
	"context"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Viewport is a laptop screen's, the size the pages are made for.
const (
	ViewportWidth  = 1366
	ViewportHeight = 900
)

// actionTimeout bounds one Do or Get: long enough for a replay at 1x of a
// short recording, short enough that a stuck page fails the test soon.
const actionTimeout = 30 * time.Second

// executables are the names Chromium goes by, Debian's first.
var executables = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}

// Find returns the Chromium executable, or "" when there is none.
func Find() string {
	for _, name := range executables {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

// Require returns the Chromium executable. Without one it skips the test,
// or fails it when the environment variable CI is set: CI must run the
// browser tests.
func Require(t testing.TB) string {
	t.Helper()
	path := Find()
	if path != "" {
		return path
	}
	const fix = "run `make browser-deps` (apt-get install chromium)"
	if os.Getenv("CI") != "" {
		t.Fatalf("browser: no Chromium found; CI must run the browser tests: %s", fix)
	}
	t.Skipf("browser: no Chromium found; to run the browser tests, %s", fix)
	return ""
}

// Browser is one headless Chromium with a fresh profile, stopped when the
// test ends.
type Browser struct {
	ctx context.Context // the browser's first tab, which holds it open
}

// Start launches Chromium for t.
func Start(t testing.TB) *Browser {
	t.Helper()
	path := Require(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(ViewportWidth, ViewportHeight),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc() // waits for the browser to exit
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no deadline
		t.Fatalf("browser: start %s: %v", path, err)
	}
	return &Browser{ctx: ctx}
}

// Tab is one page of the browser. It keeps what a page test could otherwise
// miss: console errors, uncaught exceptions, Content-Security-Policy
// violations, and JavaScript dialogs, which it dismisses.
type Tab struct {
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

// NewTab opens a tab, closed when the test ends.
func (b *Browser) NewTab(t testing.TB) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	tab := &Tab{ctx: ctx}
	messages := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(ViewportWidth, ViewportHeight)); err != nil {
		t.Fatalf("browser: open tab: %v", err)
	}
	go tab.watchConsole(messages)
	go tab.dismissDialogs(dialogs)
	return tab
}

func (tab *Tab) watchConsole(messages iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range messages {
		if err != nil {
			return // the tab closed
		}
		if m.Type == chromedp.ConsoleError || m.IsException() || m.Source == "security" {
			tab.note("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line)
		}
	}
}

// dismissDialogs answers every alert, confirm or prompt, so that a page
// that opens one (an injected script would) does not hang the test.
func (tab *Tab) dismissDialogs(dialogs iter.Seq2[page.EventJavascriptDialogOpening, error]) {
	for d, err := range dialogs {
		if err != nil {
			return
		}
		tab.note("dialog %s opened: %q", d.Type, d.Message)
		go func() { // not from the event loop, which the command's answer needs
			_, _ = chromedp.Call(tab.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}()
	}
}

func (tab *Tab) note(format string, args ...any) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	tab.problems = append(tab.problems, fmt.Sprintf(format, args...))
}

// Problems returns what went wrong in the page so far.
func (tab *Tab) Problems() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.problems...)
}

// Context is the tab's context, for chromedp calls the helpers lack.
func (tab *Tab) Context() context.Context { return tab.ctx }

// Do runs actions in the tab, failing t on error.
func (tab *Tab) Do(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v; page problems: %v", err, tab.Problems())
	}
}

// Get runs one action in the tab and returns its result, failing t on
// error.
func Get[T any](t testing.TB, tab *Tab, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("browser: %v; page problems: %v", err, tab.Problems())
	}
	return v
}

// WaitFor evaluates a JavaScript expression in the tab until it is true on
// a page that has finished loading, across navigations, failing t if that
// does not happen within the action timeout.
func (tab *Tab) WaitFor(t testing.TB, expression string) {
	t.Helper()
	loaded := `document.readyState === 'complete' && (` + expression + `)`
	deadline := time.Now().Add(actionTimeout)
	for {
		ctx, cancel := context.WithTimeout(tab.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](loaded))
		cancel()
		switch {
		case err == nil && ok:
			return
		case time.Now().After(deadline):
			t.Fatalf("browser: waited %v for %s (last error: %v); page problems: %v", actionTimeout, expression, err, tab.Problems())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// PreferColorScheme makes the page see the system preference scheme,
// "light" or "dark", as a CSS media feature.
func (tab *Tab) PreferColorScheme(t testing.TB, scheme string) {
	t.Helper()
	_, err := chromedp.Call(tab.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	if err != nil {
		t.Fatalf("browser: emulate prefers-color-scheme %s: %v", scheme, err)
	}
}

// Screenshot saves the whole page as ScreenshotDir()/name.png and returns
// the file's path.
func (tab *Tab) Screenshot(t testing.TB, name string) string {
	t.Helper()
	// Right after a navigation the page may not be laid out yet; Chromium
	// refuses to capture a page 0 pixels wide.
	tab.WaitFor(t, `document.documentElement.clientWidth > 0`)
	png := Get(t, tab, chromedp.FullScreenshot(100))
	dir, err := ScreenshotDir()
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	path := filepath.Join(dir, name+".png")
	if err == nil {
		err = os.WriteFile(path, png, 0o644)
	}
	if err != nil {
		t.Fatalf("browser: save screenshot %s: %v", name, err)
	}
	return path
}

// ScreenshotDir is where screenshots go: $A2A_PROXY_SCREENSHOTS, or
// screenshots/ at the root of the module (ignored by git).
func ScreenshotDir() (string, error) {
	if dir := os.Getenv("A2A_PROXY_SCREENSHOTS"); dir != "" {
		return dir, nil
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("find the module root for screenshots/: %v", err)
	}
	return filepath.Join(filepath.Dir(gomod), "screenshots"), nil
}
