package pos

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Kinds of journal entry.
const (
	JournalSale          = "sale"
	JournalReturn        = "return"
	JournalVoid          = "void"
	JournalDrawer        = "drawer"         // a drawer opening outside a sale (cash operations)
	JournalDrawerAlarm   = "drawer_alarm"   // a drawer that did not open, was left open or opened unasked
	JournalPriceOverride = "price_override" // a line sold at a price set by hand
	JournalCopy          = "copy"           // a copy of a receipt printed
	JournalStock         = "stock"          // a stock adjustment: a count, damage, a delivery, theft
	JournalVoucher       = "voucher"        // a gift card sold or store credit given outside a return
	JournalStaff         = "staff"          // a member of staff added, changed, given a new PIN or deactivated by a manager
	JournalZReport       = "z_report"
)

// Marks of journal entries and the receipts they stand for.
const (
	MarkCopy     = "copy"     // a copy, not the original receipt
	MarkTraining = "training" // made in training mode: no real money moved
)

// GenesisHash is the Prev of the first journal entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// JournalEntry is one entry of the tamper-evident journal. Each entry's
// Hash is SHA-256 over the Hash of the entry before it and the entry's
// canonical bytes, so changing, removing or reordering an entry breaks the
// chain from that entry on. The journal detects tampering by anyone who
// does not also recompute every later hash; the head (the hash of the last
// entry) printed on each Z report and sent to central anchors it against
// that too.
type JournalEntry struct {
	N    int64           `json:"n"` // position, 1 for the first
	At   time.Time       `json:"at"`
	Kind string          `json:"kind"`
	Ref  string          `json:"ref"` // the sale, return, shift, ... id
	Mark string          `json:"mark,omitempty"`
	Data json.RawMessage `json:"data"`
	Prev string          `json:"prev"` // hex
	Hash string          `json:"hash"` // hex
}

// NewJournalEntry makes an entry (without N, Prev and Hash) whose data is
// v as JSON.
func NewJournalEntry(kind, ref, mark string, at time.Time, v any) (JournalEntry, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("journal %s %s: %w", kind, ref, err)
	}
	return JournalEntry{At: at.UTC(), Kind: kind, Ref: ref, Mark: mark, Data: data}, nil
}

// JournalTime formats an entry's time as it is hashed and stored.
func JournalTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Canonical is the entry's bytes as hashed: kind, ref, mark, time (UTC,
// RFC 3339) and data, each preceded by its length. The position N is not
// part of it: the order is carried by the chain itself.
func (e JournalEntry) Canonical() []byte {
	var b []byte
	for _, f := range [][]byte{[]byte(e.Kind), []byte(e.Ref), []byte(e.Mark), []byte(JournalTime(e.At)), e.Data} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// ChainHash is the hash of e following an entry whose hash is prev.
func ChainHash(prev string, e JournalEntry) string {
	p, err := hex.DecodeString(prev)
	if err != nil || len(p) != sha256.Size {
		p = []byte(prev) // a damaged prev still hashes, to something that does not match
	}
	h := sha256.New()
	h.Write(p)
	h.Write(e.Canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// Kinds of journal problem.
const (
	ProblemChanged   = "changed"   // the entry's content does not match its hash
	ProblemRemoved   = "removed"   // entries are missing
	ProblemReordered = "reordered" // the entry is not at its place in the chain
	ProblemBroken    = "broken"    // the entry does not follow the one before it
	// ProblemMismatch is a record stored outside the journal that
	// disagrees with the entry recording it: a Z report whose figures are
	// not what the entries of its shift add up to (ZMismatch).
	ProblemMismatch = "mismatch"
)

// JournalProblem names a tampered entry.
type JournalProblem struct {
	N      int64  `json:"n"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

func (p JournalProblem) String() string {
	return fmt.Sprintf("entry %d %s: %s", p.N, p.Kind, p.Detail)
}

// JournalAnchor is a journal head recorded elsewhere (a Z report): entry N
// had hash Hash.
type JournalAnchor struct {
	N    int64  `json:"n"`
	Hash string `json:"hash"`
	What string `json:"what"` // e.g. "Z report 12"
}

// JournalVerifier checks a journal read entry by entry, keeping only the
// links between entries (not their data), so that a long journal is
// checked in little memory. Add the entries in the order of their N, then
// call Finish.
type JournalVerifier struct {
	entries []journalLink
	probs   []JournalProblem
}

type journalLink struct {
	N          int64
	Prev, Hash string
}

// Add checks e's content against its hash and keeps its links.
func (v *JournalVerifier) Add(e JournalEntry) {
	if ChainHash(e.Prev, e) != e.Hash {
		v.probs = append(v.probs, JournalProblem{N: e.N, Kind: ProblemChanged,
			Detail: fmt.Sprintf("its %s %s no longer matches its hash", e.Kind, e.Ref)})
	}
	v.entries = append(v.entries, journalLink{N: e.N, Prev: e.Prev, Hash: e.Hash})
}

// VerifyJournal checks entries, given in the order of their N, and
// returns every problem found, naming the entries; none means the journal
// is intact (up to its last entry, or to the last anchor when entries
// after it were removed). anchors are heads recorded outside the chain.
func VerifyJournal(entries []JournalEntry, anchors []JournalAnchor) []JournalProblem {
	var v JournalVerifier
	for _, e := range entries {
		v.Add(e)
	}
	return v.Finish(anchors)
}

// Finish checks the links between the entries added and against anchors,
// and returns every problem found.
func (v *JournalVerifier) Finish(anchors []JournalAnchor) []JournalProblem {
	entries := v.entries
	probs := v.probs
	add := func(n int64, kind, format string, a ...any) {
		probs = append(probs, JournalProblem{N: n, Kind: kind, Detail: fmt.Sprintf(format, a...)})
	}
	// Follow the chain by hashes, whatever order the rows are in.
	byPrev := map[string][]int{}
	for i, e := range entries {
		byPrev[e.Prev] = append(byPrev[e.Prev], i)
	}
	visited := make([]bool, len(entries))
	next := func(h string) int {
		for _, j := range byPrev[h] {
			if !visited[j] {
				return j
			}
		}
		return -1
	}
	var segs [][]int
	start, last := GenesisHash, -1
	for {
		var seg []int
		for j := next(start); j >= 0; j = next(entries[j].Hash) {
			visited[j] = true
			seg = append(seg, j)
		}
		if len(seg) > 0 {
			segs = append(segs, seg)
			last = seg[len(seg)-1]
		}
		k := -1
		for i := range entries {
			if !visited[i] {
				k = i
				break
			}
		}
		if k < 0 {
			break
		}
		e := entries[k]
		switch {
		case last < 0 && e.N > 1:
			add(1, ProblemRemoved, "entries 1 to %d are missing", e.N-1)
		case last < 0:
			add(e.N, ProblemBroken, "it does not start the chain")
		case e.N > entries[last].N+1:
			add(entries[last].N+1, ProblemRemoved, "entries %d to %d are missing", entries[last].N+1, e.N-1)
		default:
			add(e.N, ProblemBroken, "it does not follow entry %d: an entry was removed between them, or entry %d was rewritten", entries[last].N, entries[last].N)
		}
		start = e.Prev
		if next(start) != k { // several entries claim the same predecessor
			visited[k] = true
			segs = append(segs, []int{k})
			last = k
			start = e.Hash
		}
	}
	// Within each run of linked entries the numbers must go up by one; an
	// entry that fits neither neighbour was moved.
	for _, seg := range segs {
		for i, j := range seg {
			n := entries[j].N
			okPrev := i > 0 && entries[seg[i-1]].N+1 == n ||
				i == 0 && (entries[j].Prev != GenesisHash || n == 1)
			okNext := i == len(seg)-1 || entries[seg[i+1]].N == n+1
			if !okPrev && !okNext {
				after := "the start"
				if i > 0 {
					after = fmt.Sprintf("the entry numbered %d", entries[seg[i-1]].N)
				}
				add(n, ProblemReordered, "by the chain it belongs after %s", after)
			}
		}
	}
	byN := map[int64]journalLink{}
	for _, e := range entries {
		byN[e.N] = e
	}
	for _, a := range anchors {
		e, ok := byN[a.N]
		switch {
		case !ok:
			add(a.N, ProblemRemoved, "%s recorded it as the journal head, and it is missing", a.What)
		case e.Hash != a.Hash:
			add(a.N, ProblemChanged, "%s recorded the head %s, the entry has %s", a.What, short(a.Hash), short(e.Hash))
		}
	}
	return probs
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// ReceiptCopy is the printing of a copy of a receipt, journalled and
// marked "copy" on paper.
type ReceiptCopy struct {
	Kind    string    `json:"kind"` // "sale", "return" or "training"
	Ref     string    `json:"ref"`
	No      int64     `json:"no"` // the receipt, return or training number
	Station string    `json:"station"`
	Staff   string    `json:"staff"`
	At      time.Time `json:"at"`
	CopyNo  int64     `json:"copy_no"` // 1 for the first copy; set by the store
}

// ReceiptMark is the text printed at the top of a receipt that is not an
// original: "COPY 2" or "TRAINING", empty for an original.
func ReceiptMark(mark string, copyNo int64) string {
	switch mark {
	case MarkCopy:
		return strings.TrimSpace(fmt.Sprintf("COPY %d", copyNo))
	case MarkTraining:
		return "TRAINING"
	}
	return ""
}
