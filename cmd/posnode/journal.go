package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// errJournalTampered is what journal verify ends with when it found a
// changed, removed or reordered entry, or a stored Z report that differs
// from its entries; the problems are printed before.
var errJournalTampered = errors.New("the journal, or a Z report it records, has been tampered with")

// cmdJournal runs "posnode journal verify": it checks the tamper-evident
// journal against its hash chain and the heads recorded by Z reports, and
// each stored Z report against what the journal's entries of its shift add
// up to; it prints the number of entries and the head, names every
// tampered entry and every Z report figure that differs (with its shift),
// and fails when it found one.
func cmdJournal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: posnode journal verify [--config FILE] [--data DIR]")
	}
	_, cfg, err := subFlags("journal verify", args[1:], stderr, false)
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.VerifyJournal(ctx)
	if err != nil {
		return fmt.Errorf("journal verify: %w", err)
	}
	fmt.Fprintf(stdout, "journal: %d entries, head %d %s\n", c.Entries, c.HeadN, c.Head)
	for _, p := range c.Problems {
		fmt.Fprintln(stdout, p.String())
	}
	if !c.OK() {
		return fmt.Errorf("%w: %d problems", errJournalTampered, len(c.Problems))
	}
	fmt.Fprintln(stdout, "journal: ok")
	return nil
}

// openExisting opens the node's database, which must exist, as it is: a
// command that reads the books never creates an empty one, and never
// upgrades its schema under the installed node (which would then refuse
// to start); it refuses a schema other than this build's.
func openExisting(ctx context.Context, cfg Config) (*sqlite.DB, error) {
	if _, err := os.Stat(dbPath(cfg)); err != nil {
		return nil, fmt.Errorf("no database at %s: %w", dbPath(cfg), err)
	}
	return sqlite.Open(ctx, dbPath(cfg), sqlite.Options{NoMigrate: true})
}

const reportUsage = "usage: posnode report sales [--by hour|day|tender|tax_rate|cashier|item] [--from DATE] [--to DATE] [--csv] [--config FILE] [--data DIR]"

// cmdReport runs "posnode report sales": sales less returns over a period
// (dates in the local time zone, to inclusive; default today), grouped by
// --by, as a table or (--csv) CSV with amounts in minor units.
func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "sales" {
		return errors.New(reportUsage)
	}
	fs := flag.NewFlagSet("report sales", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f flags
	f.register(fs, false)
	by := fs.String("by", pos.ReportByDay, "grouping: hour, day, tender, tax_rate, cashier or item")
	fromS := fs.String("from", "", "first day, 2006-01-02 (default today)")
	toS := fs.String("to", "", "last day, 2006-01-02 (default the first day)")
	asCSV := fs.Bool("csv", false, "write CSV")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("report sales: unexpected arguments %v", fs.Args())
	}
	if !slices.Contains(pos.ReportGroupings, *by) {
		return fmt.Errorf("report sales: --by must be one of %v", pos.ReportGroupings)
	}
	cfg, err := f.load(fs)
	if err != nil {
		return err
	}
	from, to, err := reportDays(*fromS, *toS, time.Now().In(cfg.storeZone())) // the store's days
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.SalesReport(ctx, *by, from, to)
	if err != nil {
		return err
	}
	if *asCSV {
		return pos.WriteReportCSV(stdout, *by, rows)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tcount\tqty\tamount\ttax\t\n", *by)
	var count, amount, tax int64
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", r.Key, r.Count, r.Qty, r.Amount, r.Tax)
		count, amount, tax = count+r.Count, amount+r.Amount, tax+r.Tax
	}
	fmt.Fprintf(tw, "total\t%d\t\t%d\t%d\t\n", count, amount, tax)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s to %s, amounts in minor units\n", from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly))
	return nil
}

// reportDays turns the --from and --to days into the period [from, to)
// in now's time zone.
func reportDays(fromS, toS string, now time.Time) (from, to time.Time, err error) {
	day := func(name, s string) (time.Time, error) {
		t, err := time.ParseInLocation(time.DateOnly, s, now.Location())
		if err != nil {
			return t, fmt.Errorf("report sales: --%s %s: a date such as 2026-11-22", name, strconv.Quote(s))
		}
		return t, nil
	}
	from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	if fromS != "" {
		if from, err = day("from", fromS); err != nil {
			return
		}
	}
	to = from
	if toS != "" {
		if to, err = day("to", toS); err != nil {
			return
		}
	}
	if to.Before(from) {
		return from, to, errors.New("report sales: --to is before --from")
	}
	return from, to.AddDate(0, 0, 1), nil
}
