package mutetoken_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/mutetoken"
	"fmn/internal/signedtoken"
)

const secret = "0123456789abcdef0123456789abcdef"

// now is the tests' clock.
var now = time.Date(2026, 11, 23, 12, 30, 0, 0, time.UTC)

type testBundle struct {
	signer *mutetoken.Signer
	claims mutetoken.Claims // alice's, valid for DefaultTTL from now
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	s, err := mutetoken.NewSigner([]byte(secret))
	require.NoError(t, err)
	return &testBundle{signer: s, claims: mutetoken.Claims{
		User: "alice", Destination: 7, Filters: []int64{3, 9}, Expires: now.Add(mutetoken.DefaultTTL),
	}}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.signer.Issue(b.claims)
	require.True(t, strings.HasPrefix(tok, "m2."), tok)
	require.Equal(t, tok, b.signer.Issue(b.claims), "deterministic")
	got, err := b.signer.Verify(tok, now)
	require.NoError(t, err)
	require.Equal(t, b.claims, got)

	// Up to the last second before it expires.
	_, err = b.signer.Verify(tok, b.claims.Expires.Add(-time.Second))
	require.NoError(t, err)

	// At most 32 filters are kept.
	many := b.claims
	many.Filters = nil
	for i := range 40 {
		many.Filters = append(many.Filters, int64(1_000_000_000_000+i))
	}
	got, err = b.signer.Verify(b.signer.Issue(many), now)
	require.NoError(t, err)
	require.Equal(t, many.Filters[:32], got.Filters)
}

func TestExpiredRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.signer.Issue(b.claims)
	for name, at := range map[string]time.Time{
		"at expiry":    b.claims.Expires,
		"after expiry": b.claims.Expires.Add(time.Hour),
	} {
		_, err := b.signer.Verify(tok, at)
		require.ErrorIs(t, err, mutetoken.ErrExpired, name)
	}
	// An expired forgery is a forgery.
	other, err := mutetoken.NewSigner([]byte(secret + "x"))
	require.NoError(t, err)
	_, err = b.signer.Verify(other.Issue(b.claims), b.claims.Expires.Add(time.Hour))
	require.ErrorIs(t, err, mutetoken.ErrInvalid)
}

func TestForgedRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.signer.Issue(b.claims)
	other, err := mutetoken.NewSigner([]byte(secret + "x"))
	require.NoError(t, err)
	noFilters, noUser, noDest := b.claims, b.claims, b.claims
	noFilters.Filters, noUser.User, noDest.Destination = nil, "", 0
	// sseToken is a token of another purpose under the same secret.
	sse, err := signedtoken.New([]byte(secret), "m2", "fmn-sse-token", 1024)
	require.NoError(t, err)
	for name, bad := range map[string]string{
		"other secret":       other.Issue(b.claims),
		"no filters":         b.signer.Issue(noFilters),
		"no user":            b.signer.Issue(noUser),
		"no destination":     b.signer.Issue(noDest),
		"empty":              "",
		"wrong prefix":       "v1" + tok[2:],
		"tampered signature": tok[:len(tok)-2] + "AA",
		"tampered payload":   "m2." + strings.Repeat("A", 8) + tok[strings.LastIndex(tok, "."):],
		"two parts only":     "m2.abc",
		"other purpose":      sse.Seal("alice", "7", "9999999999", "3"),
		"bad expiry":         mustSeal(t, "m2", "alice", "7", "soon", "3"),
		"bad filter":         mustSeal(t, "m2", "alice", "7", "9999999999", "x"),
		"forged old format":  "m1.YWxpY2UKMw.bogus",
	} {
		_, err := b.signer.Verify(bad, now)
		require.ErrorIs(t, err, mutetoken.ErrInvalid, name)
	}
	_, err = mutetoken.NewSigner([]byte("short"))
	require.Error(t, err)
}

// A genuine token of the first format (a user name and filters, no destination, no expiry) is
// refused as such, so that the web app can say why.
func TestOldPrefixRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	old := mustSeal(t, "m1", "alice", "3", "9")
	_, err := b.signer.Verify(old, now)
	require.ErrorIs(t, err, mutetoken.ErrOldFormat)
	// Relabelled with the other version's prefix, neither version's token opens (the versions'
	// MACs differ), even where the fields would parse: an old token with four fields.
	old = mustSeal(t, "m1", "alice", "3", "9", "4102444800")
	_, err = b.signer.Verify("m2"+old[2:], now)
	require.ErrorIs(t, err, mutetoken.ErrInvalid)
	tok := b.signer.Issue(b.claims)
	_, err = b.signer.Verify("m1"+tok[2:], now)
	require.ErrorIs(t, err, mutetoken.ErrInvalid)
}

// mustSeal seals fields the way the mute signer of a version does (m1 or m2), without its checks.
func mustSeal(t *testing.T, prefix string, fields ...string) string {
	t.Helper()
	purpose := map[string]string{"m1": "fmn-mute-token", "m2": "fmn-mute-token/m2"}[prefix]
	s, err := signedtoken.New([]byte(secret), prefix, purpose, 1200)
	require.NoError(t, err)
	return s.Seal(fields...)
}
