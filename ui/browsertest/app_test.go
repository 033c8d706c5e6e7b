package browsertest

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/posnode/posnode/pos"
)

const webDir = "../web"

func loadStrings(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(webDir, "i18n", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return m
}

var placeholder = regexp.MustCompile(`\{\w+\}`)

func placeholders(s string) []string {
	p := placeholder.FindAllString(s, -1)
	slices.Sort(p)
	return p
}

// Every language has every string, none empty, with the same parameters.
func TestTranslationsComplete(t *testing.T) {
	t.Parallel()
	en := loadStrings(t, "en")
	for _, lang := range []string{"sv", "sk", "ro", "zh-Hant"} {
		t.Run(lang, func(t *testing.T) {
			m := loadStrings(t, lang)
			for k, v := range en {
				got, ok := m[k]
				switch {
				case !ok:
					t.Errorf("%s: missing", k)
				case strings.TrimSpace(got) == "":
					t.Errorf("%s: empty", k)
				case !slices.Equal(placeholders(got), placeholders(v)):
					t.Errorf("%s: parameters %v, English has %v", k, placeholders(got), placeholders(v))
				}
			}
			for k := range m {
				if _, ok := en[k]; !ok {
					t.Errorf("%s: not in en.json", k)
				}
			}
		})
	}
}

// Traditional Chinese is punctuated with full-width marks (，：；？！（）):
// an ASCII one after or before Chinese text, or a placeholder standing in
// it, reads as a slip beside the full-width ones of the same screens.
func TestChinesePunctuationFullWidth(t *testing.T) {
	t.Parallel()
	ascii := regexp.MustCompile(`[\p{Han}\x{FF0C}\x{FF1A}][,:;?!()]|[,:;?!()][\p{Han}]`)
	for k, v := range loadStrings(t, "zh-Hant") {
		if s := placeholder.ReplaceAllString(v, "字"); ascii.MatchString(s) {
			t.Errorf("%s: %q has ASCII punctuation in Chinese text", k, v)
		}
	}
}

// Every tender method the domain declares (a pos.Method* constant) has a
// name in every language: screens show payments, refunds and shift totals
// as t('till.' + method).
func TestTenderMethodsTranslated(t *testing.T) {
	t.Parallel()
	methods := tenderMethods(t)
	for _, want := range []string{pos.MethodCash, pos.MethodOnline, pos.MethodExchange} {
		if !slices.Contains(methods, want) {
			t.Fatalf("tender methods %v lack %q; the scan of package pos no longer finds them", methods, want)
		}
	}
	for _, lang := range []string{"en", "sv", "sk", "ro", "zh-Hant"} {
		m := loadStrings(t, lang)
		for _, method := range methods {
			if strings.TrimSpace(m["till."+method]) == "" {
				t.Errorf("%s.json: tender method %q has no name till.%s", lang, method, method)
			}
		}
	}
}

// tenderMethods reads the values of the string constants named Method* in
// package pos.
func tenderMethods(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../pos/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var methods []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Method") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						methods = append(methods, v)
					}
				}
			}
		}
	}
	return methods
}

// Every error code the API can answer with has a translation, so a person
// never sees a bare code. The node registers codes of its own (disk_full)
// in cmd/posnode.
func TestErrorCodesTranslated(t *testing.T) {
	t.Parallel()
	en := loadStrings(t, "en")
	var files []string
	for _, pattern := range []string{"../*.go", "../../cmd/posnode/*.go"} {
		fs, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	codeRe := regexp.MustCompile(`\{[\w.]+, "(\w+)", http\.Status\w+\}|RegisterError\([\w.]+, "(\w+)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeRe.FindAllStringSubmatch(string(b), -1) {
			code := m[1] + m[2]
			n++
			if _, ok := en["err."+code]; !ok {
				t.Errorf("%s: error code %q has no translation err.%s", filepath.Base(f), code, code)
			}
		}
	}
	if n < 10 {
		t.Fatalf("found only %d error codes in package ui; the pattern no longer matches its table", n)
	}
}

// Every string the app asks for by a literal key exists.
func TestStringKeysExist(t *testing.T) {
	t.Parallel()
	en := loadStrings(t, "en")
	files, err := filepath.Glob(filepath.Join(webDir, "js", "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	keyRe := regexp.MustCompile(`\bt\('([\w.]+)'(\s*\+)?`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			if m[2] != "" {
				continue // a prefix completed at run time
			}
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s: t('%s') has no string", filepath.Base(f), m[1])
			}
		}
	}
}

// Screens show an error from the API through errorText, which falls back
// to the code and message for a code with no string, never as
// t('err.' + code), which would show the bare key.
func TestErrorsShownThroughErrorText(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(webDir, "js", "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	bare := regexp.MustCompile(`\bt\(\s*['"]err\.['"]\s*\+`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if loc := bare.FindIndex(b); loc != nil {
			line := 1 + strings.Count(string(b[:loc[0]]), "\n")
			t.Errorf("%s:%d: an error is shown as t('err.' + code); use errorText(err)", filepath.Base(f), line)
		}
	}
}

// The app's JavaScript and CSS together stay under 171 KB (their
// comments included): growth beyond it is a choice made in this test, not
// by the way.
func TestAppSize(t *testing.T) {
	t.Parallel()
	var total int64
	err := filepath.Walk(webDir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(p); ext == ".js" || ext == ".css" {
			total += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 || total > 171<<10 {
		t.Fatalf("JavaScript and CSS are %d bytes; the budget is 171 KB", total)
	}
}
