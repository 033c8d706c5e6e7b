package receipt

// Languages a store can print in.
const (
	LangSwedish            = "sv"
	LangSlovak             = "sk"
	LangRomanian           = "ro"
	LangTraditionalChinese = "zh-Hant"
	LangEnglish            = "en"
)

// Langs lists the supported languages.
var Langs = []string{LangSwedish, LangSlovak, LangRomanian, LangTraditionalChinese, LangEnglish}

// labels holds every word printed on a document, by key and language.
// English is the fallback for a missing language.
var labels = map[string]map[string]string{
	"receipt":      {"sv": "KVITTO", "sk": "POKLADNIČNÝ DOKLAD", "ro": "BON NEFISCAL", "zh-Hant": "收據", "en": "RECEIPT"},
	"refund":       {"sv": "RETUR", "sk": "VRÁTENIE", "ro": "RETUR", "zh-Hant": "退貨", "en": "REFUND"},
	"copy":         {"sv": "KOPIA", "sk": "KÓPIA", "ro": "COPIE", "zh-Hant": "副本", "en": "COPY"},
	"training":     {"sv": "ÖVNING – INGET KVITTO", "sk": "CVIČENIE – NIE JE DOKLAD", "ro": "INSTRUIRE – NU ESTE BON", "zh-Hant": "訓練用 非正式收據", "en": "TRAINING – NOT A RECEIPT"},
	"training_no":  {"sv": "Övning nr", "sk": "Cvičenie č.", "ro": "Instruire nr.", "zh-Hant": "訓練單號", "en": "Training no"},
	"receipt_no":   {"sv": "Kvitto nr", "sk": "Doklad č.", "ro": "Bon nr.", "zh-Hant": "收據號碼", "en": "Receipt no"},
	"voucher_code": {"sv": "Kod", "sk": "Kód", "ro": "Cod", "zh-Hant": "代碼", "en": "Code"},
	"return_no":    {"sv": "Retur nr", "sk": "Vrátenie č.", "ro": "Retur nr.", "zh-Hant": "退貨單號", "en": "Return no"},
	"orig_receipt": {"sv": "Avser kvitto nr", "sk": "K dokladu č.", "ro": "Pentru bonul nr.", "zh-Hant": "原收據號碼", "en": "For receipt no"},
	"station":      {"sv": "Kassa", "sk": "Pokladňa", "ro": "Casa", "zh-Hant": "收銀台", "en": "Till"},
	"cashier":      {"sv": "Kassör", "sk": "Pokladník", "ro": "Casier", "zh-Hant": "收銀員", "en": "Cashier"},
	"subtotal":     {"sv": "Delsumma", "sk": "Medzisúčet", "ro": "Subtotal", "zh-Hant": "小計", "en": "Subtotal"},
	"discount":     {"sv": "Rabatt", "sk": "Zľava", "ro": "Reducere", "zh-Hant": "折扣", "en": "Discount"},
	"basket_disc":  {"sv": "Rabatt på köpet", "sk": "Zľava na nákup", "ro": "Reducere pe bon", "zh-Hant": "整筆折扣", "en": "Basket discount"},
	"discounts":    {"sv": "Rabatter", "sk": "Zľavy", "ro": "Reduceri", "zh-Hant": "折扣合計", "en": "Discounts"},
	"sales_report": {"sv": "FÖRSÄLJNING", "sk": "PREDAJ", "ro": "VÂNZĂRI", "zh-Hant": "銷售報表", "en": "SALES"},
	"by_hour":      {"sv": "per timme", "sk": "po hodinách", "ro": "pe ore", "zh-Hant": "按小時", "en": "by hour"},
	"by_day":       {"sv": "per dag", "sk": "po dňoch", "ro": "pe zile", "zh-Hant": "按日", "en": "by day"},
	"by_tender":    {"sv": "per betalsätt", "sk": "podľa platby", "ro": "pe plată", "zh-Hant": "按付款方式", "en": "by tender"},
	"by_tax_rate":  {"sv": "per momssats", "sk": "podľa sadzby DPH", "ro": "pe cotă TVA", "zh-Hant": "按稅率", "en": "by tax rate"},
	"by_cashier":   {"sv": "per kassör", "sk": "podľa pokladníka", "ro": "pe casier", "zh-Hant": "按收銀員", "en": "by cashier"},
	"by_item":      {"sv": "per artikel", "sk": "podľa tovaru", "ro": "pe articol", "zh-Hant": "按商品", "en": "by item"},
	"total":        {"sv": "TOTALT", "sk": "SPOLU", "ro": "TOTAL", "zh-Hant": "總計", "en": "TOTAL"},
	"rounding":     {"sv": "Öresavrundning", "sk": "Zaokrúhlenie", "ro": "Rotunjire", "zh-Hant": "尾數調整", "en": "Rounding"},
	"tax_added":    {"sv": "Försäljningsskatt", "sk": "Daň z predaja", "ro": "Taxă pe vânzări", "zh-Hant": "營業稅", "en": "Sales tax"},
	"vat":          {"sv": "Moms", "sk": "DPH", "ro": "TVA", "zh-Hant": "營業稅", "en": "VAT"},
	"net":          {"sv": "Netto", "sk": "Základ", "ro": "Bază", "zh-Hant": "未稅", "en": "Net"},
	"gross":        {"sv": "Brutto", "sk": "Spolu", "ro": "Total", "zh-Hant": "含稅", "en": "Gross"},
	"change":       {"sv": "Växel", "sk": "Výdavok", "ro": "Rest", "zh-Hant": "找零", "en": "Change"},
	"cash":         {"sv": "Kontant", "sk": "Hotovosť", "ro": "Numerar", "zh-Hant": "現金", "en": "Cash"},
	"card":         {"sv": "Kort", "sk": "Karta", "ro": "Card", "zh-Hant": "信用卡", "en": "Card"},
	"gift_card":    {"sv": "Presentkort", "sk": "Darčeková karta", "ro": "Card cadou", "zh-Hant": "禮物卡", "en": "Gift card"},
	"store_credit": {"sv": "Tillgodokvitto", "sk": "Kredit predajne", "ro": "Credit magazin", "zh-Hant": "購物金", "en": "Store credit"},
	"exchange":     {"sv": "Byte", "sk": "Výmena tovaru", "ro": "Schimb de marfă", "zh-Hant": "換貨", "en": "Exchange"},
	"online":       {"sv": "Onlinebetalning", "sk": "Platba online", "ro": "Plată online", "zh-Hant": "線上付款", "en": "Online payment"},
	"thanks":       {"sv": "Tack för ditt köp!", "sk": "Ďakujeme za nákup!", "ro": "Vă mulțumim pentru cumpărături!", "zh-Hant": "謝謝惠顧！", "en": "Thank you for shopping with us!"},
	"pickup_slip":  {"sv": "UTLÄMNING", "sk": "VÝDAJ OBJEDNÁVKY", "ro": "RIDICARE COMANDĂ", "zh-Hant": "取貨單", "en": "PICKUP"},
	"order":        {"sv": "Order", "sk": "Objednávka", "ro": "Comanda", "zh-Hant": "訂單", "en": "Order"},
	"customer":     {"sv": "Kund", "sk": "Zákazník", "ro": "Client", "zh-Hant": "顧客", "en": "Customer"},
	"bag_of":       {"sv": "Påse %d av %d", "sk": "Taška %d z %d", "ro": "Punga %d din %d", "zh-Hant": "第 %d 袋，共 %d 袋", "en": "Bag %d of %d"},
	"items":        {"sv": "Artiklar", "sk": "Položky", "ro": "Articole", "zh-Hant": "品項", "en": "Items"},
	"ready":        {"sv": "Klar", "sk": "Pripravené", "ro": "Gata", "zh-Hant": "備妥", "en": "Ready"},
	"x_report":     {"sv": "X-RAPPORT", "sk": "X-UZÁVIERKA", "ro": "RAPORT X", "zh-Hant": "X 報表", "en": "X REPORT"},
	"z_report":     {"sv": "Z-RAPPORT", "sk": "Z-UZÁVIERKA", "ro": "RAPORT Z", "zh-Hant": "Z 報表", "en": "Z REPORT"},
	"period":       {"sv": "Period", "sk": "Obdobie", "ro": "Perioada", "zh-Hant": "期間", "en": "Period"},
	"sales":        {"sv": "Försäljningar", "sk": "Predaje", "ro": "Vânzări", "zh-Hant": "銷售筆數", "en": "Sales"},
	"returns":      {"sv": "Returer", "sk": "Vrátenia", "ro": "Retururi", "zh-Hant": "退貨", "en": "Returns"},
	"net_sales":    {"sv": "Nettoförsäljning", "sk": "Čistý predaj", "ro": "Vânzări nete", "zh-Hant": "淨銷售額", "en": "Net sales"},
	"gross_sales":  {"sv": "Bruttoförsäljning", "sk": "Hrubý predaj", "ro": "Vânzări brute", "zh-Hant": "總銷售額", "en": "Gross sales"},
	"tenders":      {"sv": "Betalsätt", "sk": "Platby", "ro": "Plăți", "zh-Hant": "付款方式", "en": "Tenders"},
	"voids":        {"sv": "Makulerade köp", "sk": "Stornované predaje", "ro": "Vânzări anulate", "zh-Hant": "作廢交易", "en": "Voided sales"},
	"tendered":     {"sv": "Summa betalsätt", "sk": "Platby spolu", "ro": "Total plăți", "zh-Hant": "付款合計", "en": "Total tendered"},
	"cash_drawer":  {"sv": "Kassalåda", "sk": "Pokladničná zásuvka", "ro": "Sertarul de numerar", "zh-Hant": "錢櫃", "en": "Cash drawer"},
	"float":        {"sv": "Växelkassa", "sk": "Počiatočná hotovosť", "ro": "Sold inițial", "zh-Hant": "錢櫃零用金", "en": "Float"},
	"cash_net":     {"sv": "Kontant netto", "sk": "Hotovosť netto", "ro": "Numerar net", "zh-Hant": "現金淨額", "en": "Cash takings, net"},
	"paid_in":      {"sv": "Insättningar", "sk": "Vklady", "ro": "Intrări numerar", "zh-Hant": "存入現金", "en": "Cash in"},
	"paid_out":     {"sv": "Uttag", "sk": "Výbery", "ro": "Ieșiri numerar", "zh-Hant": "取出現金", "en": "Cash out"},
	"drops":        {"sv": "Till kassaskåpet", "sk": "Odvody do trezoru", "ro": "Depuneri în seif", "zh-Hant": "存入保險箱", "en": "Drops to safe"},
	"voucher_cash": {"sv": "Sålda presentkort", "sk": "Predané darčekové karty", "ro": "Carduri cadou vândute", "zh-Hant": "售出禮物卡", "en": "Gift cards sold"},
	"vouchers":     {"sv": "Utfärdade värdebevis", "sk": "Vydané poukážky", "ro": "Vouchere emise", "zh-Hant": "發行禮券", "en": "Vouchers issued"},
	"cash_other":   {"sv": "Övrigt kontant", "sk": "Iná hotovosť", "ro": "Alt numerar", "zh-Hant": "其他現金", "en": "Other cash"},
	"expected":     {"sv": "Förväntat kontant", "sk": "Očakávaná hotovosť", "ro": "Numerar așteptat", "zh-Hant": "應有現金", "en": "Expected cash"},
	"counted_cash": {"sv": "Räknat kontant", "sk": "Spočítaná hotovosť", "ro": "Numerar numărat", "zh-Hant": "實點現金", "en": "Counted cash"},
	"difference":   {"sv": "Differens", "sk": "Rozdiel", "ro": "Diferență", "zh-Hant": "差額", "en": "Difference"},
	"no_sales":     {"sv": "Lådöppningar utan köp", "sk": "Otvorenia bez predaja", "ro": "Deschideri fără vânzare", "zh-Hant": "無銷售開櫃", "en": "No-sale openings"},
	"unasked":      {"sv": "Öppningar inte av kassan", "sk": "Otvorenia nie pokladňou", "ro": "Deschideri nu de la casă", "zh-Hant": "非收銀機開櫃", "en": "Openings not by the till"},
	"left_open":    {"sv": "Lådan lämnad öppen", "sk": "Zásuvka nechaná otvorená", "ro": "Sertar lăsat deschis", "zh-Hant": "錢櫃開啟過久", "en": "Drawer left open"},
	"journal_no":   {"sv": "Journalpost", "sk": "Záznam žurnálu", "ro": "Înregistrare în jurnal", "zh-Hant": "日誌序號", "en": "Journal entry"},
	"journal":      {"sv": "Journalkedja", "sk": "Reťazec žurnálu", "ro": "Lanțul jurnalului", "zh-Hant": "日誌鏈", "en": "Journal chain"},
	"printed":      {"sv": "Utskriven", "sk": "Vytlačené", "ro": "Tipărit", "zh-Hant": "列印時間", "en": "Printed"},
	"test_page":    {"sv": "TESTSIDA", "sk": "TESTOVACIA STRANA", "ro": "PAGINĂ DE TEST", "zh-Hant": "測試頁", "en": "TEST PAGE"},
	"sample":       {"sv": "Svenska: Räksmörgås, blåbär & ÅÄÖ åäö é", "sk": "Slovenčina: Ďakujeme, kôň úpel ľščťžýáíéäňô", "ro": "Română: Mulțumim! ăâîșț ĂÂÎȘȚ", "zh-Hant": "繁體中文：謝謝惠顧，歡迎再次光臨", "en": "English: Thank you! £5 $5 €5"},
}

// T returns the label for key in lang, falling back to English and then
// to the key itself.
func T(lang, key string) string {
	m := labels[key]
	if s, ok := m[lang]; ok {
		return s
	}
	if s, ok := m[LangEnglish]; ok {
		return s
	}
	return key
}
