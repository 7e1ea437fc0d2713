package layering_test

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
)

// module is this module's path.
const module = "fmn"

// Every package under pkg/, and everything of this module it imports in its non-test files, is
// outside internal/: go list -deps ./pkg/... shows no fmn/internal/ package.
func TestPkgImportsNothingInternal(t *testing.T) {
	t.Parallel()
	root, err := corpus.RepoRoot()
	require.NoError(t, err)
	var pkgs []string
	require.NoError(t, filepath.WalkDir(filepath.Join(root, "pkg"), func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() || d.Name() == "testdata" {
			return err
		}
		if matches, _ := filepath.Glob(filepath.Join(path, "*.go")); len(matches) > 0 {
			rel, err := filepath.Rel(root, path)
			require.NoError(t, err)
			pkgs = append(pkgs, module+"/"+filepath.ToSlash(rel))
		}
		return nil
	}))
	require.NotEmpty(t, pkgs)
	// via[p] is the package through which p was first reached, for the failure message.
	via := map[string]string{}
	for len(pkgs) > 0 {
		p := pkgs[0]
		pkgs = pkgs[1:]
		require.False(t, strings.HasPrefix(p, module+"/internal/"), "%s is reached from pkg/ through %s", p, via[p])
		bp, err := build.Import(p, root, 0)
		require.NoError(t, err, p)
		for _, imp := range bp.Imports {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if _, seen := via[imp]; !seen {
				via[imp] = p
				pkgs = append(pkgs, imp)
			}
		}
	}
}
