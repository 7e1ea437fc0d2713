// Package testenv holds what the real-service test helpers share: how a missing service is
// reported (skip locally, fail in CI) and unique names per test.
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// InCI reports whether the tests run in CI (CI set to anything but empty or "false").
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false"
}

// Unavailable stops the test because a service it needs is missing: a skip on a developer's
// machine, a failure in CI, where every service must be up.
func Unavailable(t testing.TB, service string, err error) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s is required in CI but unavailable: %v", service, err)
	}
	t.Skipf("%s unavailable (set CI=true to make this a failure): %v", service, err)
}

// UniqueName returns a short name unique to this test run: the sanitised test name plus a
// random suffix, lowercase, safe for database, queue and key names.
func UniqueName(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 30 {
			break
		}
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	return b.String() + "_" + hex.EncodeToString(rnd[:])
}
