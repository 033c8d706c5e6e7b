package escpos

// Barcode128 prints data as a CODE128 barcode (GS k 73) with its text
// below, centered. All-digit data of even length uses code set C (two
// digits per symbol), anything else code set B (ASCII 32..126), switching
// to code set C for an even run of four or more digits at its end. The
// module width is 2 dots when the symbol fits the paper, else 1.
//
// In code set C the digit pairs 16 and 04, 05 or 20 are the bytes of a
// real-time command (DLE EOT, DLE ENQ, DLE DC4), which the printer obeys
// even inside barcode data; such a 16 goes in code set B instead.
func (e *Encoder) Barcode128(data string, heightDots int) error {
	if data == "" || len(data) > 250 {
		return ErrBarcodeData
	}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x20 || data[i] > 0x7E {
			return ErrBarcodeData
		}
	}
	head := 0 // data[:head] goes in code set B, the digits after in C
	if !isDigits(data) || len(data)%2 == 1 {
		// Trailing digits, four or more, go in code set C: a
		// receipt's code, R7KQ20000000001, is then as narrow as R and
		// ten digits in code set B.
		head = len(data)
		for head > 0 && data[head-1] >= '0' && data[head-1] <= '9' {
			head--
		}
		if (len(data)-head)%2 == 1 {
			head++
		}
		if len(data)-head < 4 {
			head = len(data)
		}
	}
	payload, symbols := code128Data(data, head)
	if len(payload) > 255 {
		return ErrBarcodeData
	}
	// start + data + check = 11 modules each, stop 13, quiet zones 10 each.
	modules := 11*(symbols+2) + 13 + 20
	mw := 2
	if modules*mw > e.p.Dots {
		mw = 1
	}
	if modules*mw > e.p.Dots {
		return ErrBarcodeTooWide
	}
	if heightDots <= 0 {
		heightDots = 80
	}
	if heightDots > 255 {
		heightDots = 255
	}
	save := e.align
	e.SetAlign(AlignCenter)
	e.flushLine(false)
	e.syncAlign()
	e.buf.Write([]byte{GS, 'h', byte(heightDots), GS, 'w', byte(mw), GS, 'H', 2, GS, 'f', 0})
	e.buf.Write([]byte{GS, 'k', 73, byte(len(payload))})
	e.buf.Write(payload)
	e.align = save
	return nil
}

// code128Data returns the GS k data that puts data[:head] in code set B
// and the digits after it in code set C, and the number of symbols it
// makes, code set switches included, start code not. A digit pair 16
// followed by 04, 05 or 20 goes in code set B, so that the data holds no
// real-time command.
func code128Data(data string, head int) ([]byte, int) {
	var p []byte
	var set byte // 0 before the start code
	symbols := 0
	use := func(s byte) {
		if set == s {
			return
		}
		if set != 0 {
			symbols++ // a switch; the start code is not counted
		}
		p = append(p, '{', s)
		set = s
	}
	for i := 0; i < head; i++ {
		use('B')
		if data[i] == '{' {
			p = append(p, '{') // "{{" is a literal brace
		}
		p = append(p, data[i])
		symbols++
	}
	pair := func(i int) byte { return (data[i]-'0')*10 + data[i+1] - '0' }
	for i := head; i < len(data); i += 2 {
		if pair(i) == DLE && i+3 < len(data) && realTime(pair(i+2)) {
			use('B')
			p = append(p, data[i], data[i+1])
			symbols += 2
			continue
		}
		use('C')
		p = append(p, pair(i))
		symbols++
	}
	return p, symbols
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// QRLevel is a QR error correction level.
type QRLevel byte

// QR error correction levels.
const (
	QRLevelL QRLevel = 48
	QRLevelM QRLevel = 49
	QRLevelQ QRLevel = 50
	QRLevelH QRLevel = 51
)

// maxQR is the byte capacity of a version 40 QR code at level L; printers
// reject more.
const maxQR = 2953

// QR prints data as a model 2 QR code, centered, with the printer's own
// QR generator (GS ( k): select model, module size (dots, 1..16; 0 means
// 6), error correction, store the data, print. Data that would put a
// real-time command in the stream, in its bytes or in its length (1037
// or 1293 bytes), is refused with ErrQRData: the printer would obey it.
func (e *Encoder) QR(data string, module int, level QRLevel) error {
	if data == "" || len(data) > maxQR {
		return ErrQRData
	}
	if module <= 0 {
		module = 6
	}
	if module > 16 {
		module = 16
	}
	if level < QRLevelL || level > QRLevelH {
		level = QRLevelM
	}
	n := len(data) + 3
	store := append([]byte{GS, '(', 'k', byte(n), byte(n >> 8), 49, 80, 48}, data...)
	if hasRealTime(store) {
		return ErrQRData
	}
	save := e.align
	e.SetAlign(AlignCenter)
	e.flushLine(false)
	e.syncAlign()
	e.buf.Write([]byte{GS, '(', 'k', 4, 0, 49, 65, 50, 0})        // model 2
	e.buf.Write([]byte{GS, '(', 'k', 3, 0, 49, 67, byte(module)}) // module size
	e.buf.Write([]byte{GS, '(', 'k', 3, 0, 49, 69, byte(level)})  // error correction
	e.buf.Write(store)
	e.buf.Write([]byte{GS, '(', 'k', 3, 0, 49, 81, 48}) // print
	e.align = save
	return nil
}
