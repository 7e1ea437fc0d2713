// Package browsertest drives a real headless Chromium (Debian's chromium package) from tests with
// chromedp, and saves screenshots as test artifacts.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fmn/internal/testkit/testenv"
)

// Timeout bounds a whole browser session of a test.
const Timeout = 2 * time.Minute

// ExecPath finds Chromium: FMN_CHROMIUM, else chromium or chromium-browser on PATH.
func ExecPath() (string, error) {
	if p := os.Getenv("FMN_CHROMIUM"); p != "" {
		return p, nil
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		p, err = exec.LookPath("chromium-browser")
	}
	return p, err
}

// New starts a headless Chromium for the test and returns the context chromedp actions run in;
// the browser stops when the test ends. Without Chromium the test is skipped, or fails in CI.
func New(t *testing.T) context.Context {
	t.Helper()
	path, err := ExecPath()
	if err != nil {
		testenv.Unavailable(t, "chromium", err)
	}
	// The flags keep Chromium off the network it cannot reach here (background updates, QUIC),
	// and let it run as root in a container (no sandbox).
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 900), chromedp.UserDataDir(t.TempDir()))
	base, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); cancelTimeout() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// ArtifactsDir is where tests leave files for people to look at: FMN_ARTIFACTS_DIR, else
// fmn-artifacts in the temporary directory.
func ArtifactsDir() string {
	if d := os.Getenv("FMN_ARTIFACTS_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "fmn-artifacts")
}

// Screenshot saves the whole current page as <artifacts>/screenshots/<test>-<name>.png.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(ArtifactsDir(), "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot dir: %v", err)
	}
	file := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+"-"+name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
	t.Logf("screenshot: %s", file)
}
