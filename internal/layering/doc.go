// Package layering holds only a test: that the packages under pkg/, which other modules may
// import, depend on nothing under internal/, directly or through another package.
package layering
