// Package securitydoc holds only a test: that SECURITY.md's table of limits states the values the
// code uses, so that the page an operator reads stays true when a default changes.
package securitydoc
