package browsertest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// Every event type the node sends central (a pos.Event* constant) has a
// name in every language: the manager's list of the events central
// rejected shows each as t('ev.' + type), not as the contract's type.
func TestEventTypesNamed(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "../../pos/event.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	ast.Inspect(file, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range vs.Names {
			if i >= len(vs.Values) {
				continue
			}
			if lit, ok := vs.Values[i].(*ast.BasicLit); ok && strings.HasPrefix(name.Name, "Event") && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				types = append(types, v)
			}
		}
		return true
	})
	if len(types) < 11 {
		t.Fatalf("event types %v: the scan of pos/event.go no longer finds them", types)
	}
	for _, lang := range []string{"en", "sv", "sk", "ro", "zh-Hant"} {
		m := loadStrings(t, lang)
		for _, ty := range types {
			if strings.TrimSpace(m["ev."+ty]) == "" {
				t.Errorf("%s.json: event type %q has no name ev.%s", lang, ty, ty)
			}
		}
	}
}
