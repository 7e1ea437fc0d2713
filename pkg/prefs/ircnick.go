package prefs

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxIRCNickBytes bounds what is accepted as an IRC nick. Servers allow 9 to 32 bytes (Libera
// 16); the bound is above them all so that no server's real nick is refused, and a nick too long
// for the bot's server is refused by that server.
const MaxIRCNickBytes = 64

// IRCNickRule says what ValidIRCNick accepts, for refusals.
const IRCNickRule = "must be an IRC nick: 1 to 64 bytes of UTF-8, without spaces, control " +
	`characters or any of , * ? ! @ :, and not starting with a digit, "-", "#", "&" or "$" ` +
	"(a channel such as #fedora is not a nick)"

// ValidIRCNick reports whether s can be an IRC nick (see IRCNickRule): the one rule by which the
// web app accepts an IRC destination and the bot accepts a nick to message, or a command from.
// It refuses what would be a channel (#, &), a target list (,), a mask (* ? ! @), a trailing
// parameter (:) or would split or end the protocol line (spaces, control characters), and a
// leading digit or "-" as RFC 2812 does. The zero-width joiner is allowed (some emoji nicks
// need it); other invisible formatting characters are not.
func ValidIRCNick(s string) bool {
	if s == "" || len(s) > MaxIRCNickBytes || !utf8.ValidString(s) {
		return false
	}
	if c := s[0]; c == '-' || (c >= '0' && c <= '9') || c == '#' || c == '&' || c == ':' || c == '$' {
		return false
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), unicode.IsControl(r), unicode.Is(unicode.Cf, r) && r != '\u200d':
			return false
		case strings.ContainsRune(",*?!@:", r):
			return false
		}
	}
	return true
}
