package prefs_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/prefs"
)

func TestValidIRCNick(t *testing.T) {
	t.Parallel()
	longest := strings.Repeat("n", prefs.MaxIRCNickBytes)
	for _, tc := range []struct {
		nick string
		ok   bool
	}{
		{"alice", true},         // plain
		{"al[i]ce_|^", true},    // IRC's special characters
		{"a1-b", true},          // digits and "-" after the first character
		{"`backtick{}\\", true}, // the rest of RFC 2812's specials
		{"zoë", true},           // UTF-8 (servers with UTF-8 nicks)
		{longest, true},         // the longest
		{"", false},             // empty
		{longest + "n", false},  // too long
		{"#chan", false},        // a channel
		{"&x", false},           // a local channel
		{"$mask", false},        // a server mask
		{":alice", false},       // a trailing parameter
		{"9lives", false},       // leading digit
		{"-dash", false},        // leading dash
		{"a b", false},          // space
		{" alice", false},       // leading space
		{"alice\t", false},      // tab
		{"a\u00a0b", false},     // no-break space
		{"a,b", false},          // a target list
		{"a\r\nQUIT", false},    // line injection
		{"a\x00b", false},       // NUL
		{"a\u200bb", false},     // zero-width space (invisible formatting)
		{"nick!u@h", false},     // a mask
		{"ni*k", false},         // a wildcard
		{"ni?k", false},         // a wildcard
		{"a:b", false},          // ":" anywhere
		{"bad\xffutf8", false},  // not UTF-8
	} {
		require.Equal(t, tc.ok, prefs.ValidIRCNick(tc.nick), "%q", tc.nick)
	}
}

// A destination the bot would refuse is refused when it is saved, with a reason that says what a
// nick may contain.
func TestValidateDestinationRefusesWhatTheBotRefuses(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"#chan", "&x", "9lives", "-dash", "a b", strings.Repeat("n", prefs.MaxIRCNickBytes+1)} {
		d := prefs.Destination{Kind: prefs.KindIRC, Address: addr}
		err := prefs.ValidateDestination(&d)
		var inv *prefs.InvalidError
		require.ErrorAs(t, err, &inv, "%q", addr)
		require.Equal(t, "address", inv.Field)
		require.Equal(t, prefs.IRCNickRule, inv.Reason)
		require.Contains(t, inv.Reason, "a channel such as #fedora is not a nick")
	}
	d := prefs.Destination{Kind: prefs.KindIRC, Address: "  alice  "}
	require.NoError(t, prefs.ValidateDestination(&d), "surrounding spaces are trimmed first")
	require.Equal(t, "alice", d.Address)
}
