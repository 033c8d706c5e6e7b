package sqlite

import (
	"encoding/json"
	"maps"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/posnode/posnode/pos"
)

// TestNamesJSONRoundTrips checks that names encode to JSON that decodes
// to the same names and, keys sorted, to what encoding/json writes for
// text that needs no HTML escaping.
func TestNamesJSONRoundTrips(t *testing.T) {
	cases := []map[string]string{
		{},
		{"en": "Milk 1 l", "sv": "Mjölk 1 l", "zh-Hant": "牛奶 1 公升", "ro": "Lapte 1 l", "sk": "Mlieko 1 l"},
		{"en": "quote \" backslash \\ tab \t newline \n cr \r nul \x00 bell \x07 del \x7f"},
		{"en": "invalid \xff byte"},
		{"x\"y": "key needs escaping"},
	}
	r := rand.New(rand.NewPCG(1, 2))
	pool := []rune{'a', 'Z', '"', '\\', '\n', 0, 0x1f, 0x7f, 'ö', 'ș', '商', 0x2028, '😀'}
	for range 500 {
		m := map[string]string{}
		for range r.IntN(4) {
			var k, v []rune
			for range r.IntN(6) {
				k = append(k, pool[r.IntN(len(pool))])
			}
			for range r.IntN(20) {
				v = append(v, pool[r.IntN(len(pool))])
			}
			m[string(k)] = string(v)
		}
		cases = append(cases, m)
	}
	for _, names := range cases {
		got, err := namesJSON(names)
		if err != nil {
			t.Fatalf("namesJSON(%q): %v", names, err)
		}
		var back map[string]string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Fatalf("namesJSON(%q) = %s, not JSON: %v", names, got, err)
		}
		want, _ := json.Marshal(names)
		var wantBack map[string]string
		json.Unmarshal(want, &wantBack)
		if !maps.Equal(back, wantBack) {
			t.Errorf("namesJSON(%q) decodes to %q, encoding/json's to %q", names, back, wantBack)
		}
	}
	if got, _ := namesJSON(map[string]string{"sv": "b", "en": "a\n"}); got != `{"en":"a\n","sv":"b"}` {
		t.Errorf("namesJSON = %s, want sorted keys and escapes", got)
	}
}

// TestSearchTextLowersAsStrings checks the search column against
// strings.ToLower in every language of the node.
func TestSearchTextLowersAsStrings(t *testing.T) {
	it := pos.Item{SKU: "AB-12/x", Names: map[string]string{
		"en": "Backpack 20 L", "sv": "RYGGSÄCK Åre", "sk": "ŠTÍT Čaj", "ro": "ȘOSETE Țară", "zh-Hant": "背包 ABC", "de": "Not Searched"}}
	want := strings.Join([]string{"ab-12/x", "backpack 20 l", "ryggsäck åre", "štít čaj", "șosete țară", "背包 abc"}, "\n")
	if got := searchText(it); got != want {
		t.Errorf("searchText = %q, want %q", got, want)
	}
	for _, s := range []string{"ǅ Σ İ ẞ K Å", "\u0130stanbul", "ÀÉÎÕÜ"} {
		if got, want := string(appendLower(nil, s)), strings.ToLower(s); got != want {
			t.Errorf("appendLower(%q) = %q, strings.ToLower gives %q", s, got, want)
		}
	}
}

// TestNamesShareChunks adds the names of many items to one page's shared
// chunks, some larger than what a chunk has left and some larger than a
// chunk, and checks every string handed out after all of them were added:
// a later item must never write over an earlier one's names.
func TestNamesShareChunks(t *testing.T) {
	var ns names
	var got []string
	var want []map[string]string
	for i := range 3000 {
		m := map[string]string{"en": "Item " + strconv.Itoa(i), "sv": "Vara " + strconv.Itoa(i)}
		switch i % 700 {
		case 3:
			m["ro"] = strings.Repeat("ș", namesChunk/32) // more than a chunk keeps free
		case 5:
			m["sk"] = strings.Repeat("x", 2*namesChunk) // more than a chunk
		}
		s, err := ns.add(m)
		if err != nil {
			t.Fatal(err)
		}
		got, want = append(got, s), append(want, m)
	}
	for i, s := range got {
		if w, _ := namesJSON(want[i]); s != w {
			t.Fatalf("names of item %d changed:\n%.80s\nwant\n%.80s", i, s, w)
		}
	}
}
