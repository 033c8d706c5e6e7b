package receipt

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// posMethods returns the values of the Method constants of package pos,
// read from its source, so that a method added there is checked here
// without anyone listing it.
func posMethods(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "pos", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !strings.HasPrefix(id.Name, "Method") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: pos.%s is not a string literal", name, id.Name)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					found[id.Name] = v
				}
			}
		}
	}
	if len(found) < 6 {
		t.Fatalf("found only %v in package pos", found)
	}
	return found
}

// Every tender method of package pos prints under its own name in every
// language: none is printed as the raw word the domain stores.
func TestEveryMethodHasALabel(t *testing.T) {
	for name, m := range posMethods(t) {
		for _, lang := range Langs {
			p := &page{s: Store{Lang: lang}}
			want := labels[m][lang]
			if want == "" {
				t.Errorf("pos.%s (%q) has no label in %s", name, m, lang)
				continue
			}
			if got := p.method(m); got != want {
				t.Errorf("pos.%s prints as %q in %s, want %q", name, got, lang, want)
			}
		}
	}
}
