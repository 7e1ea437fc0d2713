package message

import "strings"

// Helpers the community families share (accounts, calendar, meetings, forums, elections,
// wallpapers, tags, wiki, badges, mailing lists, IRC cookies): names, quotes and scalars.

// commText returns the scalar at keys as text, or "".
func commText(v any, keys ...string) string { return scalarString(getPath(v, keys...)) }

// commName returns the name of a person or group given as a string or as an object with a
// username, name or nickname member, as the producer wrote it.
func commName(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case map[string]any:
		for _, k := range [...]string{"username", "name", "nickname"} {
			if s, ok := t[k].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// commWho returns how a summary names a person: the account behind v when there is one (an
// IRC nick with an alias becomes its account), else the name as the producer wrote it.
func commWho(x *extraction, v any) string {
	if a := x.userOf(v); a != "" {
		return a
	}
	return commName(v)
}

// commQuote puts a title in double quotes.
func commQuote(s string) string { return "\"" + s + "\"" }
