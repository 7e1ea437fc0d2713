// Package layering holds only tests of what may import what: that the packages under pkg/, which
// other modules may import, depend on nothing under internal/, directly or through another
// package; and that no non-test code imports a test helper of internal/testkit/.
package layering
