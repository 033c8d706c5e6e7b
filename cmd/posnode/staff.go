package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// cmdStaff adds a member of staff on the box: the first manager of a
// store's node, which has none until one is added (the demo's exist only
// with --demo), or a manager when none can sign in any more. Everyone
// else is added on the manager's screens.
//
// The PIN is read from standard input, never from the command line, where
// the shell's history and the process list would keep it. Like import, it
// refuses while the node runs: the node's own writes go through one writer.
func cmdStaff(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	const usage = `usage: posnode staff add --id N --name NAME --role cashier|supervisor|manager [--language LANG] [--config FILE] [--data DIR]
(the PIN, 4 to 12 digits, is read from standard input)`
	if len(args) == 0 || args[0] != "add" {
		return errors.New(usage)
	}
	fset := flag.NewFlagSet("staff add", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var f flags
	f.register(fset, false)
	id := fset.String("id", "", "staff number, 1 to 8 digits, typed at login")
	name := fset.String("name", "", "name shown on the screens and receipts")
	role := fset.String("role", "", "cashier, supervisor or manager")
	lang := fset.String("language", "", "screen language after login ("+strings.Join(pos.Languages, ", ")+"); empty: the device's")
	if err := fset.Parse(args[1:]); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return fmt.Errorf("staff add: unexpected arguments %v\n%s", fset.Args(), usage)
	}
	r, err := pos.ParseRole(*role)
	if err != nil {
		return fmt.Errorf("staff add: role %q: give cashier, supervisor or manager", *role)
	}
	st := pos.Staff{ID: *id, Name: strings.TrimSpace(*name), Role: r, Language: *lang}
	// What would be refused is refused before the PIN is typed, not after.
	if err := pos.CheckNewStaff(st); err != nil {
		return fmt.Errorf("%w; nobody was added", err)
	}
	cfg, err := f.load(fset)
	if err != nil {
		return err
	}
	if err := needData(&f, cfg, "nobody was added"); err != nil {
		return err
	}
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
	taken := fmt.Errorf("staff number %s is taken; nobody was added (change that member's PIN on the manager's screens, or choose another number)", *id)
	if _, err := db.Staff(ctx, st.ID); err == nil {
		return taken
	} else if !errors.Is(err, pos.ErrNotFound) {
		return err
	}
	pin, err := readPIN(ctx, stdin, stderr)
	if err != nil {
		return err
	}
	st, err = pos.NewStaffAdmin(db).Add(ctx, pos.StaffByCommand, st, pin)
	switch {
	case errors.Is(err, pos.ErrDuplicate):
		return taken
	case err != nil:
		return fmt.Errorf("%w; nobody was added", err)
	}
	fmt.Fprintf(stdout, "added %s %s, staff number %s\n", st.Role, st.Name, st.ID)
	return nil
}

// needData refuses a command that writes a node's database where there is
// no data directory, unless one was named on a command not run as root: a
// data directory made here would be a new node's, the built-in defaults'
// ./data wherever the command was typed, and run as root, root's, which
// the node could not write. A node makes its own at first start. nothing
// says what the refused command did not do ("nobody was added").
func needData(f *flags, cfg Config, nothing string) error {
	explicit := f.config != "" || f.data != ""
	if _, err := os.Stat(cfg.Data); errors.Is(err, os.ErrNotExist) && (!explicit || os.Geteuid() == 0) {
		return fmt.Errorf("no data directory at %s; %s: give the node's --config (an installed node's is %s) or --data, or start the node once to make it", cfg.Data, nothing, installedConfig)
	}
	return nil
}

// readPIN reads one line from in. At a terminal it asks for the PIN on
// stderr, twice, and does not echo what is typed: a slip made unseen would
// leave a member whose PIN nobody knows, under a staff number that cannot
// be added again.
func readPIN(ctx context.Context, in io.Reader, prompt io.Writer) (string, error) {
	r := bufio.NewReader(in)
	// Ctrl-C only ends ctx (main takes the signal): a read waiting for
	// Enter is left behind, and the command ends with the echo given back.
	read := func() (string, error) {
		type line struct {
			pin string
			err error
		}
		got := make(chan line, 1)
		go func() {
			pin, err := readLine(r)
			got <- line{pin, err}
		}()
		select {
		case l := <-got:
			return l.pin, l.err
		case <-ctx.Done():
			return "", fmt.Errorf("interrupted; nobody was added: %w", ctx.Err())
		}
	}
	terminal := false
	if f, ok := in.(*os.File); ok {
		if t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
			terminal = true
			quiet := *t
			quiet.Lflag &^= unix.ECHO
			// Echo off before the prompt, so that nothing typed after it shows.
			if unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, &quiet) == nil {
				defer func() { _ = unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t) }()
			}
			fmt.Fprint(prompt, "PIN: ")
		}
	}
	pin, err := read()
	if terminal {
		fmt.Fprintln(prompt)
	}
	if err != nil || pin == "" || !terminal {
		return pin, err
	}
	fmt.Fprint(prompt, "PIN again: ")
	again, err := read()
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	if again != pin {
		return "", errors.New("the two PINs typed differ; nobody was added")
	}
	return pin, nil
}

// readLine reads the PIN's line from r.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the PIN: %w", err)
	}
	pin := strings.TrimSpace(line)
	if pin == "" {
		return "", errors.New("no PIN given: type it, or pipe it in (4 to 12 digits); nobody was added")
	}
	return pin, nil
}

// chownDB gives the database files the data directory's owner, so that a
// command run as root leaves them writable by the service's user.
func chownDB(cfg Config) {
	for _, f := range []string{dbPath(cfg), dbPath(cfg) + "-wal", dbPath(cfg) + "-shm"} {
		if _, err := os.Stat(f); err == nil {
			chownLike(f, cfg.Data)
		}
	}
}

// demoSignIns lists the demo's staff who can sign in with the PINs the
// README and the demo's start print: active under the demo's staff number
// with the demo's PIN. A member may have been given a PIN of their own,
// or be missing from a database the demo never seeded. pinOf looks up the
// PIN hash of an active member by staff number, ok false for none.
func demoSignIns(pinOf func(id string) (hash string, ok bool)) []demoMember {
	var left []demoMember
	for _, s := range demoStaff {
		if hash, ok := pinOf(s.id); ok && pos.CheckPIN(hash, s.pin) {
			left = append(left, s)
		}
	}
	return left
}
