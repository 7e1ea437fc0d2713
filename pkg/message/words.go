package message

import "strings"

// Small text helpers the families' rule code shares.

// httpURL returns s, trimmed, if it is an absolute http or https URL with no white space in it,
// else "".
func httpURL(s string) string {
	s = strings.TrimSpace(s)
	if (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	return ""
}

// shortSHA is a commit id as people quote it: its first 8 characters.
func shortSHA(s string) string {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

// lastWord is the last dot-separated word of s: "comment" of "update.comment".
func lastWord(s string) string { return s[strings.LastIndexByte(s, '.')+1:] }

// listWords joins items as "a, b and c"; more than maxItems items end in "and N more".
func listWords(items []string, maxItems int) string {
	if len(items) > maxItems {
		return strings.Join(items[:maxItems], ", ") + " and " + itoa(len(items)-maxItems) + " more"
	}
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// series joins all of items as a sentence lists them: "a", "a and b", "a, b and c".
func series(items []string) string { return listWords(items, len(items)) }

// shorten bounds a title quoted in a summary, cutting at a word boundary.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexAny(s[:n], " ,")
	if cut <= 0 {
		return cutRunes(s, n) + "…"
	}
	return s[:cut] + "…"
}

// possessive renders "ralph's " for a known person and "" otherwise.
func possessive(who string) string {
	if who == "" {
		return ""
	}
	return who + "'s "
}

// strs returns the strings of a JSON array (other elements are skipped).
func strs(v any) []string {
	var out []string
	each(v, func(e any) {
		if s, ok := e.(string); ok && s != "" {
			out = append(out, s)
		}
	})
	return out
}

// ownerOf returns "who's" for a person (account names take "'s" even when they end in "s").
func ownerOf(who string) string { return who + "'s" }
