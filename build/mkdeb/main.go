// Command mkdeb builds posnode's Debian package from packaging/nfpm.yaml
// with nfpm used as a library, so that packaging needs only the Go
// toolchain. It is its own module: nfpm's dependencies stay out of
// posnode's go.mod.
//
// Usage (from the repository root; build/dist.mk runs it):
//
//	go run -C build/mkdeb . -config ../../packaging/nfpm.yaml -root ../.. -out ../../dist
//
// The environment supplies POSNODE_ARCH (amd64, arm64, arm7),
// POSNODE_DEB_VERSION and POSNODE_BINARY, expanded in the config.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mkdeb:", err)
		os.Exit(1)
	}
}

func run() error {
	config := flag.String("config", "packaging/nfpm.yaml", "nfpm configuration")
	root := flag.String("root", ".", "directory the paths in the configuration are relative to")
	out := flag.String("out", "dist", "directory of the package")
	flag.Parse()
	for _, v := range []string{"POSNODE_ARCH", "POSNODE_DEB_VERSION", "POSNODE_BINARY"} {
		if os.Getenv(v) == "" {
			return fmt.Errorf("%s is not set", v)
		}
	}
	outDir, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	cfgPath, err := filepath.Abs(*config)
	if err != nil {
		return err
	}
	// Sources in the configuration are relative to the repository root.
	if err := os.Chdir(*root); err != nil {
		return err
	}
	cfg, err := nfpm.ParseFile(cfgPath)
	if err != nil {
		return fmt.Errorf("%s: %w", cfgPath, err)
	}
	info, err := cfg.Get("deb")
	if err != nil {
		return err
	}
	info = nfpm.WithDefaults(info)
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return err
	}
	pkg, err := nfpm.Get("deb")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	target := filepath.Join(outDir, pkg.ConventionalFileName(info))
	info.Target = target
	f, err := os.Create(target)
	if err != nil {
		return err
	}
	if err := pkg.Package(info, f); err != nil {
		f.Close()
		os.Remove(target)
		return fmt.Errorf("package %s: %w", target, err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	fmt.Println(target)
	return nil
}
