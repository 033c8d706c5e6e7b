// Command posnode is the store's point-of-sale and click-and-collect node.
//
// Usage:
//
//	posnode run [--config FILE] [--data DIR] [--http ADDR] [--store ID] [--node ID]
//	            [--mqtt URL] [--scanner PORT] [--printer PORT] [--demo]
//	posnode version
//	posnode ports
//	posnode print-test --printer PORT [--profile NAME]
//	posnode import catalog FILE.csv [--config FILE] [--data DIR]
//	posnode staff add --id N --name NAME --role ROLE [--config FILE] [--data DIR] (PIN on stdin)
//	posnode backup FILE [--config FILE] [--data DIR]
//	posnode restore FILE [--config FILE] [--data DIR] [--last-receipt N --last-return N --last-z N]
//	posnode doctor [--config FILE] [--data DIR] [--timeout 5s]
//	posnode journal verify [--config FILE] [--data DIR]
//	posnode report sales [--by day] [--from DATE] [--to DATE] [--csv] [--config FILE] [--data DIR]
//
// See the README, docs/operations.md and, for every configuration key with
// its default, posnode.example.toml.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/signal"
	"syscall"

	"github.com/posnode/posnode/internal/gcpolicy"
)

// Stamped by the build (make dist): -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	gcpolicy.Apply()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "posnode:", err)
		os.Exit(1)
	}
}

const usage = `posnode: the store's point-of-sale and click-and-collect node

Commands:
  run                   run the node (see posnode run -h)
  version               print the version and commit
  ports                 list serial ports with their USB identities
  print-test            print a test page: posnode print-test --printer PORT
  import catalog FILE   import a catalog CSV into the database (offline bootstrap)
  staff add             add a member of staff, such as the store's first manager (PIN on stdin)
  backup FILE           write a consistent copy of the live database to FILE
  restore FILE          replace the database with a backup (the node must be stopped)
  doctor                check config, data, database, devices, broker and clock
  journal verify        check the tamper-evident journal and name every tampered entry
  report sales          sales by hour, day, tender, tax_rate, cashier or item (--by, --from, --to, --csv)
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "run":
		return cmdRun(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "posnode %s (commit %s)\n", version, commit)
		return nil
	case "ports":
		return cmdPorts(stdout)
	case "import":
		if len(rest) == 2 && rest[0] == "catalog" && isHelp(rest[1]) {
			fmt.Fprintln(stderr, "usage: posnode import catalog FILE.csv [flags]")
			return cmdImportCatalog(ctx, "", rest[1:], stdout, stderr)
		}
		if len(rest) < 2 || rest[0] != "catalog" || isFlag(rest[1]) {
			return errors.New("usage: posnode import catalog FILE.csv [--config FILE] [--data DIR] (the file before the flags)")
		}
		return cmdImportCatalog(ctx, rest[1], rest[2:], stdout, stderr)
	case "staff":
		return cmdStaff(ctx, rest, os.Stdin, stdout, stderr)
	case "backup":
		if len(rest) == 1 && isHelp(rest[0]) {
			fmt.Fprintln(stderr, "usage: posnode backup FILE [flags]")
			return cmdBackup(ctx, "", rest, stdout, stderr)
		}
		if len(rest) < 1 || isFlag(rest[0]) {
			return errors.New("usage: posnode backup FILE [--config FILE] [--data DIR] (the file before the flags)")
		}
		return cmdBackup(ctx, rest[0], rest[1:], stdout, stderr)
	case "restore":
		if len(rest) == 1 && isHelp(rest[0]) {
			fmt.Fprintln(stderr, "usage: posnode restore FILE [flags]")
			return cmdRestore(ctx, "", rest, stdout, stderr)
		}
		if len(rest) < 1 || isFlag(rest[0]) {
			return errors.New("usage: posnode restore FILE [--config FILE] [--data DIR] [--last-receipt N --last-return N --last-z N [--last-training N]] (the file before the flags)")
		}
		return cmdRestore(ctx, rest[0], rest[1:], stdout, stderr)
	case "print-test":
		return cmdPrintTest(ctx, rest, stdout, stderr)
	case "doctor":
		return cmdDoctor(ctx, rest, stdout, stderr)
	case "journal":
		return cmdJournal(ctx, rest, stdout, stderr)
	case "report":
		return cmdReport(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// isFlag reports whether a command's argument is a flag where its file
// was expected ("posnode backup --data DIR FILE").
func isFlag(arg string) bool {
	return len(arg) > 1 && arg[0] == '-'
}

// isHelp reports whether arg asks for a command's flags.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// installedConfig is the config file the Debian package installs. A
// variable only so that tests can point it elsewhere.
var installedConfig = "/etc/posnode/posnode.toml"

// flags are the command-line overrides of the config file.
type flags struct {
	config, data, http, store, node, mqtt, scanner, printer string
	demo                                                    bool
	// installed: without --config or --data, the command works on the
	// installed node's data (installedConfig) when there is one, not on
	// the built-in defaults' ./data wherever it is typed. Every command
	// but run: the package's service starts it with --config, and typed
	// without one it runs on the built-in defaults.
	installed bool
	// demoFrom is where load took demo from: demoFlag, demoFile, or ""
	// for the built-in default (see demoSetting).
	demoFrom string
}

// Where a command's demo setting comes from.
const (
	demoFlag = "flag"
	demoFile = "file"
)

// demoSetting says what demo is and where that comes from, for the one
// who reads doctor's findings and must know what to change: "demo = true
// in /etc/posnode/posnode.toml", "--demo=true", or the built-in default.
func (f *flags) demoSetting(demo bool) string {
	switch {
	case f.demoFrom == demoFlag:
		return fmt.Sprintf("--demo=%t", demo)
	case f.demoFrom == demoFile:
		return fmt.Sprintf("demo = %t in %s", demo, f.config)
	case f.config != "":
		return fmt.Sprintf("demo = %t by default: %s does not set it", demo, f.config)
	}
	return fmt.Sprintf("demo = %t by default (no --config)", demo)
}

func (f *flags) register(fs *flag.FlagSet, all bool) {
	if !all {
		f.installed = true
		fs.StringVar(&f.config, "config", "", "TOML config file (default: "+installedConfig+" where there is one and --data is not given, else the built-in defaults)")
		fs.StringVar(&f.data, "data", "", "data directory (overrides config)")
		return
	}
	fs.StringVar(&f.config, "config", "", "TOML config file (default: built-in settings: data in ./data, UI on localhost:8080, offline, no demo)")
	fs.StringVar(&f.data, "data", "", "data directory (overrides config)")
	fs.StringVar(&f.http, "http", "", "listen address of the UI and API, e.g. :8080 for tablets and other tills; the built-in localhost:8080 is this box only (overrides config)")
	fs.StringVar(&f.store, "store", "", "store id (overrides config)")
	fs.StringVar(&f.node, "node", "", "node id (overrides config)")
	fs.StringVar(&f.mqtt, "mqtt", "", "broker URL, tcp://host:1883 or ssl://host:8883; empty: offline (overrides config)")
	fs.StringVar(&f.scanner, "scanner", "", "scanner serial port of the first till (overrides config)")
	fs.StringVar(&f.printer, "printer", "", "printer serial port of the first till (overrides config)")
	fs.BoolVar(&f.demo, "demo", false, "seed a demo catalog and staff into an empty database")
}

// load reads the config file (or the built-in default) and applies flags.
func (f *flags) load(fs *flag.FlagSet) (Config, error) {
	cfg := DefaultConfig()
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	installed := false
	if f.installed && f.config == "" && !set["data"] {
		// Taken unless it is not there: the package makes /etc/posnode
		// 0750 root:posnode, so that another user cannot even see the
		// file, and is then told to use sudo rather than left on ./data.
		if _, err := os.Stat(installedConfig); !errors.Is(err, iofs.ErrNotExist) {
			f.config, installed = installedConfig, true
			fmt.Fprintf(fs.Output(), "posnode: using %s (give --config or --data for another)\n", installedConfig)
		}
	}
	if f.config != "" {
		var err error
		if cfg, err = LoadConfig(f.config); err != nil {
			if installed && errors.Is(err, iofs.ErrPermission) {
				err = fmt.Errorf("%w: run the command as root (sudo), or give --config or --data for another node", err)
			}
			return cfg, err
		}
		if cfg.demoSet {
			f.demoFrom = demoFile
		}
	}
	if set["data"] {
		cfg.Data = f.data
	}
	if set["http"] {
		cfg.HTTP = f.http
	}
	if set["store"] {
		cfg.Store = f.store
	}
	if set["node"] {
		cfg.Node = f.node
	}
	if set["mqtt"] {
		cfg.MQTT.URL = f.mqtt
	}
	if set["demo"] {
		cfg.Demo, f.demoFrom = f.demo, demoFlag
	}
	if set["scanner"] || set["printer"] {
		i := firstTill(cfg.Stations)
		if i < 0 {
			cfg.Stations = append(cfg.Stations, StationConfig{ID: "till-1", Kind: "till", Name: "Till 1"})
			i = len(cfg.Stations) - 1
		}
		if set["scanner"] {
			cfg.Stations[i].Scanner = f.scanner
		}
		if set["printer"] {
			cfg.Stations[i].Printer = f.printer
		}
	}
	return cfg, cfg.Validate()
}

func firstTill(ss []StationConfig) int {
	for i, s := range ss {
		if s.Kind == "till" {
			return i
		}
	}
	return -1
}
