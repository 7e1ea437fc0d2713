package rules

// RebindOverlayNext makes the next WithUsers on c bind every patched user's filters afresh rather
// than reuse the bound filters of the users it does not replace, as a merge does when the
// overlay's symbol table has grown too much (the next WithUsers on c then merges its tiers).
func RebindOverlayNext(c *Matcher) {
	if c.ov != nil {
		c.ov.freshSyms = -freshSymsSlack
		c.ov.forceMerge = true
	}
}

// MergeOverlayNext makes the next WithUsers on c merge its overlay's tiers into one, reusing the
// bound filters, as it does when the recent tier has grown past its size.
func MergeOverlayNext(c *Matcher) {
	if c.ov != nil {
		c.ov.forceMerge = true
	}
}
