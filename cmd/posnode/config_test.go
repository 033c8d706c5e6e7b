package main

import (
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/posnode/posnode/pos"
)

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := LoadConfig("../../posnode.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Stations) != 3 || cfg.Stations[0].PrinterProfile != "tm-t20" || cfg.Sync.ResendAfter.Seconds() != 30 {
		t.Errorf("config = %+v", cfg)
	}
}

// TestExampleConfigListsEveryKey: posnode.example.toml promises every key
// the node accepts, so a key added to Config without it there fails here.
func TestExampleConfigListsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../../posnode.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	md, err := toml.Decode(string(b), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, k := range md.Keys() {
		listed[k.String()] = true
	}
	for _, k := range configKeys(reflect.TypeOf(Config{}), "") {
		if !listed[k] {
			t.Errorf("posnode.example.toml does not list %s", k)
		}
	}
}

// TestExampleConfigShowsTheDefaults: the example, which gives every key
// with its default, reads as a config without those keys does.
func TestExampleConfigShowsTheDefaults(t *testing.T) {
	ex, err := LoadConfig("../../posnode.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	def, err := LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if ex.TimeZone != def.TimeZone || ex.Backup.Every != def.Backup.Every || ex.HTTP != def.HTTP || ex.Data != def.Data {
		t.Errorf("example: time_zone %q, backup.every %s, http %s, data %s; defaults %q, %s, %s, %s",
			ex.TimeZone, ex.Backup.Every, ex.HTTP, ex.Data, def.TimeZone, def.Backup.Every, def.HTTP, def.Data)
	}
	if ex.Sync.Retention.Duration != 7*24*time.Hour { // syncqueue.Options.Retention's default
		t.Errorf("example: sync.retention %s, the default is 168h", ex.Sync.Retention)
	}
	if ex.Demo != def.Demo || def.Demo != DefaultConfig().Demo {
		t.Errorf("example: demo = %t; loaded without a file %t, built in %t", ex.Demo, def.Demo, DefaultConfig().Demo)
	}
	if ex.Policy != def.Policy || ex.Returns != def.Returns {
		t.Errorf("example: policy %+v, returns %+v; defaults %+v, %+v", ex.Policy, ex.Returns, def.Policy, def.Returns)
	}
	// Without a time zone, receipts print the machine's local time.
	if loc, err := time.LoadLocation(def.receiptZone()); err != nil || loc != time.Local {
		t.Errorf("receipt zone of the default config %q: %v, %v; want the local zone", def.receiptZone(), loc, err)
	}
}

// TestRunSeedsTheDemoOnlyWhenAsked: run without a config file is a
// store's node, not the demo: the demo's staff, whose PINs are public,
// come only with --demo or demo = true, as the operations guide promises.
func TestRunSeedsTheDemoOnlyWhenAsked(t *testing.T) {
	on, off := writeConfig(t, "demo = true\n"), writeConfig(t, "demo = false\n")
	for _, c := range []struct {
		name string
		args []string
		want bool
	}{
		{"no config", nil, false},
		{"--demo", []string{"--demo"}, true},
		{"demo = true", []string{"--config", on}, true},
		{"demo = false", []string{"--config", off}, false},
		{"--demo over demo = false", []string{"--config", off, "--demo"}, true},
		{"--demo=false over demo = true", []string{"--config", on, "--demo=false"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, cfg, err := subFlags("run", append([]string{"--data", t.TempDir()}, c.args...), io.Discard, true)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Demo != c.want {
				t.Errorf("demo = %t, want %t", cfg.Demo, c.want)
			}
		})
	}
}

// TestConfigSerialPorts: each serial device is named by a path or by USB
// identity, as `posnode ports` shows it; identical adapters are told apart
// by their serial numbers.
func TestConfigSerialPorts(t *testing.T) {
	cfg, err := parseConfig([]byte(`
[[stations]]
id = "till-1"
kind = "till"
scanner = "usb:05e0:1200"
printer = "usb:0403:6001:A50285BI"
display = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_B7712Q01-if00-port0"

[[stations]]
id = "till-2"
kind = "till"
printer = "usb:0403:6001:A9X2K7LM"
display = "/dev/posnode/display-till-2"
`), DefaultConfig())
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, toml, want string }{
		{"unknown key", `stor = "x"`, "unknown keys: stor (did you mean store?)"},
		{"unknown key in a table", "[mqtt]\nurl = \"\"\nusername = \"a\"\npasword = \"b\"", "unknown keys: mqtt.pasword (did you mean mqtt.password?)"},
		{"unknown table", "[[station]]\nid = \"till-1\"", "unknown keys: station (did you mean stations?); posnode.example.toml"},
		{"unknown key unlike any", `colour = "red"`, "unknown keys: colour; posnode.example.toml lists every key"},
		{"bad id", `store = "a b"`, "store"},
		{"bad url", "[mqtt]\nurl = \"http://x\"", "mqtt.url"},
		{"bad url with a password", "[mqtt]\nurl = \"mqtt://node:s3cret@x\"", "node:xxxxx@x"},
		{"password with a slash", "[mqtt]\nurl = \"tcp://node:s3cret/x@broker:1883\"", "percent-encode"},
		{"url without a host", "[mqtt]\nurl = \"tcp://\"", "mqtt.url"},
		{"bad duration", "[sync]\nresend_after = \"soon\"", "duration"},
		{"negative privacy", "[privacy]\npickup_customer = \"-24h\"", "privacy.pickup_customer -24h0m0s: negative"},
		{"port twice", "[[stations]]\nid=\"a\"\nkind=\"till\"\nscanner=\"/dev/x\"\n[[stations]]\nid=\"b\"\nkind=\"till\"\nprinter=\"/dev/x\"", "already used"},
		{"kind", "[[stations]]\nid=\"a\"\nkind=\"kiosk\"", "kind"},
		{"port not a path", "[[stations]]\nid=\"a\"\nkind=\"till\"\nscanner=\"ttyUSB0\"", "stations[0].scanner: "},
		{"usb identity without a product", "[[stations]]\nid=\"a\"\nkind=\"till\"\nprinter=\"usb:0403\"", "stations[0].printer: "},
		{"usb identity not hex", "[[stations]]\nid=\"a\"\nkind=\"till\"\ndisplay=\"usb:0403:60g1\"", "usb:VID:PID or usb:VID:PID:SERIAL"},
		{"usb identity twice", "[[stations]]\nid=\"a\"\nkind=\"till\"\nscanner=\"usb:0403:6001:A5\"\n[[stations]]\nid=\"b\"\nkind=\"till\"\nprinter=\"USB:403:6001:A5\"",
			"stations[1].printer: usb:0403:6001:A5 is already used as the scanner of station a"},
		{"usb identity matching another", "[[stations]]\nid=\"a\"\nkind=\"till\"\nprinter=\"usb:0403:6001:A5\"\ndisplay=\"usb:0403:6001\"",
			"stations[0].display: usb:0403:6001 and the printer of station a (usb:0403:6001:A5) may be the same device"},
		{"http without a port", `http = "localhost"`, "http \"localhost\""},
		{"http port out of range", `http = ":80800"`, "http \":80800\""},
		{"tls certificate without its key", "[tls]\nenabled = true\ncert_file = \"/etc/posnode/node.crt\"", "key_file"},
		{"tls files missing", "[tls]\nenabled = true\ncert_file = \"/nonexistent/node.crt\"\nkey_file = \"/nonexistent/node.key\"", "tls.cert_file /nonexistent/node.crt"},
		{"scanner terminator", "[[stations]]\nid=\"a\"\nkind=\"till\"\nscanner_terminator=\"tab\"", "stations[0].scanner_terminator"},
		{"printer line", "[[stations]]\nid=\"a\"\nkind=\"till\"\nprinter_serial=\"12345,8,none,1\"", "stations[0].printer_serial"},
		{"scanner line", "[[stations]]\nid=\"a\"\nkind=\"till\"\nscanner_serial=\"9600,8,odd,1,x\"", "stations[0].scanner_serial"},
		{"display line", "[[stations]]\nid=\"a\"\nkind=\"till\"\ndisplay_serial=\"9600,9\"", "stations[0].display_serial"},
		{"sub-second keepalive", "[sync]\nkeepalive = \"500ms\"", "sync.keepalive"},
		{"keepalive beyond MQTT", "[sync]\nkeepalive = \"19h\"", "sync.keepalive"},
		{"negative keepalive", "[sync]\nkeepalive = \"-30s\"", "sync.keepalive"},
		{"negative window", "[sync]\nwindow = -1", "sync.window"},
		{"negative retention", "[sync]\nretention = \"-1h\"", "sync.retention"},
		{"negative resend", "[sync]\nresend_after = \"-1s\"", "sync.resend_after"},
		{"negative backoff", "[sync]\nbackoff_max = \"-1m\"", "sync.backoff_max"},
		{"negative keep", "[backup]\nkeep = -1", "backup.keep"},
		{"negative every", "[backup]\nevery = \"-6h\"", "backup.every"},
		{"password without a username", "[mqtt]\nurl = \"ssl://x:8883\"\npassword = \"s3cret\"", "mqtt.password is set without mqtt.username"},
		{"client key without its certificate", "[mqtt]\nurl = \"ssl://x:8883\"\nkey_file = \"/etc/posnode/client.key\"", "mqtt.key_file is set without mqtt.cert_file"},
		{"client certificate without its key", "[mqtt]\nurl = \"ssl://x:8883\"\ncert_file = \"/etc/posnode/client.pem\"", "mqtt.cert_file is set without mqtt.key_file"},
		{"discount over 100 %", "[policy]\ncashier_discount_bp = 25000", "policy.cashier_discount_bp 25000: 0 to 10000"},
		{"negative discount share", "[policy]\ncashier_discount_bp = -1", "policy.cashier_discount_bp -1: 0 to 10000"},
		{"negative discount amount", "[policy]\ncashier_discount_amount = -5", "policy.cashier_discount_amount -5: negative"},
		{"negative cash limit", "[returns]\nno_receipt_cash_limit = -100", "returns.no_receipt_cash_limit -100: negative"},
		{"origin without a scheme", `origins = ["kiosk.local:8080/"]`, `origins[0] "kiosk.local:8080/": write it as scheme://host[:port]`},
		{"origin with a slash", `origins = ["http://kiosk.local:8080/"]`, `origins[0] "http://kiosk.local:8080/": write it as scheme://host[:port], as browsers send it: "http://kiosk.local:8080"`},
		{"origin with a path", `origins = ["https://pos.example.com/kiosk"]`, `as browsers send it: "https://pos.example.com"`},
		{"origin in capitals", `origins = ["http://Kiosk.local:8080"]`, `as browsers send it: "http://kiosk.local:8080"`},
		{"origin with the default port", `origins = ["https://kiosk.local:443"]`, `as browsers send it: "https://kiosk.local"`},
		{"origin of another scheme", `origins = ["http://kiosk.local", "ws://kiosk.local"]`, `origins[1] "ws://kiosk.local": http or https`},
		{"origin without a host", `origins = ["http://"]`, `origins[0] "http://"`},
		{"window beyond the sender", "[sync]\nwindow = 50000", "sync.window 50000: 0 to 10000"},
		{"keepalive not in whole seconds", "[sync]\nkeepalive = \"1.5s\"", "sync.keepalive 1.5s: in whole seconds"},
		{"tls host as a URL", "[tls]\nenabled = true\nhosts = [\"https://till1.store.lan\"]", `tls.hosts[0] "https://till1.store.lan": a host name or an IP address only`},
		{"tls host with a port", "[tls]\nenabled = true\nhosts = [\"till1.store.lan:8443\"]", `tls.hosts[0] "till1.store.lan:8443"`},
		{"tls host wildcard", "[tls]\nenabled = true\nhosts = [\"ok.lan\", \"*.store.lan\"]", `tls.hosts[1] "*.store.lan": label "*"`},
		{"tls host with a space", "[tls]\nenabled = true\nhosts = [\"till 1\"]", `tls.hosts[0] "till 1": label "till 1"`},
		// A name constraint with a dot at the end is one Go cannot read back.
		{"tls host ending in a dot", "[tls]\nenabled = true\nhosts = [\"pos.local.\"]", `tls.hosts[0] "pos.local.": label ""`},
		{"tls host empty", "[tls]\nenabled = true\nhosts = [\"\"]", `tls.hosts[0] "": a host name of 1-253 characters`},
		{"unknown market", `market = "SK"`, `market "SK": unknown (known: SE, none)`},
		{"scale label prefix", "[[scale_labels]]\nprefix = \"30\"\nitem_digits = 7\nvalue_digits = 5\nvalue = \"price\"\nfactor = 1", `scale_labels[0]: prefix "30": 20 to 29`},
		{"scale label key too long", "[[scale_labels]]\nprefix = \"28\"\nitem_digits = 12\nvalue_digits = 1\nvalue = \"price\"\nfactor = 1", "scale_labels[0]: item_digits 12: 2 to 11"},
		{"scale label value over the check digit", "[[scale_labels]]\nprefix = \"28\"\nitem_digits = 8\nvalue_digits = 5\nvalue = \"price\"\nfactor = 1", "scale_labels[0]: value_digits 5: 1 to 4"},
		{"scale label without a value", "[[scale_labels]]\nprefix = \"28\"\nitem_digits = 8\nvalue_digits = 0\nvalue = \"price\"\nfactor = 1", "scale_labels[0]: value_digits 0: 1 to 4"},
		{"scale label of another value", "[[scale_labels]]\nprefix = \"28\"\nitem_digits = 7\nvalue_digits = 5\nvalue = \"volume\"\nfactor = 1", `scale_labels[0]: value "volume": price or weight`},
		{"scale label factor", "[[scale_labels]]\nprefix = \"28\"\nitem_digits = 7\nvalue_digits = 5\nvalue = \"weight\"\nfactor = 5", "scale_labels[0]: factor 5: 1, 10, 100 or 1000"},
		{"scale label without a factor", "[[scale_labels]]\nprefix = \"28\"\nitem_digits = 7\nvalue_digits = 5\nvalue = \"weight\"\nfactor = 0", "scale_labels[0]: factor 0"},
		{"scale label prefix twice", "[[scale_labels]]\nprefix = \"28\"\nitem_digits = 7\nvalue_digits = 5\nvalue = \"price\"\nfactor = 1\n[[scale_labels]]\nprefix = \"28\"\nitem_digits = 7\nvalue_digits = 5\nvalue = \"weight\"\nfactor = 1", "scale_labels[1]: prefix 28 is already scale_labels[0]'s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseConfig([]byte(tc.toml), DefaultConfig())
			if err == nil {
				err = cfg.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("err = %v shows the password", err)
			}
		})
	}
}

// TestConfigAcceptsTheEdges: the limits themselves and the zero values
// that mean a default pass.
func TestConfigAcceptsTheEdges(t *testing.T) {
	for _, body := range []string{
		"[sync]\nkeepalive = \"1s\"",
		"[sync]\nkeepalive = \"65535s\"",
		"[sync]\nkeepalive = \"0s\"\nwindow = 0",
		"[sync]\nkeepalive = \"2m\"\nwindow = 10000",
		"[policy]\ncashier_discount_bp = 10000\ncashier_discount_amount = 0",
		"[policy]\ncashier_discount_bp = 0",
		"[returns]\nno_receipt_cash_limit = 0",
		`origins = ["http://kiosk.local:8080", "https://pos.example.com", "http://192.0.2.10:8080", "http://[fe80::1]:8080"]`,
		"http = \"127.0.0.1:0\"",
		"http = \"[::1]:8080\"",
		"[tls]\nenabled = true",
		"[tls]\nenabled = true\nhosts = [\"till1.store.lan\", \"posnode\", \"192.0.2.10\", \"fe80::1\", \"xn--kassa-5qa.lan\", \"kassa_1.local\"]",
		// Hosts serve nothing without TLS: a file that worked keeps working.
		"[tls]\nenabled = false\nhosts = [\"https://kassa.local:8443\"]",
		"[[stations]]\nid=\"a\"\nkind=\"till\"\nscanner_terminator=\"crlf\"\nscanner_serial=\"115200\"",
		"[[stations]]\nid=\"a\"\nkind=\"till\"\nscanner_terminator=\"none\"",
		`market = "none"`,
		"[[scale_labels]]\nprefix = \"28\"\nitem_digits = 7\nvalue_digits = 5\nvalue = \"price\"\nfactor = 1",
		"[[scale_labels]]\nprefix = \"29\"\nitem_digits = 2\nvalue_digits = 10\nvalue = \"weight\"\nfactor = 1000",
		"[[scale_labels]]\nprefix = \"20\"\nitem_digits = 11\nvalue_digits = 1\nvalue = \"price\"\nfactor = 100",
	} {
		cfg, err := parseConfig([]byte(body), DefaultConfig())
		if err == nil {
			err = cfg.Validate()
		}
		if err != nil {
			t.Errorf("%q: %v", body, err)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	b, _ := os.ReadFile("../../posnode.example.toml")
	f.Add(string(b))
	f.Add("store = 1")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := parseConfig([]byte(s), DefaultConfig())
		if err == nil {
			_ = cfg.Validate()
		}
	})
}

// The store's zone is time_zone, or the machine's zone by its name, so
// that the screens can be told it.
func TestStoreZone(t *testing.T) {
	if _, err := time.LoadLocation("Asia/Taipei"); err != nil {
		t.Skip("no zone database:", err)
	}
	t.Setenv("TZ", "Europe/Bucharest")
	for _, c := range []struct{ name, timeZone, want string }{
		{"configured", "Asia/Taipei", "Asia/Taipei"},
		{"the machine's", "", "Europe/Bucharest"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := (Config{TimeZone: c.timeZone}).storeZone().String(); got != c.want {
				t.Errorf("storeZone() = %s, want %s", got, c.want)
			}
		})
	}
	t.Setenv("TZ", "")
	if got := (Config{}).storeZone().String(); got != "UTC" {
		t.Errorf("storeZone() with an empty TZ = %s, want UTC", got)
	}
}

// TestScaleLabelsReplaceTheMarkets: a configured layout reads the codes of
// its prefix in place of the market's; the market's other layouts stay,
// and market none reads only the configured ones.
func TestScaleLabelsReplaceTheMarkets(t *testing.T) {
	label := func(body string) string { return body + string(pos.GTINCheckDigit(body)) }
	own := "[[scale_labels]]\nprefix = \"22\"\nitem_digits = 7\nvalue_digits = 4\nvalue = \"price\"\nfactor = 1\n"
	for _, tc := range []struct {
		name, toml, code string
		kind, key        string
		price, grams     int64
	}{
		{"Sweden's layout", "", label("220012300499"), pos.CodeVariable, "22001230", 49900, 0},
		{"the store's layout for its prefix", own, label("220012300499"), pos.CodeVariable, "2200123", 499, 0},
		{"the market's for the others", own, label("230010001234"), pos.CodeVariable, "23001000", 0, 1234},
		{"market none", "market = \"none\"\n", label("230010001234"), pos.CodeGTIN, label("230010001234"), 0, 0},
		{"market none with the store's layout", "market = \"none\"\n" + own, label("220012300499"), pos.CodeVariable, "2200123", 499, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseConfig([]byte(tc.toml), DefaultConfig())
			if err == nil {
				err = cfg.Validate()
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := pos.ParseCode(tc.code, cfg.scaleTable())
			if err != nil || c.Kind != tc.kind || c.Key != tc.key || c.Price != tc.price || c.Grams != tc.grams {
				t.Fatalf("%s: %+v, %v; want %s %s, price %d, %d g", tc.code, c, err, tc.kind, tc.key, tc.price, tc.grams)
			}
		})
	}
}
