package browsertest

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
)

// avoided are words each language says otherwise everywhere else, with
// the word it uses: a cashier who meets two words for one thing on two
// screens, or on the screen and the paper, takes them for two things.
var avoided = map[string][]struct{ avoid, use string }{
	"sv": {
		{"Upphämtning", "Uthämtning"},
		{"upphämtning", "uthämtning"},
		{"Kontant betalning", "Kontantbetalning"},
	},
	"sk": {
		{"pokladnic", "pokladňa"}, // the till; pokladničná (zásuvka) is the adjective
		{"Pokladnic", "Pokladňa"},
		{"bloč", "doklad"}, // the receipt
		{"obchod", "predajňa"},
		{"manaž", "vedúci predajne"},                // the manager; vedúci alone is a supervisor
		{"Počiatočný vklad", "Počiatočná hotovosť"}, // the float; a vklad is cash paid in
		{"DENNÁ UZÁVIERKA", "Z-UZÁVIERKA"},          // a Z report closes a shift, not a day
		{"PRIEBEŽNÁ UZÁVIERKA", "X-UZÁVIERKA"},
	},
	"ro": {
		// Romanian is written with comma-below ș ț; the cedilla ş ţ
		// are Turkish letters, taken for them only by old code pages.
		{"ş", "ș"}, {"ţ", "ț"}, {"Ş", "Ș"}, {"Ţ", "Ț"},
		{"Centrala", "Centralul"},
		{"rulment", "sold inițial"}, // the float; a fond de rulment is working capital
		// A bon fiscal comes only from a fiscal device (AMEF), which
		// the node is not; its paper is one the customer must not take
		// for it.
		{"BON FISCAL", "BON NEFISCAL"},
	},
	"zh-Hant": {
		{"練習", "訓練"},    // training mode, training receipt
		{"經理", "店長"},    // the manager
		{"禮品卡", "禮物卡"},  // gift card, as said in Taiwan
		{"抵用金", "購物金"},  // store credit
		{"錢箱", "錢櫃"},    // the cash drawer
		{"進位", "尾數調整"},  // cash rounding goes down as well as up
		{"客戶", "顧客"},    // the customer
		{"網上", "線上"},    // online: mainland and Hong Kong usage
		{"在線", "連線"},    // online: mainland usage
		{"打印", "列印"},    // print: mainland usage
		{"屏幕", "螢幕"},    // screen: mainland usage
		{"數據", "資料"},    // data: mainland usage
		{"信息", "訊息"},    // message: mainland usage
		{"默認", "預設"},    // default: mainland usage
		{"網絡", "網路"},    // network: mainland usage
		{"設置", "設定"},    // settings: mainland usage
		{"登錄", "登入"},    // sign in: mainland usage
		{"二維碼", "QR 碼"}, // QR code: mainland usage
	},
}

// Every screen and every printed document of a language uses one word for
// one thing.
func TestOneWordForOneThing(t *testing.T) {
	t.Parallel()
	for lang, words := range avoided {
		for k, v := range loadStrings(t, lang) {
			for _, w := range words {
				if strings.Contains(v, w.avoid) {
					t.Errorf("%s.json %s: %q says %q where the others say %q", lang, k, v, w.avoid, w.use)
				}
			}
		}
		for _, key := range receiptLabels {
			v := receipt.T(lang, key)
			for _, w := range words {
				if strings.Contains(v, w.avoid) {
					t.Errorf("receipt label %s in %s: %q says %q where the screens say %q", key, lang, v, w.avoid, w.use)
				}
			}
		}
	}
}

// What only a manager sees or does names the manager as the role is
// named. In Slovak vedúci alone is the supervisor and vedúci predajne the
// manager: the manager's screen headed Vedúci reads as a supervisor's.
func TestSlovakNamesTheManager(t *testing.T) {
	t.Parallel()
	m := loadStrings(t, "sk")
	for _, k := range []string{"role.manager", "nav.manager", "err.last_manager", "err.self_change", "pair.explain", "pair.show"} {
		if !strings.Contains(m[k], " predajne") {
			t.Errorf("sk.json %s: %q does not name the manager as the role does, %q", k, m[k], m["role.manager"])
		}
	}
}

// Swedish names a click-and-collect order beställning, as the pickup
// counter does throughout, in the settings of pickup too; order is the
// word of the returns of web orders only.
func TestSwedishPickupSaysBestallning(t *testing.T) {
	t.Parallel()
	for k, v := range loadStrings(t, "sv") {
		if (strings.HasPrefix(k, "pickup.") || strings.HasPrefix(k, "set.pickup")) && (strings.Contains(strings.ToLower(v), "order") || strings.Contains(v, "ordrar")) {
			t.Errorf("sv.json %s: %q says order where the pickup counter says beställning", k, v)
		}
	}
}

// receiptLabels are the receipt's labels that name what the screens name
// too.
var receiptLabels = []string{"receipt", "refund", "receipt_no", "return_no", "orig_receipt", "station",
	"rounding", "cash", "card", "gift_card", "store_credit", "exchange", "cash_drawer", "float",
	"unasked", "left_open", "no_sales", "voucher_cash", "training", "training_no", "pickup_slip", "customer",
	"x_report", "z_report"}

// The receipt names a payment as the till's screen does: the cashier
// reads the customer the tenders from the screen, the customer checks
// them on the paper. The receipt may say more ("Výmena tovaru" for
// "Výmena"), never something else.
func TestReceiptNamesTendersAsScreens(t *testing.T) {
	t.Parallel()
	for _, lang := range receipt.Langs {
		m := loadStrings(t, lang)
		for _, method := range []string{pos.MethodCash, pos.MethodCard, pos.MethodGiftCard, pos.MethodStoreCredit, pos.MethodExchange} {
			screen, paper := m["till."+method], receipt.T(lang, method)
			if !strings.Contains(strings.ToLower(paper), strings.ToLower(screen)) {
				t.Errorf("%s: %s is %q on the screen and %q on the receipt", lang, method, screen, paper)
			}
		}
	}
}

// The shift reports on paper name their lines as the X report on the till's
// screen and its buttons do: the cashier who pressed "Cash out" looks for
// it on the Z report. One may say more than the other (Float, Cash float
// in the drawer) or use the plural (Vklady for Vklad): each word of the
// shorter name starts, by its first four letters, a word of the longer.
// Chinese, with no words to part, has the shorter name in the longer.
func TestReportNamesLinesAsScreens(t *testing.T) {
	t.Parallel()
	for _, lang := range receipt.Langs {
		m := loadStrings(t, lang)
		for key, label := range map[string]string{"op.paid_in": "paid_in", "op.paid_out": "paid_out", "op.drop": "drops",
			"sales": "sales", "returns": "returns", "voids": "voids", "float": "float", "cash_net": "cash_net", "expected": "expected",
			"counted": "counted_cash", "difference": "difference", "no_sales": "no_sales", "opened_unasked": "unasked",
			"left_open": "left_open", "voucher_cash": "voucher_cash", "cash_other": "cash_other"} {
			screen, paper := m["shift."+key], receipt.T(lang, label)
			short, long := strings.Fields(strings.ToLower(screen)), strings.Fields(strings.ToLower(paper))
			if len(short) > len(long) {
				short, long = long, short
			}
			same := true
			if lang == "zh-Hant" {
				same = strings.Contains(screen, paper) || strings.Contains(paper, screen)
			}
			for _, w := range short {
				stem := string([]rune(w)[:min(4, len([]rune(w)))])
				found := false
				for _, lw := range long {
					found = found || strings.HasPrefix(lw, stem)
				}
				same = same && found
			}
			if !same {
				t.Errorf("%s: %s is %q on the screen and %q on the report", lang, key, screen, paper)
			}
		}
	}
}

// Romanian screens speak to the cashier as tu (Introdu, Verifică), as
// most of its strings do; a string in the plural of politeness (Introduceți,
// verificați) reads as written by someone else. Only the customer, on the
// receipt, is thanked with dumneavoastră.
func TestRomanianSpeaksToStaffAsTu(t *testing.T) {
	t.Parallel()
	for k, v := range loadStrings(t, "ro") {
		for _, w := range strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
			w, _, _ = strings.Cut(strings.ToLower(w), "-")
			for _, end := range []string{"ați", "eți", "iți", "âți"} {
				if strings.HasSuffix(w, end) {
					t.Errorf("%s: %q says %q, the polite plural", k, v, w)
				}
			}
		}
	}
}

// Traditional Chinese strings are written with the characters of Taiwan:
// each one is in Big5, as the Kanji mode of Taiwanese receipt printers
// prints it. A simplified character (这, 们, 说) is not.
func TestChineseTraditionalCharacters(t *testing.T) {
	t.Parallel()
	enc := traditionalchinese.Big5.NewEncoder()
	for k, v := range loadStrings(t, "zh-Hant") {
		for _, r := range v {
			if !unicode.Is(unicode.Han, r) {
				continue
			}
			if _, err := enc.String(string(r)); err != nil {
				t.Errorf("%s: %q has %q, which is not a Traditional character of Big5", k, v, r)
			}
		}
	}
}

// sameAsEnglish are the strings a language writes as English does: words
// it has borrowed (OK, online, Broker), units and abbreviations.
var sameAsEnglish = map[string][]string{
	"sv": {"common.ok", "set.days", "device.state.ok", "device.state.online", "device.state.offline", "sync.online", "sync.offline",
		"set.broker", "stock.kilograms", "pickup.hours", "pickup.minutes", "mgr.station", "mgr.version", "till.per_kg"},
	"sk": {"common.ok", "set.days", "device.state.ok", "device.state.online", "device.state.offline", "sync.online", "sync.offline",
		"set.broker", "stock.kilograms", "pickup.hours", "pickup.minutes", "kind.tablet", "nav.tablet"},
	"ro": {"common.ok", "set.days", "device.state.ok", "device.state.online", "device.state.offline", "sync.online", "sync.offline",
		"set.broker", "stock.kilograms", "pickup.hours", "pickup.minutes", "cash.exact", "login.pin", "nav.manager",
		"role.manager", "till.card", "till.subtotal", "till.total"},
}

// No string is left in English: one the same as English is a word the
// language has borrowed (sameAsEnglish), and every Chinese string has
// Chinese in it.
func TestNoEnglishLeftIn(t *testing.T) {
	t.Parallel()
	en := loadStrings(t, "en")
	for lang, same := range sameAsEnglish {
		for k, v := range loadStrings(t, lang) {
			if v == en[k] && !slices.Contains(same, k) {
				t.Errorf("%s.json %s: %q is the English", lang, k, v)
			}
		}
	}
	for k, v := range loadStrings(t, "zh-Hant") {
		if !strings.ContainsFunc(v, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("zh-Hant.json %s: %q has no Chinese", k, v)
		}
	}
}

// A count stands where no word has to agree with it ("bags: {n}", not
// "{n} bags"): a string has one form for every number, and English "1
// bags", Slovak "3 tašiek" and Romanian "1 pungi" read wrong. After the
// count may come a preposition or a unit's symbol, which do not change.
func TestCountsNeedNoPlural(t *testing.T) {
	t.Parallel()
	after := regexp.MustCompile(`\{n\} (\p{L}+)`)
	invariant := []string{"of", "av", "z", "din", "in", "i", "na", "în", "h", "min", "left", "kvar", "waiting", "väntar"}
	for _, lang := range []string{"en", "sv", "sk", "ro"} {
		for k, v := range loadStrings(t, lang) {
			if k == "receipt.copy_done" {
				continue // its {n} names a copy, it counts nothing
			}
			for _, m := range after.FindAllStringSubmatch(v, -1) {
				if !slices.Contains(invariant, m[1]) {
					t.Errorf("%s.json %s: %q has %q after the count, which agrees with some numbers only", lang, k, v, m[1])
				}
			}
		}
	}
}
