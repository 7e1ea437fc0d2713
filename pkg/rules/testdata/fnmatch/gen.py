#!/usr/bin/env python3
"""Generate cases.jsonl, the golden table of TestFnmatchTable (pkg/rules/fnmatch_test.go).

Each line is one pattern and the strings it was tried on, with what Python's
fnmatch.fnmatchcase answered:

    {"pattern": "x[]-a]y", "cases": [["x^y", true], ["x-y", false]]}

The patterns are random over an alphabet weighted towards the characters that
make fnmatch classes interesting (`*?[]!-\\.` and `^`), plus a few letters and
a non-ASCII one; the strings are random, or the pattern mutated, and each
pattern keeps up to MATCHES matching and MISSES non-matching strings so the
table holds both answers. The output is deterministic for a given seed and
Python version (fnmatch changed in 3.9: a reversed range used to raise, it now
matches nothing). Regenerate from the repository root with:

    python3 pkg/rules/testdata/fnmatch/gen.py > pkg/rules/testdata/fnmatch/cases.jsonl
"""

import fnmatch
import json
import random
import sys
import warnings

SEED = 21
PATTERNS = 3000
MATCHES = 3
MISSES = 3
CANDIDATES = 80

LETTERS = "abcz"
PATTERN_ALPHABET = "*?[]!-\\.^" + LETTERS + "é"
STRING_ALPHABET = "*?[]!-\\.^" + LETTERS + "é"

# The examples and the classic corner cases, kept whatever the seed.
FIXED = [
    "x[]-a]y", "x[\\-a]y", "[\\-a]", "[ab-d]", "[a-]", "[!--]", "a[z-a]b",
    "[!z-a]", "[z-ab]", "[]", "[!]", "[]]", "[!]]", "[[]", "[", "a[", "[!",
    "[a-c-e]", "[--a]", "[-a]", "[!-a]", "[a-z0-9]", "[!a-z0-9]", "[a]",
    "[.]", "[*]", "[?]", "[\\]", "[!a]", "[^a]", "[a^]", "[!^]", "x[!]-a]y",
    "org.fedoraproject.*", "*.bodhi.*", "a.[!bc].d", "*a*a*b", "?", "*",
    "**", "[é-z]", "[a-é]",
]


# Strings always tried on some FIXED patterns: the disagreements the issue measured.
EXTRA = {
    "x[]-a]y": ["x^y", "x-y", "x]y", "xay"],
    "x[\\-a]y": ["x]y", "x-y", "x\\y"],
    "[\\-a]": ["]", "-", "\\", "a", "b"],
    "[ab-d]": ["-", "c", "e"],
    "[a-]": ["a", "-", "b"],
    "[!--]": ["-", "a", ""],
    "a[z-a]b": ["azb", "aab", "a-b", "ab"],
}


def random_pattern(rng):
    n = rng.randint(1, 10)
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.15:
            out.append("[")
        elif r < 0.27:
            out.append("]")
        elif r < 0.37:
            out.append("-")
        elif r < 0.43:
            out.append("!")
        else:
            out.append(rng.choice(PATTERN_ALPHABET))
    if rng.random() < 0.35:  # a class somewhere, so closed classes are common
        k = rng.randint(0, len(out))
        body = "".join(rng.choice("]-!\\^[az.é") for _ in range(rng.randint(1, 5)))
        out.insert(k, "[" + body + "]")
    return "".join(out)


def random_string(rng):
    return "".join(rng.choice(STRING_ALPHABET) for _ in range(rng.randint(0, 8)))


def mutate(rng, p):
    out = []
    for c in p:
        r = rng.random()
        if c == "*":
            out.append(random_string(rng)[: rng.randint(0, 3)])
        elif r < 0.65:
            out.append(c)
        elif r < 0.80:
            out.append(rng.choice(STRING_ALPHABET))
        elif r < 0.90:
            out.append(c + rng.choice(STRING_ALPHABET))
        # else: drop it
    return "".join(out)


def witness(rng, p):
    """A string likely to match p: each class (closed the way fnmatch closes it) becomes one
    character, from the class's text or the alphabet; `?` any character, `*` a short run."""
    out = []
    i = 0
    while i < len(p):
        c = p[i]
        i += 1
        if c == "[":
            j = i
            if j < len(p) and p[j] == "!":
                j += 1
            if j < len(p) and p[j] == "]":
                j += 1
            while j < len(p) and p[j] != "]":
                j += 1
            if j < len(p):
                body = p[i:j]
                out.append(rng.choice(body + STRING_ALPHABET) if body else "]")
                i = j + 1
                continue
            out.append(c)
        elif c == "?":
            out.append(rng.choice(STRING_ALPHABET))
        elif c == "*":
            out.append(random_string(rng)[: rng.randint(0, 3)])
        else:
            out.append(c)
    return "".join(out)


def cases_for(rng, p):
    seen = set()
    hits, misses = [], []
    for s in EXTRA.get(p, []):
        seen.add(s)
        hits.append([s, fnmatch.fnmatchcase(s, p)])
    for k in range(CANDIDATES):
        s = (witness, mutate, lambda rng, p: random_string(rng))[k % 3](rng, p)
        if s in seen:
            continue
        seen.add(s)
        m = fnmatch.fnmatchcase(s, p)
        if m and len(hits) < MATCHES:
            hits.append([s, True])
        elif not m and len(misses) < MISSES:
            misses.append([s, False])
    return hits + misses


def main():
    warnings.simplefilter("ignore")  # FutureWarning on "possible nested set" in re
    rng = random.Random(SEED)
    patterns = list(FIXED)
    seen = set(patterns)
    while len(patterns) < PATTERNS:
        p = random_pattern(rng)
        if p not in seen:
            seen.add(p)
            patterns.append(p)
    out = sys.stdout
    for p in patterns:
        cases = cases_for(rng, p)
        out.write(json.dumps({"pattern": p, "cases": cases}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
