package rules

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// The topic glob syntax is Python's fnmatch, read here the way fnmatch.translate reads it
// (Python 3.9 and later) into tokens that topic.go compiles. fnmatch itself never refuses a
// pattern; the two refusals below are ours, and doc.go lists them.
var (
	// errGlobReversedRange refuses a class range whose end comes before its start ("[z-a]"):
	// fnmatch drops it silently (so "a[z-a]b" matches nothing and "[!z-a]" any character), and
	// Python before 3.9 raised an error; on a topic it is a typo, better reported than obeyed.
	errGlobReversedRange = errors.New("reversed range")
	// errGlobNotUTF8 refuses a pattern that is not UTF-8 text: fnmatch matches characters, and
	// topics are text.
	errGlobNotUTF8 = errors.New("not valid UTF-8")
)

// globTokKind is what a globTok matches.
type globTokKind uint8

const (
	// tokLiteral matches the character r.
	tokLiteral globTokKind = iota
	// tokOne is `?`: any one character.
	tokOne
	// tokStar is `*`: any run of characters, dots included.
	tokStar
	// tokClass is `[...]`: one character in class (not in it, when negated).
	tokClass
)

// globTok is one step of a parsed pattern.
type globTok struct {
	kind  globTokKind
	r     rune
	class *globClass
}

// globClass is a bracket expression as fnmatch reads it: the characters and ranges listed.
type globClass struct {
	negated bool
	// chars are sorted and unique, and none lies in a range.
	chars []rune
	// ranges are inclusive, lo <= hi.
	ranges []runeRange
}

// runeRange is an inclusive range of characters.
type runeRange struct{ lo, hi rune }

// parseGlob reads p with fnmatch's rules: `*` any run of characters (consecutive stars are
// one), `?` one character, and `[` a class up to the next `]`, where a `]` right after `[` or
// `[!` is literal; a `[` with no such `]` is a literal `[`. Everything else, `\` included, is
// literal. A class of one character, not negated (`[*]`, `[.]`, `[a]`), is returned as that
// literal character, so the literal prefix a pattern is indexed under runs through it.
func parseGlob(p string) ([]globTok, error) {
	if !utf8.ValidString(p) {
		return nil, errGlobNotUTF8
	}
	rs := []rune(p)
	toks := make([]globTok, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			if n := len(toks); n == 0 || toks[n-1].kind != tokStar {
				toks = append(toks, globTok{kind: tokStar})
			}
		case '?':
			toks = append(toks, globTok{kind: tokOne})
		case '[':
			end := classEnd(rs, i+1)
			if end < 0 {
				toks = append(toks, globTok{kind: tokLiteral, r: c})
				continue
			}
			t, err := parseClass(rs[i+1 : end])
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = end
		default:
			toks = append(toks, globTok{kind: tokLiteral, r: c})
		}
	}
	return toks, nil
}

// classEnd returns the index of the `]` that closes the class whose text starts at rs[j] (just
// after its `[`), or -1 if none does.
func classEnd(rs []rune, j int) int {
	if j < len(rs) && rs[j] == '!' {
		j++
	}
	if j < len(rs) && rs[j] == ']' {
		j++
	}
	for ; j < len(rs); j++ {
		if rs[j] == ']' {
			return j
		}
	}
	return -1
}

// parseClass reads the text between a class's brackets: a leading `!` negates it; `x-y` is a
// range wherever the `-` is neither the first nor the last character nor right after a range;
// every other character stands for itself.
func parseClass(text []rune) (globTok, error) {
	var cl globClass
	if len(text) > 0 && text[0] == '!' {
		cl.negated = true
		text = text[1:]
	}
	for k := 0; k < len(text); {
		if k+2 < len(text) && text[k+1] == '-' {
			lo, hi := text[k], text[k+2]
			if lo > hi {
				return globTok{}, fmt.Errorf("%w %c-%c: it would match nothing", errGlobReversedRange, lo, hi)
			}
			cl.ranges = append(cl.ranges, runeRange{lo, hi})
			k += 3
			continue
		}
		cl.chars = append(cl.chars, text[k])
		k++
	}
	return cl.token(), nil
}

// token normalises cl (sorted unique characters outside the ranges; a one-character range as a
// character) and returns it as a token: a literal when it stands for one character.
func (cl *globClass) token() globTok {
	ranges := cl.ranges[:0]
	for _, r := range cl.ranges {
		if r.lo == r.hi {
			cl.chars = append(cl.chars, r.lo)
		} else {
			ranges = append(ranges, r)
		}
	}
	cl.ranges = ranges
	cl.chars = slices.DeleteFunc(cl.chars, cl.inRange)
	slices.Sort(cl.chars)
	cl.chars = slices.Compact(cl.chars)
	if !cl.negated && len(cl.ranges) == 0 && len(cl.chars) == 1 {
		return globTok{kind: tokLiteral, r: cl.chars[0]}
	}
	return globTok{kind: tokClass, class: cl}
}

// inRange reports whether c lies in one of cl's ranges.
func (cl *globClass) inRange(c rune) bool {
	for _, r := range cl.ranges {
		if r.lo <= c && c <= r.hi {
			return true
		}
	}
	return false
}
