package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/posnode/posnode/hardware/serialdev"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

//go:embed demo_catalog.csv
var demoCatalog []byte

func dbPath(cfg Config) string { return filepath.Join(cfg.Data, "posnode.db") }

func openDB(ctx context.Context, cfg Config, opt sqlite.Options) (*sqlite.DB, error) {
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	// A restore cut off after its commit (a power cut) is finished before
	// anything opens the database: the live name may be free, and a
	// database opened there would be a new, empty one.
	if done, err := finishCutOffRestore(dbPath(cfg)); err != nil {
		return nil, fmt.Errorf("finish the restore cut off: %w", err)
	} else if done != "" {
		fmt.Fprintln(os.Stderr, "posnode: "+done)
	}
	if err := writableData(cfg); err != nil {
		return nil, err
	}
	if opt.BeforeMigrate == nil {
		opt.BeforeMigrate = backupBeforeMigrate(cfg, nil)
	}
	return sqlite.Open(ctx, dbPath(cfg), opt)
}

// writableData refuses a data directory, or database files in it, that
// this process may not write: SQLite opens such a database read-only, and
// a node would answer ready and then fail every sale. Files left root's by
// a command run with sudo are the usual cause.
func writableData(cfg Config) error {
	for _, f := range []string{cfg.Data, dbPath(cfg), dbPath(cfg) + "-wal", dbPath(cfg) + "-shm"} {
		st, err := os.Stat(f)
		if err != nil {
			continue
		}
		err = unix.Access(f, unix.W_OK)
		if err == nil {
			continue
		}
		if errors.Is(err, unix.EROFS) {
			return fmt.Errorf("%s is on a read-only file system: a disk remounted read-only after errors (see dmesg), or a path the service may not write (its unit lets it write /var/lib/posnode only)", f)
		}
		owner, group := "its owner", ""
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			owner = userName(sys.Uid)
		}
		if dir, err := os.Stat(cfg.Data); err == nil {
			if sys, ok := dir.Sys().(*syscall.Stat_t); ok {
				group = userName(sys.Uid) + ":" + groupName(sys.Gid)
			}
		}
		me := userName(uint32(os.Getuid()))
		if f == cfg.Data && owner == me {
			return fmt.Errorf("%s cannot be written by %s, its owner, whom posnode runs as: chmod 0750 %s", f, me, f)
		}
		if f == cfg.Data {
			return fmt.Errorf("%s cannot be written by %s, whom posnode runs as (it belongs to %s): chown %s %s", f, me, owner, me, f)
		}
		return fmt.Errorf("%s cannot be written by %s, whom posnode runs as (it belongs to %s): with the node stopped, chown %s %s (the data directory's owner)", f, me, owner, orDefault(group, me), f)
	}
	return nil
}

func subFlags(name string, args []string, stderr io.Writer, all bool) (*flags, Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f flags
	f.register(fs, all)
	if err := fs.Parse(args); err != nil {
		return nil, Config{}, err
	}
	if fs.NArg() > 0 {
		return nil, Config{}, fmt.Errorf("%s: unexpected arguments %v", name, fs.Args())
	}
	cfg, err := f.load(fs)
	return &f, cfg, err
}

func cmdPorts(stdout io.Writer) error {
	ports, err := serialdev.Ports()
	if err != nil {
		return err
	}
	writePorts(stdout, ports)
	return nil
}

// writePorts lists ports for whoever writes the config: each port's path
// and, for USB, the identity to name it by (usb:VID:PID[:SERIAL]), which
// finds the device on whatever port it is plugged into, with its stable
// /dev/serial/by-id names. An identity that more than one port has (the
// same adapters without serial numbers) is said to be of no use.
func writePorts(w io.Writer, ports []serialdev.PortInfo) {
	if len(ports) == 0 {
		fmt.Fprintln(w, "no serial ports found")
		return
	}
	usb := false
	for _, p := range ports {
		fmt.Fprintln(w, p.String())
		for _, l := range p.ByID {
			fmt.Fprintln(w, "    "+l)
		}
		id, ok := p.ID()
		if !ok {
			continue
		}
		usb = true
		if n := matching(id, ports); n > 1 {
			fmt.Fprintf(w, "    %s names %d ports (no serial number tells them apart): name this one by a path, such as a udev rule's by USB socket\n", id, n)
		}
	}
	if usb {
		fmt.Fprintln(w, "\nName a device in the config (scanner, printer, display) by its usb:... identity, found on whatever port it is plugged into, or by a path.")
	}
}

// matching counts the ports that the USB identity id names.
func matching(id serialdev.USBID, ports []serialdev.PortInfo) int {
	n := 0
	for _, p := range ports {
		if id.Matches(p) {
			n++
		}
	}
	return n
}

// cmdImportCatalog stores a catalog file, all rows or none. It refuses
// while the node runs.
func cmdImportCatalog(ctx context.Context, file string, args []string, stdout, stderr io.Writer) error {
	fl, cfg, err := subFlags("import catalog", args, stderr, false)
	if err != nil {
		return err
	}
	if err := needData(fl, cfg, "nothing was imported"); err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	vm := cfg.scaleTable()
	catalog, err := pos.ReadCatalogCSV(f, vm)
	if err != nil {
		return fmt.Errorf("%s: %w; nothing was imported", file, err)
	}
	// A running node answers scans from its own index of the catalog,
	// which follows its own writes only: an import is the bootstrap of a
	// stopped node.
	release, err := lockData(cfg.Data)
	if err != nil {
		return err
	}
	defer release()
	db, err := openDB(ctx, cfg, sqlite.Options{})
	if err != nil {
		return err
	}
	defer chownDB(cfg) // once closed: run as root, it stays the node's
	defer db.Close()
	// The file's codes are kept as the configured table reads them, and
	// the node, started on it, need not ask for the file again. The
	// change is said at once: it stands whether or not the file imports.
	if changed, _, err := db.UseScaleTable(ctx, vm.String()); err != nil {
		return err
	} else if changed {
		fmt.Fprintln(stdout, "the scale label layouts changed: the catalog will be fetched from central again, and this file's items are kept by the new layouts")
	}
	res, err := db.ImportCatalog(ctx, catalog, vm)
	if err != nil {
		return fmt.Errorf("%s: %w; nothing was imported", file, err)
	}
	fmt.Fprintf(stdout, "imported %d items from %s\n", len(catalog.Items), file)
	writeImported(stdout, catalog, res)
	return nil
}

// writeImported tells what an import did that its file does not show:
// the columns it left as the items had them, and the barcodes it took
// from items not in the file, which a scan no longer finds them by.
func writeImported(w io.Writer, catalog *pos.CatalogFile, res sqlite.CatalogImport) {
	var kept []string
	for _, c := range pos.CatalogCSVHeader {
		if !catalog.Has(c) {
			kept = append(kept, c)
		}
	}
	if len(kept) > 0 {
		fmt.Fprintf(w, "columns not in the file, kept as they were for items already stored: %s\n", strings.Join(kept, ", "))
	}
	if len(res.Moved) == 0 {
		return
	}
	noun := "barcodes"
	if len(res.Moved) == 1 {
		noun = "barcode"
	}
	fmt.Fprintf(w, "moved %d %s from items not in the file to the file's (a scan now finds the file's item):\n", len(res.Moved), noun)
	const listed = 20
	for i, m := range res.Moved {
		if i == listed {
			fmt.Fprintf(w, "  and %d more\n", len(res.Moved)-listed)
			break
		}
		fmt.Fprintf(w, "  %s from %s to %s (line %d)\n", m.Code, m.From, m.To, m.Line)
	}
}

// cmdBackup writes a consistent copy of the database as it is, whatever
// its schema, while the node runs or not; it never changes the database.
func cmdBackup(ctx context.Context, file string, args []string, stdout, stderr io.Writer) error {
	_, cfg, err := subFlags("backup", args, stderr, false)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dbPath(cfg)); err != nil {
		return fmt.Errorf("no database at %s: %w", dbPath(cfg), err)
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("backup %s: file exists", file)
	}
	if err := writeBackup(ctx, file, func(tmp string) error { return vacuumInto(ctx, dbPath(cfg), tmp) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", dbPath(cfg), file)
	return nil
}

// demoMember is one of the demo's staff, whose PIN is public.
type demoMember struct {
	id, name, pin string
	role          pos.Role
}

// Demo staff, printed at start while they can sign in with these PINs.
var demoStaff = []demoMember{
	{"1", "Cashier Demo", "1111", pos.RoleCashier},
	{"2", "Supervisor Demo", "2222", pos.RoleSupervisor},
	{"3", "Manager Demo", "3333", pos.RoleManager},
}

// seedDemo fills an empty database with the demo catalog, stock and staff.
// It does nothing to a database that has items.
func seedDemo(ctx context.Context, db *sqlite.DB, market pos.VariableMeasure, out io.Writer) error {
	n, err := db.CountItems(ctx)
	if err != nil || n > 0 {
		return err
	}
	items, err := pos.ParseCatalogCSV(bytes.NewReader(demoCatalog))
	if err != nil {
		return fmt.Errorf("demo catalog: %w", err)
	}
	err = db.Update(ctx, func(tx *sqlite.Tx) error {
		for _, it := range items {
			if err := tx.PutItem(it, "", market); err != nil {
				return err
			}
			qty := int64(40)
			if it.Unit == pos.UnitKg {
				qty = 25_000 // grams
			}
			if err := tx.SetCentralStock(it.SKU, qty, "", 0, ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range demoStaff {
		h, err := pos.HashPIN(s.pin)
		if err != nil {
			return err
		}
		if err := db.PutStaff(ctx, pos.Staff{ID: s.id, Name: s.name, Role: s.role, PINHash: h, Active: true}); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "demo: seeded %d items and %d staff\n", len(items), len(demoStaff))
	return nil
}
