package rules

// RebindOverlayNext makes the next WithUsers on c bind every patched user's filters afresh rather
// than reuse the bound filters of the users it does not replace, as it does when the overlay's
// symbol table has grown too much.
func RebindOverlayNext(c *Matcher) {
	if c.ov != nil {
		c.ov.freshSyms = -freshSymsSlack
	}
}
