package printer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
)

// VirtualPrinter stands in for a printer at a station that has none: it
// renders every document exactly as a real printer of its profile would
// get it, decodes the bytes back into text and keeps the most recent
// ones for the UI to show. Nothing is stored on disk.
type VirtualPrinter struct {
	name    string
	profile escpos.Profile
	font    *escpos.Font
	keep    int
	now     func() time.Time

	mu     sync.Mutex // guards the fields below
	nextID int64
	jobs   []VirtualJob // oldest first, at most keep
	docs   map[int64]receipt.Document
	kicks  int
}

var _ Printer = (*VirtualPrinter)(nil)

// VirtualJob is a document as the virtual printer printed it.
type VirtualJob struct {
	ID   int64
	Kind receipt.Kind
	Time time.Time
	// Text is the decoded print stream: the text as printed, with
	// commands in brackets (see escpos.Decoder).
	Text string
}

// VirtualOptions configure a VirtualPrinter.
type VirtualOptions struct {
	// Name is reported in State; "" means "virtual".
	Name string
	// Profile is the printer imitated; the zero value means escpos.TMT88.
	Profile escpos.Profile
	// Font renders and reads back raster text; nil means none.
	Font *escpos.Font
	// Keep is how many jobs are kept; zero means 100.
	Keep int
	// Now gives job times; nil means time.Now.
	Now func() time.Time
}

// NewVirtual returns a virtual printer.
func NewVirtual(o VirtualOptions) *VirtualPrinter {
	if o.Name == "" {
		o.Name = "virtual"
	}
	if o.Profile.Columns == 0 {
		o.Profile = escpos.TMT88
	}
	if o.Keep <= 0 {
		o.Keep = 100
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &VirtualPrinter{name: o.Name, profile: o.Profile, font: o.Font, keep: o.Keep, now: o.Now,
		docs: map[int64]receipt.Document{}}
}

// Print renders and decodes d and keeps the text.
func (v *VirtualPrinter) Print(ctx context.Context, d receipt.Document) (int64, error) {
	data, err := render(v.profile, v.font, d)
	if data == nil {
		return 0, err
	}
	dec := escpos.Decoder{Font: v.font}
	text, err := dec.Decode(data)
	if err != nil {
		return 0, fmt.Errorf("virtual print %s: %w", d.Kind(), err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.nextID++
	id := v.nextID
	v.jobs = append(v.jobs, VirtualJob{ID: id, Kind: d.Kind(), Time: v.now(), Text: text})
	v.docs[id] = d
	if len(v.jobs) > v.keep {
		delete(v.docs, v.jobs[0].ID)
		v.jobs = v.jobs[1:]
	}
	return id, nil
}

// Reprint prints a copy of a kept job. The error wraps pos.ErrNotFound
// when the job is not kept (any more).
func (v *VirtualPrinter) Reprint(ctx context.Context, id int64) (int64, error) {
	v.mu.Lock()
	d, ok := v.docs[id]
	v.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("reprint job %d: %w", id, pos.ErrNotFound)
	}
	return v.Print(ctx, receipt.AsCopy(d))
}

// KickDrawer counts the kick; there is no drawer to open.
func (v *VirtualPrinter) KickDrawer(ctx context.Context) error {
	v.mu.Lock()
	v.kicks++
	v.mu.Unlock()
	return nil
}

// Kicks is the number of drawer kicks asked for.
func (v *VirtualPrinter) Kicks() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.kicks
}

// State reports a connected printer that is always ready.
func (v *VirtualPrinter) State() State {
	return State{Name: v.name, Connected: true, Status: escpos.Status{Online: true}}
}

// Jobs returns the kept jobs, newest first.
func (v *VirtualPrinter) Jobs() []VirtualJob {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]VirtualJob, len(v.jobs))
	for i, j := range v.jobs {
		out[len(v.jobs)-1-i] = j
	}
	return out
}
