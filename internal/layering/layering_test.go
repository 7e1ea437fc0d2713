package layering_test

import (
	"errors"
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

// testkit is where the test helpers live, which only tests may import.
const testkit = module + "/internal/testkit/"

// No package's non-test files import a test helper of internal/testkit/ (the helpers themselves
// may build on each other): a binary links none of them. Their non-test parts live in ordinary
// packages (internal/childproc, internal/devtools).
func TestOnlyTestsImportTestkit(t *testing.T) {
	t.Parallel()
	root, err := corpus.RepoRoot()
	require.NoError(t, err)
	checked := 0
	require.NoError(t, filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != root {
			if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module (tools/)
			}
		}
		bp, err := build.ImportDir(path, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		require.NoError(t, err, path)
		rel, err := filepath.Rel(root, path)
		require.NoError(t, err)
		importer := module + "/" + filepath.ToSlash(rel)
		checked++
		if strings.HasPrefix(importer+"/", testkit) {
			return nil
		}
		for _, imp := range bp.Imports { // the non-test files' imports only
			require.False(t, strings.HasPrefix(imp, testkit), "%s imports the test helper %s in a non-test file", importer, imp)
		}
		return nil
	}))
	require.Greater(t, checked, 50, "the walk found the module's packages")
}
