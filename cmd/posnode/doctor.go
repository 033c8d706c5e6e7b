package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/serialdev"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/syncqueue"
)

// A doctor check ends in one of three levels. FAIL means the node cannot
// work as configured; WARN that it works but something needs a look.
type level int

const (
	levelOK level = iota
	levelWarn
	levelFail
)

func (l level) String() string { return [...]string{"OK", "WARN", "FAIL"}[l] }

// finding is the outcome of one check: what was found and, unless OK, how
// to fix it.
type finding struct {
	level level
	check string
	text  string
	fix   string
}

// doctor runs the node's self-checks against a configuration without
// changing anything: no migration, no file left behind.
type doctor struct {
	cfg Config
	// demo says what cfg.Demo is and where it comes from (the file or
	// the built-in default; see flags.demoSetting).
	demo    string
	timeout time.Duration
	now     func() time.Time
	// synced reports whether the clock is synchronised to a time source:
	// clockSynced, as the node asks it.
	synced func() bool
	out    []finding
	// running is set when a node holds the data directory; its serial
	// ports are then busy and are not opened.
	running bool
	// newest is the time of the newest row in the database, for the
	// clock check.
	newest time.Time
	// epoch is the database's event epoch, which the node's status on
	// the broker carries; empty when unknown.
	epoch string
	// free is the space free on a directory's file system: freeSpace,
	// or a figure in tests.
	free func(dir string) (int64, error)
	// ports lists the serial ports present: serialdev.Ports, or a list
	// in tests.
	ports func() ([]serialdev.PortInfo, error)
}

func (d *doctor) add(l level, check, text, fix string) {
	d.out = append(d.out, finding{l, check, text, fix})
}

var errDoctorFailed = errors.New("doctor found problems")

func cmdDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var f flags
	f.register(fset, false)
	timeout := fset.Duration("timeout", 5*time.Second, "time allowed for each network and device check")
	if err := fset.Parse(args); err != nil {
		return err
	}
	d := &doctor{timeout: *timeout, now: time.Now, synced: clockSynced, free: freeSpace, ports: serialdev.Ports}
	cfg, err := f.load(fset)
	d.demo = f.demoSetting(cfg.Demo)
	switch {
	case errors.Is(err, fs.ErrNotExist) && f.config != "":
		d.add(levelFail, "config", "no config file at "+f.config, "check the path given to --config (the package installs "+installedConfig+")")
		return d.report(stdout)
	case errors.Is(err, fs.ErrPermission) && f.config != "":
		d.add(levelFail, "config", "cannot read "+f.config+": permission denied", "run doctor as root: sudo posnode doctor --config "+f.config)
		return d.report(stdout)
	case err != nil && f.config != "" && !configParses(f.config):
		d.add(levelFail, "config", err.Error(), "fix "+f.config+" (posnode.example.toml, installed in /usr/share/doc/posnode and at the top of the source, lists every key with its default)")
		return d.report(stdout)
	case err != nil:
		d.add(levelFail, "config", strings.ReplaceAll(err.Error(), "\n", "; "), "fix the values named above in "+orDefault(f.config, "the config file"))
		d.configWarnings(cfg)
	default:
		d.checkConfig(cfg, f.config)
	}
	d.cfg = cfg
	d.checkSecrets(f.config)
	d.checkDataDir()
	d.checkDatabase(ctx)
	d.checkBackups()
	d.checkTLS()
	d.checkHTTP(ctx)
	d.checkClock()
	d.checkSerial()
	d.checkBroker(ctx)
	return d.report(stdout)
}

// configParses reports whether the config file at least parses, so that
// the remaining checks can run on it despite invalid values.
func configParses(path string) bool {
	_, err := LoadConfig(path)
	return err == nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (d *doctor) report(w io.Writer) error {
	var warns, fails int
	for _, f := range d.out {
		fmt.Fprintf(w, "%-4s  %-9s %s\n", f.level, f.check, f.text)
		if f.level != levelOK && f.fix != "" {
			fmt.Fprintf(w, "      %-9s fix: %s\n", "", f.fix)
		}
		switch f.level {
		case levelWarn:
			warns++
		case levelFail:
			fails++
		}
	}
	fmt.Fprintf(w, "%d checks: %d OK, %d WARN, %d FAIL\n", len(d.out), len(d.out)-warns-fails, warns, fails)
	if fails > 0 {
		return fmt.Errorf("%w: %d failed", errDoctorFailed, fails)
	}
	return nil
}

func (d *doctor) checkConfig(cfg Config, path string) {
	src := "built-in defaults (no --config)"
	if path != "" {
		src = path
	}
	d.add(levelOK, "config", fmt.Sprintf("%s: store %s, node %s, stations: %d", src, cfg.Store, cfg.Node, len(cfg.Stations)), "")
	d.configWarnings(cfg)
}

// configWarnings warns of settings that work but should not stay so on a
// store's node.
func (d *doctor) configWarnings(cfg Config) {
	if cfg.Demo {
		d.add(levelWarn, "config", d.demo+": an empty database is seeded with demo staff whose PINs are public",
			"set demo = false (or remove it) on a store's node")
	}
	if cfg.Backup.Every.Duration <= 0 {
		d.add(levelWarn, "config", "scheduled backups are off ([backup] every)", `set [backup] every = "6h"`)
	}
}

func (d *doctor) checkDataDir() {
	dir := d.cfg.Data
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.add(levelWarn, "data", dir+" does not exist yet; the node creates it at first start",
			"create it for the service user: install -d -o posnode -g posnode -m 0750 "+dir)
		d.checkDisk(nearestDir(dir))
		return
	case err != nil:
		d.add(levelFail, "data", err.Error(), "check the path and permissions of "+dir)
		return
	case !st.IsDir():
		d.add(levelFail, "data", dir+" is not a directory", "point data in the config at a directory")
		return
	}
	probe, err := os.CreateTemp(dir, ".doctor-*")
	if err == nil {
		probe.Close()
		os.Remove(probe.Name())
	}
	owner, _ := st.Sys().(*syscall.Stat_t)
	switch {
	case errors.Is(err, syscall.EROFS):
		d.add(levelFail, "data", dir+" is on a read-only file system",
			"if the disk was remounted read-only after errors (dmesg), check and replace it; a data directory elsewhere than /var/lib/posnode is read-only to the service too (its unit's ReadWritePaths)")
	case err != nil:
		d.add(levelFail, "data", dir+" is not writable: "+err.Error(),
			"chown -R posnode:posnode "+dir+" (or run doctor as the user the node runs as)")
	case os.Geteuid() == 0 && owner != nil && owner.Uid != 0 && st.Mode().Perm()&0o300 != 0o300:
		// Root writes anywhere; the node, as the directory's owner, cannot.
		d.add(levelFail, "data", fmt.Sprintf("%s is not writable by %s, its owner, whom the node runs as (mode %04o)", dir, userName(owner.Uid), st.Mode().Perm()),
			"chmod 0750 "+dir)
	default:
		d.add(levelOK, "data", dir+" is writable", "")
	}
	d.checkOwners(dir, st)
	d.checkDisk(dir)
	if holder, running := dataLocked(dir); running {
		d.running = true
		d.add(levelOK, "data", "a node is running on it"+holder, "")
	}
}

// checkSecrets warns of files with secrets that every user of the box can
// read: the config file when it holds the broker's password or the metrics
// token, and the keys of the broker's client certificate and of HTTPS.
func (d *doctor) checkSecrets(config string) {
	type secret struct{ path, what, fix string }
	var files []secret
	if config != "" && (d.cfg.MQTT.Password != "" || d.cfg.Metrics.Token != "") {
		what := "which holds the broker's password"
		switch {
		case d.cfg.MQTT.Password == "":
			what = "which holds the metrics token"
		case d.cfg.Metrics.Token != "":
			what += " and the metrics token"
		}
		files = append(files, secret{config, what, "chown root:posnode " + config + " && chmod 0640 " + config})
	}
	if d.cfg.MQTT.KeyFile != "" {
		files = append(files, secret{d.cfg.MQTT.KeyFile, "the key of the broker's client certificate", "chown root:posnode " + d.cfg.MQTT.KeyFile + " && chmod 0640 " + d.cfg.MQTT.KeyFile})
	}
	if d.cfg.TLS.Enabled && d.cfg.TLS.KeyFile != "" {
		files = append(files, secret{d.cfg.TLS.KeyFile, "the key of the node's HTTPS certificate", "chown root:posnode " + d.cfg.TLS.KeyFile + " && chmod 0640 " + d.cfg.TLS.KeyFile})
	}
	for _, f := range files {
		if st, err := os.Stat(f.path); err == nil && st.Mode().Perm()&0o004 != 0 {
			d.add(levelWarn, "config", "every user of the box can read "+f.path+", "+f.what, f.fix)
		}
	}
}

// checkOwners finds the database's files that the node cannot write,
// which doctor, run as root, cannot find by writing: the node runs as the
// data directory's owner (the package's user posnode), and a command run
// as root that created a file there left it root's. It also warns of a
// data directory that every user of the box can read.
func (d *doctor) checkOwners(dir string, st fs.FileInfo) {
	if st.Mode().Perm()&0o007 != 0 {
		d.add(levelWarn, "data", dir+" can be read by every user of the box: it holds every sale, customers' names and the staff's PIN hashes",
			"chmod 0750 "+dir)
	}
	owner, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	for _, f := range []string{dbPath(d.cfg), dbPath(d.cfg) + "-wal", dbPath(d.cfg) + "-shm"} {
		fi, err := os.Stat(f)
		if err != nil {
			continue
		}
		if sys, ok := fi.Sys().(*syscall.Stat_t); ok && sys.Uid != owner.Uid {
			d.add(levelFail, "data", fmt.Sprintf("%s is owned by %s; the node runs as %s, the owner of %s, and cannot record sales in it", f, userName(sys.Uid), userName(owner.Uid), dir),
				fmt.Sprintf("chown %s:%s %s (with the node stopped)", userName(owner.Uid), groupName(owner.Gid), f))
		}
	}
}

// userName is the name of user uid, or its number.
func userName(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return id
}

// groupName is the name of group gid, or its number.
func groupName(gid uint32) string {
	id := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(id); err == nil {
		return g.Name
	}
	return id
}

// nearestDir is dir or its closest existing parent.
func nearestDir(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}

// Free space below which the node soon stops recording sales (FAIL) or
// should be looked at (WARN).
const (
	diskFail = 200 << 20
	diskWarn = 1 << 30
)

func (d *doctor) checkDisk(dir string) {
	free, err := d.free(dir)
	if err != nil {
		d.add(levelWarn, "disk", "free space unknown: "+err.Error(), "")
		return
	}
	text := fmt.Sprintf("%s free on the file system of %s", bytesText(free), dir)
	switch {
	case free < diskFail:
		d.add(levelFail, "disk", text, d.backupsAdvice())
	case free < diskWarn:
		d.add(levelWarn, "disk", text, "free space soon; backups need about the size of the database each")
	default:
		d.add(levelOK, "disk", text, "")
	}
}

// backupsAdvice says how to free space on the data directory's file
// system, with what its backups take.
func (d *doctor) backupsAdvice() string {
	dir := filepath.Join(d.cfg.Data, backupDir)
	names, _ := filepath.Glob(filepath.Join(dir, backupPrefix+"*.db"))
	var size int64
	premigrate := 0
	for _, n := range names {
		if st, err := os.Stat(n); err == nil {
			size += st.Size()
		}
		if strings.HasPrefix(filepath.Base(n), backupPrefix+"pre-migrate-") {
			premigrate++
		}
	}
	if len(names) == 0 {
		return "there are no backups to delete in " + dir + ": free space elsewhere on this file system, or move the data directory to a larger one"
	}
	advice := fmt.Sprintf("%d backups in %s take %s: copy them off the box and delete the oldest, or lower [backup] keep", len(names), dir, bytesText(size))
	if premigrate > 0 {
		advice += fmt.Sprintf("; %d taken before a schema upgrade, of which the node keeps the newest two, can go once the new version has proven itself", premigrate)
	}
	return advice
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

func (d *doctor) checkDatabase(ctx context.Context) {
	path := dbPath(d.cfg)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		d.add(levelWarn, "database", "no database yet at "+path, "none needed: the node creates it at first start (or restore a backup: posnode restore FILE)")
		return
	}
	db, err := openRaw(path, false)
	if err != nil {
		d.add(levelFail, "database", err.Error(), "check the permissions of "+path)
		return
	}
	defer func() {
		db.Close()
		// Run as root with the node stopped, SQLite may have created the
		// log and index files; they must stay the service user's.
		for _, f := range []string{path + "-wal", path + "-shm"} {
			if _, err := os.Stat(f); err == nil {
				chownLike(f, d.cfg.Data)
			}
		}
	}()
	if _, err := db.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
		d.add(levelFail, "database", fmt.Sprintf("%s: %v", path, err), "check the permissions of "+path)
		return
	}
	var schema int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&schema); err != nil {
		d.add(levelFail, "database", fmt.Sprintf("%s is not readable as SQLite: %v", path, err), "restore the newest backup: posnode restore FILE")
		return
	}
	latest := sqlite.SchemaVersion()
	switch {
	case schema > latest:
		d.add(levelFail, "database", fmt.Sprintf("schema %d was written by a newer posnode (this one knows %d)", schema, latest),
			"install that newer posnode again, or restore a backup made by this version")
		return
	case schema < latest:
		d.add(levelWarn, "database", fmt.Sprintf("schema %d; it is upgraded to %d at the next start, after an automatic backup", schema, latest), "none needed; make sure the disk has room for one more copy")
	}
	if err := sqlite.IntegrityCheck(ctx, db); err != nil {
		d.add(levelFail, "database", err.Error(), "stop the node and restore the newest sound backup: posnode restore "+filepath.Join(d.cfg.Data, backupDir, "posnode-....db"))
		return
	}
	var items, sales int64
	var event, sale string // acknowledged events are pruned; sales are kept
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM sales),
		coalesce((SELECT max(created_at) FROM outbox), ''), coalesce((SELECT max(completed_at) FROM sales), '')`).
		Scan(&items, &sales, &event, &sale)
	if err != nil {
		d.add(levelFail, "database", fmt.Sprintf("%s: %v", path, err), "restore the newest backup: posnode restore FILE")
		return
	}
	_ = db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'epoch'").Scan(&d.epoch)
	for _, s := range []string{event, sale} {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil && t.After(d.newest) {
			d.newest = t
		}
	}
	d.add(levelOK, "database", fmt.Sprintf("%s: schema %d, integrity ok, %d items, %d sales", path, schema, items, sales), "")
	var managers int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM staff WHERE role = 'manager' AND active").Scan(&managers); err == nil && managers == 0 {
		d.add(levelWarn, "staff", "no active manager: nobody can sign in to add staff or approve a tablet",
			"add one with the node stopped: posnode staff add --id N --name NAME --role manager (the PIN on standard input)")
	}
	d.checkDemoStaff(ctx, db)
	if through, ahead, err := sqlite.CentralAhead(ctx, db); err != nil {
		d.add(levelFail, "events", fmt.Sprintf("%s: %v", path, err), "restore the newest backup: posnode restore FILE")
	} else if ahead {
		d.add(levelWarn, "events", fmt.Sprintf("central has acknowledged events through seq %d that this database did not hold: it was rolled back to an older copy, and its events are held", through),
			"none if the node is running and connected: it begins a new event epoch by itself and sends them again; if this stays, read the node's log for why it cannot, or restart it (systemctl restart posnode)")
	}
}

// checkDemoStaff fails a node on which the demo's staff can still sign in
// with their public PINs, a box first tried out with --demo, whatever the
// config says of the demo: anyone who has read the README can sign in as
// its manager. The finding says where the demo setting comes from, since
// with demo on the staff would be seeded again into an empty database.
func (d *doctor) checkDemoStaff(ctx context.Context, db *sql.DB) {
	signIn := demoSignIns(func(id string) (string, bool) {
		var hash string
		var active bool
		err := db.QueryRowContext(ctx, "SELECT pin_hash, active FROM staff WHERE id = ?", id).Scan(&hash, &active)
		return hash, err == nil && active
	})
	if len(signIn) == 0 {
		return
	}
	left := make([]string, len(signIn))
	for i, s := range signIn {
		left[i] = fmt.Sprintf("%s (%s, PIN %s)", s.id, s.role, s.pin)
	}
	fix := "deactivate them, or give them new PINs, on the manager's staff screen (add a manager of the store's first: posnode staff add)"
	if d.cfg.Demo {
		fix = "on a store's node, set demo = false, then " + fix
	}
	d.add(levelFail, "staff", "demo staff with public PINs can sign in: "+strings.Join(left, ", ")+"; "+d.demo, fix)
}

func (d *doctor) checkBackups() {
	every := d.cfg.Backup.Every.Duration
	if every <= 0 {
		return
	}
	b := &backups{dir: backupsDir(d.cfg), every: every, now: d.now}
	newest, ok := b.newest()
	switch {
	case !ok:
		d.add(levelOK, "backups", "none yet in "+b.dir+"; the first is taken a minute after the node starts", "")
	case newest.After(d.now()):
		d.add(levelWarn, "backups", fmt.Sprintf("the newest backup is dated %s, after the clock (%s): it was taken while the clock was wrong",
			newest.Format(time.RFC3339), d.now().UTC().Format(time.RFC3339)),
			"check the clock (timedatectl status); backups go on every "+every.String()+" after the next start, and the future-dated ones are pruned last: move them out of "+b.dir)
	case d.now().Sub(newest) > 2*every+time.Hour:
		d.add(levelWarn, "backups", fmt.Sprintf("the newest backup is from %s, older than twice %s", newest.Format(time.RFC3339), every),
			"look for \"backup failed\" in journalctl -u posnode")
	default:
		d.add(levelOK, "backups", fmt.Sprintf("%d scheduled, newest from %s", len(b.scheduled()), newest.Format(time.RFC3339)), "")
	}
}

// checkTLS looks at the certificate the node generated for the UI, if it
// serves HTTPS with one: one made before the generated certificates were
// name-constrained lets a tablet that trusts it trust any site its key
// signs, and one not valid for every host in [tls] hosts, added since it
// was made, is refused by tablets that open the node by that name until
// the node makes it again.
func (d *doctor) checkTLS() {
	t := d.cfg.TLS
	if !t.Enabled || t.CertFile != "" || t.KeyFile != "" {
		return
	}
	dir, path, _ := generatedCert(d.cfg)
	cert, err := readCert(path)
	if errors.Is(err, fs.ErrNotExist) {
		d.add(levelOK, "tls", "no certificate yet; the node makes one in "+dir+" at first start", "")
		return
	}
	const remake = "stop the node, delete %s, start it (it makes a new certificate) and trust the new one on the tablets"
	var missing []string
	if err == nil {
		missing = missingHosts(cert, t.Hosts)
	}
	switch {
	case err != nil:
		d.add(levelFail, "tls", fmt.Sprintf("%s: %v", path, err), fmt.Sprintf(remake, dir))
	case len(missing) > 0 && madeByNode(cert):
		d.add(levelWarn, "tls", fmt.Sprintf("%s is not valid for %s of [tls] hosts: tablets opening the node by it are refused", path, strings.Join(missing, ", ")),
			"restart the node (systemctl restart posnode): it makes a new certificate for them; then trust the new one on the tablets")
	case len(missing) > 0:
		d.add(levelWarn, "tls", fmt.Sprintf("%s is not valid for %s of [tls] hosts: tablets opening the node by it are refused", path, strings.Join(missing, ", ")),
			"it is not one the node made, so the node keeps it: add those names to it, or "+fmt.Sprintf(remake, dir))
	case cert.IsCA && len(cert.PermittedDNSDomains) == 0 && len(cert.PermittedIPRanges) == 0:
		d.add(levelWarn, "tls", path+" is a CA without name constraints: a tablet that trusts it trusts any site its key signs", fmt.Sprintf(remake, dir))
	default:
		d.add(levelOK, "tls", fmt.Sprintf("%s: for %s, until %s", path, strings.Join(append(cert.DNSNames, ipStrings(cert.IPAddresses)...), " "), cert.NotAfter.Format(time.DateOnly)), "")
	}
}

func ipStrings(ips []net.IP) []string {
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out
}

func (d *doctor) checkClock() {
	now := d.now()
	const fix = "set the time and keep it synced: timedatectl set-ntp true (check with timedatectl status)"
	synced := d.synced()
	switch clockProblem(now, d.newest) {
	case clockImplausible:
		d.add(levelFail, "clock", "the clock says "+now.Format(time.RFC3339)+", which cannot be right", fix)
		return
	case clockBehind:
		if synced {
			// As the node does: a synchronised clock is right.
			d.add(levelWarn, "clock", fmt.Sprintf("the clock (%s) is synchronised, and records up to %s are %s ahead of it: they were made while the clock was set ahead",
				now.Format(time.RFC3339), d.newest.Format(time.RFC3339), spanText(d.newest.Sub(now))),
				"none for the clock; receipts and reports of that time are misdated")
			return
		}
		d.add(levelFail, "clock", fmt.Sprintf("the clock (%s) is %s behind the newest record (%s)",
			now.Format(time.RFC3339), spanText(d.newest.Sub(now)), d.newest.Format(time.RFC3339)), fix)
		return
	}
	if !synced {
		d.add(levelWarn, "clock", now.Format(time.RFC3339)+", not synchronised with a time source (NTP)", fix)
		return
	}
	d.add(levelOK, "clock", now.Format(time.RFC3339)+", synchronised", "")
}

// spanText says how long span is, in days, hours or minutes, for a person:
// "84 days", "1 hour 5 minutes".
func spanText(span time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch days, hours, mins := int64(span/(24*time.Hour)), int64(span/time.Hour)%24, int64(span/time.Minute)%60; {
	case days >= 2:
		return unit(days, "day")
	case span >= time.Hour:
		if mins == 0 {
			return unit(days*24+hours, "hour")
		}
		return unit(days*24+hours, "hour") + " " + unit(mins, "minute")
	case span >= time.Minute:
		return unit(mins, "minute")
	}
	return span.Round(time.Second).String()
}

// serialLine parses "9600,8,none,1" (any part may be empty) with def as
// the baud rate when none is given.
func serialLine(s, def string) (serialdev.Config, error) {
	parts := append(strings.Split(s, ","), "", "", "", "")
	if strings.TrimSpace(parts[0]) == "" {
		parts[0] = def
	}
	return serialdev.ParseConfig(parts[0], parts[1], parts[2], parts[3])
}

func (d *doctor) checkSerial() {
	type dev struct {
		station, role, path, line, baud string
		drawerHigh                      bool
	}
	var devs []dev
	for _, s := range d.cfg.Stations {
		for _, v := range []dev{
			{s.ID, "scanner", s.Scanner, s.ScannerSerial, "9600", false},
			{s.ID, "printer", s.Printer, s.PrinterSerial, "38400", s.DrawerOpenHigh},
			{s.ID, "display", s.Display, s.DisplaySerial, "9600", false},
		} {
			if v.path != "" {
				devs = append(devs, v)
			}
		}
	}
	if len(devs) == 0 {
		d.add(levelOK, "serial", "no serial devices configured", "")
		return
	}
	present, err := d.ports()
	if err != nil {
		d.add(levelWarn, "serial", err.Error(), "devices named by USB identity cannot be found; check that /sys is mounted")
	}
	for _, v := range devs {
		d.checkDevice(v.station+" "+v.role, v.role, v.path, v.line, v.baud, escpos.StatusOptions{DrawerOpenHigh: v.drawerHigh}, present)
	}
}

// checkDevice checks the serial device that the config names target (a
// path or a USB identity) among the ports present.
func (d *doctor) checkDevice(name, role, target, line, baud string, so escpos.StatusOptions, present []serialdev.PortInfo) {
	cfg, err := serialLine(line, baud)
	if err != nil {
		d.add(levelFail, "serial", fmt.Sprintf("%s: line settings %q: %v", name, line, err), `write them as "38400,8,none,1"`)
		return
	}
	notThere := "plug the device in and check its cable; with a udev rule, check it (udevadm test); " + portsPresent(present)
	path, usb, err := serialdev.ParseTarget(target)
	switch {
	case err != nil:
		d.add(levelFail, "serial", fmt.Sprintf("%s: %v", name, err), portsPresent(present))
		return
	case usb != nil:
		if path, err = usb.Find(present); errors.Is(err, serialdev.ErrAmbiguous) {
			d.add(levelFail, "serial", fmt.Sprintf("%s: %v", name, err), "add the serial number `posnode ports` shows, or name it by a path (a udev rule by USB socket)")
			return
		} else if err != nil {
			d.add(levelFail, "serial", fmt.Sprintf("%s: no USB device %s is plugged in", name, usb), notThere)
			return
		}
	}
	if usb == nil && numberedPort(path) {
		d.add(levelWarn, "serial", fmt.Sprintf("%s: %s is numbered in the order devices appear, which changes at boot and replug: another device may get it", name, path),
			"name it by its USB identity (usb:VID:PID:SERIAL, which `posnode ports` shows) or by a udev rule's name")
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		d.add(levelFail, "serial", fmt.Sprintf("%s: %s is not there", name, path), notThere)
		return
	}
	if fi, err := os.Stat(real); err == nil && fi.Mode()&fs.ModeCharDevice == 0 {
		kind := "a regular file"
		if fi.IsDir() {
			kind = "a directory"
		}
		d.add(levelFail, "serial", fmt.Sprintf("%s: %s is %s, not a serial device", name, path, kind),
			"name the device's port in the config (under /dev/serial/by-id/, the name of a udev rule, or usb:...); "+portsPresent(present))
		return
	}
	// where says where the device is: for one named by USB identity, at
	// which path it was found; for one named by a path, with the USB
	// identity that would find it on any port.
	where := path
	if real != path {
		where += " (" + real + ")"
	}
	if usb != nil {
		where = usb.String() + " at " + where
	} else if id, ok := usbIdentity(real, present); ok {
		where += ", by USB identity " + id.String()
	}
	if d.running {
		d.add(levelOK, "serial", fmt.Sprintf("%s: %s present; held by the running node", name, where), "")
		return
	}
	p, err := serialdev.Open(real, cfg)
	switch {
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EACCES):
		d.add(levelFail, "serial", fmt.Sprintf("%s: %s: permission denied", name, where),
			"the device must belong to group dialout (see the udev examples) and the user must be in it: usermod -aG dialout posnode")
		return
	case err != nil:
		d.add(levelFail, "serial", fmt.Sprintf("%s: %v", name, err), "close other programs using the port (fuser "+real+"), check the line settings")
		return
	}
	defer p.Close()
	if role != "printer" {
		d.add(levelOK, "serial", fmt.Sprintf("%s: %s opens", name, where), "")
		return
	}
	st, err := printerStatus(p, d.timeout, so)
	switch {
	case err != nil:
		d.add(levelWarn, "serial", fmt.Sprintf("%s: %s opens but the printer does not answer a status request: %v", name, where, err),
			"switch the printer on, check the cable and that printer_serial matches the printer's DIP switches")
	case !st.Ready():
		d.add(levelWarn, "serial", fmt.Sprintf("%s: %s: printer not ready: %s", name, where, st), "load paper, close the cover, clear the error")
	default:
		d.add(levelOK, "serial", fmt.Sprintf("%s: %s: printer ready (%s)", name, where, st), "")
	}
}

// numberedPort reports whether path is a USB serial port's kernel name,
// /dev/ttyUSBn or /dev/ttyACMn, given in the order devices appear.
func numberedPort(path string) bool {
	for _, prefix := range []string{"/dev/ttyUSB", "/dev/ttyACM"} {
		if n, ok := strings.CutPrefix(path, prefix); ok && n != "" && strings.Trim(n, "0123456789") == "" {
			return true
		}
	}
	return false
}

// usbIdentity is the USB identity of the port whose device node is real.
func usbIdentity(real string, present []serialdev.PortInfo) (serialdev.USBID, bool) {
	for _, p := range present {
		if r, err := filepath.EvalSymlinks(p.Path); err == nil && r == real {
			return p.ID()
		}
	}
	return serialdev.USBID{}, false
}

// portsPresent lists the serial ports present for a finding's fix, with
// the USB identities to name them by.
func portsPresent(present []serialdev.PortInfo) string {
	if len(present) == 0 {
		return "no serial ports are present (`posnode ports` lists them)"
	}
	list := make([]string, len(present))
	for i, p := range present {
		list[i] = p.String()
	}
	return "the ports present are " + strings.Join(list, ", ") + "; name a device by its path or its usb:... identity (`posnode ports` lists them)"
}

// printerStatus sends the ESC/POS status request and reads the four reply
// bytes within timeout.
func printerStatus(p serialdev.Port, timeout time.Duration, so escpos.StatusOptions) (escpos.Status, error) {
	if _, err := p.Write(escpos.StatusPoll()); err != nil {
		return escpos.Status{}, err
	}
	if err := p.SetReadTimeout(200 * time.Millisecond); err != nil {
		return escpos.Status{}, err
	}
	reply := make([]byte, 0, escpos.StatusReplyLen)
	buf := make([]byte, escpos.StatusReplyLen)
	deadline := time.Now().Add(timeout)
	for len(reply) < escpos.StatusReplyLen {
		if time.Now().After(deadline) {
			return escpos.Status{}, fmt.Errorf("%d of %d reply bytes in %s", len(reply), escpos.StatusReplyLen, timeout)
		}
		n, err := p.Read(buf[:escpos.StatusReplyLen-len(reply)])
		if err != nil {
			return escpos.Status{}, err
		}
		reply = append(reply, buf[:n]...)
	}
	return escpos.ParseStatus(reply, so)
}

func (d *doctor) checkBroker(ctx context.Context) {
	raw := d.cfg.MQTT.URL
	if raw == "" {
		d.add(levelOK, "broker", "mqtt.url is empty: the node runs offline and keeps its events", "")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		d.add(levelFail, "broker", fmt.Sprintf("mqtt.url %q cannot be parsed", syncqueue.RedactBroker(raw)), "write it as ssl://broker.example.com:8883")
		return
	}
	host := u.Host
	secure := u.Scheme == "ssl" || u.Scheme == "wss" || u.Scheme == "tls" || u.Scheme == "mqtts"
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"tcp": "1883", "ssl": "8883", "ws": "80", "wss": "443"}[u.Scheme])
	}
	dctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", host)
	if err != nil {
		d.add(levelFail, "broker", fmt.Sprintf("%s unreachable: %v", host, err),
			"check the network, DNS and firewall (outbound port "+portOf(host)+"); the node keeps selling offline meanwhile")
		return
	}
	defer conn.Close()
	if !secure {
		d.add(levelWarn, "broker", host+" reachable, without TLS: passwords and sales travel in clear text", "use ssl:// (port 8883) with ca_file")
		d.checkBrokerSession(raw, nil)
		return
	}
	tcfg, err := d.brokerTLS(u.Hostname())
	if err != nil {
		d.add(levelFail, "broker", err.Error(), "check ca_file, cert_file and key_file in [mqtt]")
		return
	}
	tc := tls.Client(conn, tcfg)
	defer tc.Close()
	if err := tc.HandshakeContext(dctx); err != nil {
		d.add(levelFail, "broker", fmt.Sprintf("%s: TLS handshake failed: %v", host, err),
			"check ca_file (the CA that signed the broker's certificate), the host name in mqtt.url and the clock")
		return
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) > 0 && certs[0].NotAfter.Sub(d.now()) < 30*24*time.Hour {
		d.add(levelWarn, "broker", fmt.Sprintf("%s: TLS ok, but the broker's certificate expires %s", host, certs[0].NotAfter.Format(time.DateOnly)), "tell central's operators")
	} else {
		d.add(levelOK, "broker", host+": reachable, TLS ok ("+tls.VersionName(tc.ConnectionState().Version)+")", "")
	}
	d.checkBrokerSession(raw, tcfg)
}

func portOf(hostport string) string {
	_, p, _ := net.SplitHostPort(hostport)
	return p
}

func (d *doctor) brokerTLS(server string) (*tls.Config, error) {
	m := d.cfg.MQTT
	c := &tls.Config{ServerName: server, MinVersion: tls.VersionTLS12}
	if m.CAFile != "" {
		pem, err := os.ReadFile(m.CAFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt.ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqtt.ca_file %s: no PEM certificate in it", m.CAFile)
		}
	}
	if m.CertFile != "" || m.KeyFile != "" {
		pair, err := tls.LoadX509KeyPair(m.CertFile, m.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt.cert_file/key_file: %w", err)
		}
		c.Certificates = []tls.Certificate{pair}
	}
	return c, nil
}
