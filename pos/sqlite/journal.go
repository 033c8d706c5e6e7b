package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/posnode/posnode/pos"
)

// AppendJournal appends an entry of kind about ref, with v as its data,
// to the tamper-evident journal inside tx, and returns it with its number
// and hashes.
func (tx *Tx) AppendJournal(kind, ref, mark string, at time.Time, v any) (pos.JournalEntry, error) {
	e, err := pos.NewJournalEntry(kind, ref, mark, at, v)
	if err != nil {
		return e, err
	}
	var n int64
	prev := pos.GenesisHash
	err = tx.QueryRowContext(tx.ctx, "SELECT n, hash FROM journal ORDER BY n DESC LIMIT 1").Scan(&n, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e, err
	}
	e.N, e.Prev = n+1, prev
	e.Hash = pos.ChainHash(prev, e)
	_, err = tx.execContext(tx.ctx, "INSERT INTO journal(n, at, kind, ref, mark, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		e.N, pos.JournalTime(e.At), e.Kind, e.Ref, e.Mark, string(e.Data), e.Prev, e.Hash)
	return e, err
}

// Journal returns up to limit journal entries after entry number after, in
// order.
func (db *DB) Journal(ctx context.Context, after int64, limit int) ([]pos.JournalEntry, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT n, at, kind, ref, mark, data, prev, hash FROM journal WHERE n > ? ORDER BY n LIMIT ?", after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pos.JournalEntry
	for rows.Next() {
		var e pos.JournalEntry
		var at, data string
		if err := rows.Scan(&e.N, &at, &e.Kind, &e.Ref, &e.Mark, &data, &e.Prev, &e.Hash); err != nil {
			return nil, err
		}
		e.At, e.Data = parseTS(at).UTC(), []byte(data)
		out = append(out, e)
	}
	return out, rows.Err()
}

// JournalHead is the number and hash of the journal's last entry (0 and
// pos.GenesisHash when it is empty).
func (db *DB) JournalHead(ctx context.Context) (int64, string, error) {
	var n int64
	h := pos.GenesisHash
	err := db.r.QueryRowContext(ctx, "SELECT n, hash FROM journal ORDER BY n DESC LIMIT 1").Scan(&n, &h)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return n, h, err
}

// JournalCheck is the outcome of VerifyJournal.
type JournalCheck struct {
	Entries  int                  `json:"entries"`
	HeadN    int64                `json:"head_n"`
	Head     string               `json:"head"`
	Problems []pos.JournalProblem `json:"problems"`
}

// OK reports whether no problem was found.
func (c JournalCheck) OK() bool { return len(c.Problems) == 0 }

// VerifyJournal checks the whole journal against its hash chain and the
// heads recorded by Z reports, and names every changed, removed or
// reordered entry. It checks each stored Z report against what the
// journal's entries of its shift add up to (pos.ShiftTally), and names,
// as a mismatch at the Z report's entry, every figure that differs.
func (db *DB) VerifyJournal(ctx context.Context) (JournalCheck, error) {
	var v pos.JournalVerifier
	var t pos.ShiftTally
	c := JournalCheck{Head: pos.GenesisHash, Problems: []pos.JournalProblem{}}
	for after := int64(-1 << 62); ; {
		page, err := db.Journal(ctx, after, 5000)
		if err != nil {
			return JournalCheck{}, err
		}
		for _, e := range page {
			v.Add(e)
			c.Entries++
			c.HeadN, c.Head = e.N, e.Hash
			if z := t.Add(e); z != nil {
				ms, err := db.checkZReport(ctx, z)
				if err != nil {
					return JournalCheck{}, err
				}
				for _, m := range ms {
					c.Problems = append(c.Problems, pos.JournalProblem{N: e.N, Kind: pos.ProblemMismatch, Detail: m.String()})
				}
			}
		}
		if len(page) < 5000 {
			break
		}
		after = page[len(page)-1].N
	}
	var anchors []pos.JournalAnchor
	rows, err := db.r.QueryContext(ctx, "SELECT z_no, journal_n, journal_head FROM shifts WHERE z_no > 0 ORDER BY z_no")
	if err != nil {
		return JournalCheck{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var z int64
		var a pos.JournalAnchor
		if err := rows.Scan(&z, &a.N, &a.Hash); err != nil {
			return JournalCheck{}, err
		}
		a.What = "Z report " + itoa(z)
		anchors = append(anchors, a)
	}
	if err := rows.Err(); err != nil {
		return JournalCheck{}, err
	}
	c.Problems = append(c.Problems, v.Finish(anchors)...)
	return c, nil
}

// checkZReport compares the stored Z report of z's shift with z, the
// report as the journal adds it up, and returns what differs, or that the
// stored report is missing or unreadable.
func (db *DB) checkZReport(ctx context.Context, z *pos.ShiftReport) ([]pos.ZMismatch, error) {
	missing := func(detail string) []pos.ZMismatch {
		return []pos.ZMismatch{{ShiftID: z.ShiftID, ZNo: z.ZNo, Figure: "report", Detail: detail}}
	}
	var doc string
	err := db.r.QueryRowContext(ctx, "SELECT report FROM shifts WHERE id = ? AND z_no > 0", z.ShiftID).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return missing("the journal has it, and no closed shift stores it"), nil
	}
	if err != nil {
		return nil, fmt.Errorf("Z report of shift %s: %w", z.ShiftID, err)
	}
	var stored pos.ShiftReport
	if err := json.Unmarshal([]byte(doc), &stored); err != nil {
		return missing(fmt.Sprintf("the stored report cannot be read: %v", err)), nil
	}
	return pos.CompareZReport(&stored, z), nil
}
