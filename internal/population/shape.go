package population

import "fmt"

// Shape names how a population is drawn.
type Shape string

// The shapes.
const (
	// ShapeDefault is the population the benchmarks used before issue #21 (Generate's default):
	// a quarter of the users own packages, everyone has "events about me" and "not my own
	// actions", about 4 filters per user.
	ShapeDefault Shape = "default"
	// ShapeFedora is shaped like Fedora's packagers (issue #21; the package comment gives the
	// proportions): most users own a few packages, a few SIGs own thousands, body conditions,
	// topic globs and followed users are common, negations rare.
	ShapeFedora Shape = "fedora"
)

// ParseShape reads a shape's name: "default" (or empty) or "fedora".
func ParseShape(name string) (Shape, error) {
	switch Shape(name) {
	case "", ShapeDefault:
		return ShapeDefault, nil
	case ShapeFedora:
		return ShapeFedora, nil
	}
	return "", fmt.Errorf("unknown population shape %q (want %s or %s)", name, ShapeDefault, ShapeFedora)
}
