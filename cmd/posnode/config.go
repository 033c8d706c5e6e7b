package main

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/scanner"
	"github.com/posnode/posnode/hardware/serialdev"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/syncqueue"
)

// Config is the node's configuration file (TOML). Every key is documented,
// with its default, in the example posnode.example.toml.
type Config struct {
	Data   string `toml:"data"`   // directory of the database and backups
	HTTP   string `toml:"http"`   // listen address of the UI and API
	Store  string `toml:"store"`  // store id, as central knows it
	Node   string `toml:"node"`   // node id within the store
	Market string `toml:"market"` // variable-measure barcode table: SE or none
	// ScaleLabels are the store's own layouts of scale labels, each in
	// place of the market's for its prefix (see Config.scaleTable).
	ScaleLabels []ScaleLabel `toml:"scale_labels"`
	Demo        bool         `toml:"demo"` // seed a demo catalog and staff into an empty database
	// demoSet records that the file sets demo, so that doctor can say
	// where the setting it judges comes from.
	demoSet bool
	// TimeZone is the IANA zone receipts print times in; "" means the
	// machine's local zone (see receiptZone).
	TimeZone string `toml:"time_zone"`
	// Origins allowed to open the websocket, and to change things through
	// the API, besides the node's own host: each scheme://host[:port] as
	// browsers send it in their Origin header, with which it is compared
	// as a string (see checkOrigin).
	Origins []string `toml:"origins"`
	// IdleLock signs out a member of staff who has not used their
	// session for this long; what the station had open stays for the
	// next to sign in. 0s never does.
	IdleLock duration `toml:"idle_lock"`

	TLS      TLSConfig        `toml:"tls"`
	MQTT     MQTTConfig       `toml:"mqtt"`
	Policy   pos.Policy       `toml:"policy"`
	Returns  pos.ReturnPolicy `toml:"returns"`
	Backup   BackupConfig     `toml:"backup"`
	Privacy  PrivacyConfig    `toml:"privacy"`
	Metrics  MetricsConfig    `toml:"metrics"`
	Sync     SyncConfig       `toml:"sync"`
	Stations []StationConfig  `toml:"stations"`
}

// ScaleLabel is one layout of the 13-digit codes scales print (prefix 20
// to 29): the item key, the value after it, and the check digit.
type ScaleLabel struct {
	Prefix      string `toml:"prefix"`       // "20" to "29": the codes it reads
	ItemDigits  int    `toml:"item_digits"`  // digits naming the item, the prefix included
	ValueDigits int    `toml:"value_digits"` // digits of the value, just before the check digit
	Value       string `toml:"value"`        // "price" or "weight"
	// Factor times the value gives the price in minor units or the
	// weight in grams: 1, 10, 100 or 1000.
	Factor int64 `toml:"factor"`
}

// layout is l as package pos reads it.
func (l ScaleLabel) layout() (byte, pos.VMLayout, error) {
	if len(l.Prefix) != 2 || l.Prefix[0] != '2' || l.Prefix[1] < '0' || l.Prefix[1] > '9' {
		return 0, pos.VMLayout{}, fmt.Errorf("prefix %q: 20 to 29", l.Prefix)
	}
	if l.ItemDigits < 2 || l.ItemDigits > 11 {
		return 0, pos.VMLayout{}, fmt.Errorf("item_digits %d: 2 to 11, the prefix included", l.ItemDigits)
	}
	if l.ValueDigits < 1 || l.ItemDigits+l.ValueDigits > 12 {
		return 0, pos.VMLayout{}, fmt.Errorf("value_digits %d: 1 to %d, so that with item_digits %d they leave the check digit", l.ValueDigits, 12-l.ItemDigits, l.ItemDigits)
	}
	vl := pos.VMLayout{KeyLen: l.ItemDigits, ValueStart: 12 - l.ValueDigits}
	switch l.Value {
	case "price":
		vl.PriceFactor = l.Factor
	case "weight":
		vl.GramFactor = l.Factor
	default:
		return 0, pos.VMLayout{}, fmt.Errorf("value %q: price or weight", l.Value)
	}
	if err := vl.Validate(); err != nil {
		return 0, pos.VMLayout{}, fmt.Errorf("factor %d: 1, 10, 100 or 1000", l.Factor)
	}
	return l.Prefix[1], vl, nil
}

// scaleTable is the table the node reads scale labels with: the market's,
// with each of ScaleLabels in place of the market's layout for its prefix.
// It assumes a configuration Validate accepted.
func (c Config) scaleTable() pos.VariableMeasure {
	vm := pos.Markets[c.Market]
	for _, l := range c.ScaleLabels {
		if d, vl, err := l.layout(); err == nil {
			vm = vm.With(d, vl)
		}
	}
	return vm
}

// MQTTConfig is the connection to central's broker.
type MQTTConfig struct {
	URL      string `toml:"url"` // empty: offline
	Username string `toml:"username"`
	Password string `toml:"password"`
	CAFile   string `toml:"ca_file"`
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
}

// SyncConfig tunes the event sender.
type SyncConfig struct {
	Window      int      `toml:"window"`       // events in flight; 0: default
	ResendAfter duration `toml:"resend_after"` // resend when the ack is stuck this long
	Retention   duration `toml:"retention"`    // keep acknowledged events this long
	// BackoffMax caps the wait between attempts to reach the broker,
	// which doubles from a second; zero: one minute.
	BackoffMax duration `toml:"backoff_max"`
	// KeepAlive is the MQTT keep-alive: a silent link is replaced within
	// about two of these; zero: 30s.
	KeepAlive duration `toml:"keepalive"`
}

// BackupConfig schedules online backups.
type BackupConfig struct {
	Every duration `toml:"every"` // 0: no scheduled backups
	Keep  int      `toml:"keep"`  // backups kept; 0: 7
}

// PrivacyConfig says how long the node keeps customers' personal data.
type PrivacyConfig struct {
	// PickupCustomer is how long after a click-and-collect order ended
	// (collected, cancelled, rejected, expired; its notices seen) the
	// customer's name, phone, the arrival's note and the pickup code are
	// kept; zero: defaultPickupCustomer.
	PickupCustomer duration `toml:"pickup_customer"`
}

// defaultPickupCustomer keeps a customer's data for the questions of the
// month after an order (who collected it, a bag left behind, a refund at
// the till), as long as printed pickup slips and bag labels are kept (see
// printJobsKept).
const defaultPickupCustomer = 31 * 24 * time.Hour

// StationConfig is a till, a pickup counter or a tablet station with its
// devices.
type StationConfig struct {
	ID   string `toml:"id"`
	Kind string `toml:"kind"` // till, pickup, tablet
	Name string `toml:"name"`
	// Scanner, Printer and Display name serial devices, each by a path
	// (a stable /dev/serial/by-id or udev name) or by USB identity,
	// usb:VID:PID or usb:VID:PID:SERIAL as `posnode ports` shows it,
	// which finds the device on whatever node it is plugged in as (see
	// serialdev.ParseTarget).
	Scanner       string `toml:"scanner"`        // empty: none
	ScannerSerial string `toml:"scanner_serial"` // "9600,8,none,1"; empty: 9600 8N1
	// ScannerTerminator ends each code: cr, lf, crlf, or none for a
	// scanner that sends nothing after a code (a pause ends it); empty: cr.
	ScannerTerminator string `toml:"scanner_terminator"`
	// ScannerPrefix and ScannerSuffix are stripped from every code (and
	// required) when the scanner is programmed to send them.
	ScannerPrefix string `toml:"scanner_prefix"`
	ScannerSuffix string `toml:"scanner_suffix"`
	// ScannerRepeatWindow drops a code equal to the one before it read
	// within this window (a double read). The window restarts with each
	// repeat, so an item held in front of a presentation scanner, which
	// reads it again and again, counts once; several identical items are
	// scanned a moment apart or entered with a quantity. Zero: 500ms;
	// negative: never.
	ScannerRepeatWindow duration `toml:"scanner_repeat_window"`
	Printer             string   `toml:"printer"`         // empty: a virtual printer
	PrinterSerial       string   `toml:"printer_serial"`  // "38400,8,none,1"; empty: 38400 8N1
	PrinterProfile      string   `toml:"printer_profile"` // tm-t20, tm-t88, tm-t88-zh-hant, generic-58; empty: tm-t20
	Display             string   `toml:"display"`         // 2x20 customer display; empty: none
	DisplaySerial       string   `toml:"display_serial"`
	DrawerOpenHigh      bool     `toml:"drawer_open_high"` // drawer sensor polarity
	// DrawerNoSensor says that the printer has no drawer, or a drawer
	// without a switch it reports, or one that cannot be trusted: the
	// drawer's state is not shown and it raises no alarms.
	DrawerNoSensor bool `toml:"drawer_no_sensor"`
	// DrawerOpenAlarm is how long the drawer may stay open before the
	// till is told it was left open; zero: 60s; negative: never.
	DrawerOpenAlarm duration `toml:"drawer_open_alarm"`
}

type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: %w (examples: 30s, 5m, 24h)", b, err)
	}
	d.Duration = v
	return nil
}

// DefaultConfig is what the node runs with when no file is given: one
// till, a pickup counter and tablets, data in ./data, the UI on this box
// only, offline. It is no demo: a store's node started without a file
// must not get staff whose PINs are public, so the demo catalog and
// staff come only with --demo (as `make run` gives) or demo = true.
func DefaultConfig() Config {
	return Config{
		Data: "./data", HTTP: "localhost:8080", Store: "demo", Node: "till-1", Market: "SE",
		IdleLock: duration{15 * time.Minute},
		Policy:   pos.DefaultPolicy(),
		Returns:  pos.ReturnPolicy{NoReceiptCashLimit: 50000},
		Stations: []StationConfig{{ID: "till-1", Kind: "till", Name: "Till 1"}, {ID: "pickup", Kind: "pickup", Name: "Pickup counter"}, {ID: "tablet", Kind: "tablet", Name: "Tablets"}},
	}
}

// receiptZone is the zone name receipts print times in: TimeZone, or
// "Local" (the machine's zone) when it is empty, since to the receipt
// layout an empty name means UTC.
func (c Config) receiptZone() string {
	if c.TimeZone == "" {
		return "Local"
	}
	return c.TimeZone
}

// storeZone is the store's time zone for the screens and for reports'
// days: TimeZone, or the machine's local zone when it is empty, named as
// the system names it (TZ, or the zone /etc/localtime links to) so that
// screens can be told its name. A local zone with no name it can be
// found by is time.Local.
func (c Config) storeZone() *time.Location {
	name := c.TimeZone
	if name == "" {
		name = localZoneName()
	}
	if name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.Local
}

// localZoneName is the IANA name of the machine's zone, or "" when the
// system does not say.
func localZoneName() string {
	if tz, ok := os.LookupEnv("TZ"); ok {
		if tz == "" {
			return "UTC" // as the time package reads an empty TZ
		}
		return strings.TrimPrefix(tz, ":")
	}
	link, err := os.Readlink("/etc/localtime")
	if err != nil {
		return ""
	}
	if _, name, ok := strings.Cut(link, "zoneinfo/"); ok {
		return name
	}
	return ""
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// LoadConfig reads a TOML file over the defaults. Unknown keys are errors,
// so a typo is never silently ignored.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	if path == "" {
		return cfg, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, err
	}
	return parseConfig(b, cfg)
}

func parseConfig(b []byte, cfg Config) (Config, error) {
	cfg.Stations = nil
	md, err := toml.NewDecoder(bytes.NewReader(b)).Decode(&cfg)
	if err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		known := configKeys(reflect.TypeOf(Config{}), "")
		keys := make([]string, 0, len(und))
		for _, k := range und {
			key := k.String()
			if p := parentKey(key); p != "" && !slices.Contains(known, p) {
				continue // under an unknown table, which is named itself
			}
			if s := closestKey(key, known); s != "" {
				key += fmt.Sprintf(" (did you mean %s?)", s)
			}
			keys = append(keys, key)
		}
		return cfg, fmt.Errorf("config: unknown keys: %s; posnode.example.toml lists every key", strings.Join(keys, ", "))
	}
	if len(cfg.Stations) == 0 {
		cfg.Stations = DefaultConfig().Stations
	}
	cfg.demoSet = md.IsDefined("demo")
	return cfg, nil
}

// configKeys lists the keys of a config struct as TOML names them, tables
// and arrays of tables with the keys under them ("mqtt", "mqtt.url",
// "stations", "stations.id").
func configKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := prefix + name
		keys = append(keys, key)
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(textUnmarshaler) {
			keys = append(keys, configKeys(ft, key+".")...)
		}
	}
	return keys
}

var textUnmarshaler = reflect.TypeOf((*interface{ UnmarshalText([]byte) error })(nil)).Elem()

// parentKey is the table a key is in: "mqtt" for "mqtt.url", "" at the top.
func parentKey(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[:i]
	}
	return ""
}

// closestKey is the known key in the same table as key that a typo of a
// letter or two, or a missing or extra plural s, would have made key
// from; "" when none is that close.
func closestKey(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if parentKey(k) != parentKey(key) {
			continue
		}
		if d := editDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Validate checks the whole configuration and reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if !idPattern.MatchString(c.Store) {
		errs = append(errs, fmt.Errorf("store %q: 1-64 characters of A-Z a-z 0-9 _ -", c.Store))
	}
	if !idPattern.MatchString(c.Node) {
		errs = append(errs, fmt.Errorf("node %q: 1-64 characters of A-Z a-z 0-9 _ -", c.Node))
	}
	if _, ok := pos.Markets[c.Market]; !ok {
		errs = append(errs, fmt.Errorf("market %q: unknown (known: SE, none)", c.Market))
	}
	prefixes := map[string]int{}
	for i, l := range c.ScaleLabels {
		if _, _, err := l.layout(); err != nil {
			errs = append(errs, fmt.Errorf("scale_labels[%d]: %v", i, err))
		}
		if j, dup := prefixes[l.Prefix]; dup {
			errs = append(errs, fmt.Errorf("scale_labels[%d]: prefix %s is already scale_labels[%d]'s", i, l.Prefix, j))
		}
		prefixes[l.Prefix] = i
	}
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			errs = append(errs, fmt.Errorf("time_zone %q: %v", c.TimeZone, err))
		}
	}
	if c.Data == "" {
		errs = append(errs, errors.New("data: a directory is required"))
	}
	if err := checkListen(c.HTTP); err != nil {
		errs = append(errs, fmt.Errorf("http %q: %v; write it as :8080 or 127.0.0.1:8080", c.HTTP, err))
	}
	for i, o := range c.Origins {
		if err := checkOrigin(o); err != nil {
			errs = append(errs, fmt.Errorf("origins[%d] %q: %v", i, o, err))
		}
	}
	errs = append(errs, c.TLS.check()...)
	if u := c.MQTT.URL; u != "" {
		if err := syncqueue.CheckBroker(u); err != nil {
			errs = append(errs, fmt.Errorf("mqtt.url: %v", err))
		}
	}
	// MQTT sends a password only with a username, and a client
	// certificate needs its key: either alone would be dropped unsaid.
	if c.MQTT.Password != "" && c.MQTT.Username == "" {
		errs = append(errs, errors.New("mqtt.password is set without mqtt.username: the broker would get neither; set the username central's operators gave"))
	}
	if c.MQTT.KeyFile != "" && c.MQTT.CertFile == "" {
		errs = append(errs, errors.New("mqtt.key_file is set without mqtt.cert_file: set the client certificate the key belongs to"))
	}
	if c.MQTT.CertFile != "" && c.MQTT.KeyFile == "" {
		errs = append(errs, errors.New("mqtt.cert_file is set without mqtt.key_file: set the certificate's key"))
	}
	errs = append(errs, c.Sync.check()...)
	// The policy's limits are compared with what a cashier takes off: a
	// share over 100 % or a negative amount is a typo that would let a
	// cashier give anything away alone, or nothing at all.
	if bp := c.Policy.CashierDiscountBP; bp < 0 || bp > 10000 {
		errs = append(errs, fmt.Errorf("policy.cashier_discount_bp %d: 0 to 10000, in basis points (1000 is 10 %%)", bp))
	}
	if a := c.Policy.CashierDiscountAmount; a < 0 {
		errs = append(errs, fmt.Errorf("policy.cashier_discount_amount %d: negative; 0 has a supervisor approve every discount", a))
	}
	if l := c.Returns.NoReceiptCashLimit; l < 0 {
		errs = append(errs, fmt.Errorf("returns.no_receipt_cash_limit %d: negative; 0 refunds every return without receipt as store credit", l))
	}
	if c.IdleLock.Duration < 0 {
		errs = append(errs, fmt.Errorf("idle_lock %s: negative; 0s never signs anyone out", c.IdleLock.Duration))
	}
	if c.Backup.Every.Duration < 0 {
		errs = append(errs, fmt.Errorf("backup.every %s: negative; 0s turns scheduled backups off", c.Backup.Every.Duration))
	}
	if c.Backup.Keep < 0 {
		errs = append(errs, fmt.Errorf("backup.keep %d: negative; 0 keeps %d", c.Backup.Keep, defaultKeep))
	}
	if d := c.Privacy.PickupCustomer.Duration; d < 0 {
		errs = append(errs, fmt.Errorf("privacy.pickup_customer %s: negative; 0s keeps %s", d, defaultPickupCustomer))
	}
	seen := map[string]bool{}
	var ports []configuredPort
	for i, s := range c.Stations {
		if !idPattern.MatchString(s.ID) {
			errs = append(errs, fmt.Errorf("stations[%d].id %q: 1-64 characters of A-Z a-z 0-9 _ -", i, s.ID))
		}
		if seen[s.ID] {
			errs = append(errs, fmt.Errorf("stations[%d].id %q: used twice", i, s.ID))
		}
		seen[s.ID] = true
		switch s.Kind {
		case "till", "pickup", "tablet":
		default:
			errs = append(errs, fmt.Errorf("stations[%d].kind %q: till, pickup or tablet", i, s.Kind))
		}
		if s.PrinterProfile != "" {
			if _, ok := escpos.ProfileByName(s.PrinterProfile); !ok {
				errs = append(errs, fmt.Errorf("stations[%d].printer_profile %q: tm-t20, tm-t88, tm-t88-zh-hant or generic-58", i, s.PrinterProfile))
			}
		}
		errs = append(errs, s.checkLines(i)...)
		for _, d := range []struct{ key, target string }{{"scanner", s.Scanner}, {"printer", s.Printer}, {"display", s.Display}} {
			if d.target == "" {
				continue
			}
			p, err := parsePort(s.ID, d.key, d.target)
			if err != nil {
				errs = append(errs, fmt.Errorf("stations[%d].%s: %v", i, d.key, err))
				continue
			}
			for _, other := range ports {
				if err := p.clash(other); err != nil {
					errs = append(errs, fmt.Errorf("stations[%d].%s: %v", i, d.key, err))
				}
			}
			ports = append(ports, p)
		}
	}
	return errors.Join(errs...)
}

// configuredPort is a serial device as a station's config names it.
type configuredPort struct {
	station, key string
	path         string           // set when it is named by a path
	usb          *serialdev.USBID // set when it is named by USB identity
}

func parsePort(station, key, target string) (configuredPort, error) {
	path, usb, err := serialdev.ParseTarget(target)
	return configuredPort{station: station, key: key, path: path, usb: usb}, err
}

func (p configuredPort) String() string {
	if p.usb != nil {
		return p.usb.String()
	}
	return p.path
}

// clash says how p and other, configured earlier, may name the same
// device, which only one of them would get: the same path or identity, or
// identities that a single device matches (one without a serial number).
// A path and an identity of one device are found out only when it is
// opened (serialdev.ErrInUse).
func (p configuredPort) clash(other configuredPort) error {
	used := fmt.Errorf("%s is already used as the %s of station %s", p, other.key, other.station)
	switch {
	case p.usb == nil || other.usb == nil:
		if p.usb == nil && other.usb == nil && p.path == other.path {
			return used
		}
		return nil
	case *p.usb == *other.usb:
		return used
	}
	a, b := *p.usb, *other.usb
	if a.VID != b.VID || a.PID != b.PID || (a.SerialNumber != "" && b.SerialNumber != "") {
		return nil
	}
	return fmt.Errorf("%s and the %s of station %s (%s) may be the same device: give each its serial number (posnode ports shows them), or name them by path if they have none",
		p, other.key, other.station, other)
}

// checkListen checks a listen address as net.Listen takes it: an optional
// host and a port.
func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return err
	}
	return nil
}

// check reports what of [tls] the node would refuse at start: a
// certificate without its key or the other way round, or files that do
// not load as a pair. Without either file the node makes its own.
func (t TLSConfig) check() []error {
	if !t.Enabled {
		return nil
	}
	var errs []error
	for i, h := range t.Hosts {
		if err := checkCertHost(h); err != nil {
			errs = append(errs, fmt.Errorf("tls.hosts[%d] %q: %v", i, h, err))
		}
	}
	if errs != nil || (t.CertFile == "" && t.KeyFile == "") {
		return errs
	}
	if t.CertFile == "" || t.KeyFile == "" {
		return []error{errors.New("tls: set both cert_file and key_file, or neither for a generated certificate")}
	}
	if _, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile); err != nil {
		return []error{fmt.Errorf("tls.cert_file %s, tls.key_file %s: %v", t.CertFile, t.KeyFile, err)}
	}
	return nil
}

// checkCertHost checks a name or address the generated certificate is
// to be valid for, as tablets type it in their address bar: an IP address,
// or a host name of letters, digits and hyphens (underscores too, as some
// store networks name their boxes) in dot-separated labels.
// A URL, a port or a wildcard would be written into the certificate as
// it is, and no browser would take the certificate for the node.
func checkCertHost(h string) error {
	if net.ParseIP(h) != nil {
		return nil
	}
	if strings.ContainsAny(h, ":/") {
		return errors.New("a host name or an IP address only, without scheme, port or path")
	}
	if h == "" || len(h) > 253 {
		return errors.New("a host name of 1-253 characters")
	}
	for _, l := range strings.Split(h, ".") {
		ok := l != "" && len(l) <= 63 && l[0] != '-' && l[len(l)-1] != '-'
		for i := 0; ok && i < len(l); i++ {
			c := l[i]
			ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
		}
		if !ok {
			return fmt.Errorf("label %q: 1-63 letters, digits, hyphens or underscores, not starting or ending with a hyphen", l)
		}
	}
	return nil
}

// checkOrigin checks a configured origin. The websocket and the API
// compare a browser's Origin header with each configured origin as
// strings, and browsers send scheme://host[:port] in lower case, without
// the scheme's own port, a path or a slash: one written otherwise never
// matches, and the page it was meant for is refused unexplained.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "":
		return errors.New(`write it as scheme://host[:port], e.g. "http://kiosk.local:8080"`)
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("http or https, the scheme of the page that opens the node")
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	for _, r := range host {
		if r > unicode.MaxASCII {
			return errors.New("write the host name in its ASCII form (xn--...), as browsers send it")
		}
	}
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	if want := u.Scheme + "://" + host; o != want {
		return fmt.Errorf("write it as scheme://host[:port], as browsers send it: %q", want)
	}
	return nil
}

// MQTT counts its keep-alive in whole seconds, in 16 bits, and 0 turns
// it off.
const (
	minKeepAlive = time.Second
	maxKeepAlive = 65535 * time.Second
)

// check reports [sync] values the sender would not honour: negative ones
// (zero means the default), a window beyond the sender's, and a
// keep-alive MQTT cannot carry.
func (s SyncConfig) check() []error {
	var errs []error
	// A larger window would be taken as the sender's most; refused, so
	// that what the file says is what the node does.
	if s.Window < 0 || s.Window > syncqueue.MaxWindow {
		errs = append(errs, fmt.Errorf("sync.window %d: 0 to %d; 0 means the sender's default (%d)", s.Window, syncqueue.MaxWindow, syncqueue.DefaultWindow))
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"resend_after", s.ResendAfter.Duration}, {"retention", s.Retention.Duration},
		{"backoff_max", s.BackoffMax.Duration}, {"keepalive", s.KeepAlive.Duration},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("sync.%s %s: negative; 0s means the default", d.key, d.v))
		}
	}
	switch k := s.KeepAlive.Duration; {
	case k > 0 && (k < minKeepAlive || k > maxKeepAlive):
		errs = append(errs, fmt.Errorf("sync.keepalive %s: between %s and %s (MQTT counts it in whole seconds); 0s means 30s", k, minKeepAlive, maxKeepAlive))
	case k%time.Second != 0:
		// MQTT would carry only the whole seconds of it.
		errs = append(errs, fmt.Errorf("sync.keepalive %s: in whole seconds, as MQTT carries it, such as %s", k, k.Truncate(time.Second)))
	}
	return errs
}

// checkLines reports the device settings of the station at index i that
// the node would refuse at start: serial line settings and the scanner's
// terminator.
func (s StationConfig) checkLines(i int) []error {
	var errs []error
	for _, l := range []struct{ key, v, def string }{
		{"scanner_serial", s.ScannerSerial, "9600,8,none,1"},
		{"printer_serial", s.PrinterSerial, "38400,8,none,1"},
		{"display_serial", s.DisplaySerial, "9600,8,none,1"},
	} {
		if _, err := parseSerial(l.v, l.def); err != nil {
			errs = append(errs, fmt.Errorf("stations[%d].%s %q: %v; write it as %q", i, l.key, l.v, err, l.def))
		}
	}
	if _, err := scanner.ParseTerminator(s.ScannerTerminator); err != nil {
		errs = append(errs, fmt.Errorf("stations[%d].scanner_terminator %q: cr, lf, crlf or none", i, s.ScannerTerminator))
	}
	return errs
}
