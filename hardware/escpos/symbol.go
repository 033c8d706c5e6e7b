package escpos

// Barcode128 prints data as a CODE128 barcode (GS k 73) with its text
// below, centered. All-digit data of even length uses code set C (two
// digits per symbol), anything else code set B (ASCII 32..126), switching
// to code set C for an even run of four or more digits at its end. The
// module width is 2 dots when the symbol fits the paper, else 1.
func (e *Encoder) Barcode128(data string, heightDots int) error {
	if data == "" || len(data) > 250 {
		return ErrBarcodeData
	}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x20 || data[i] > 0x7E {
			return ErrBarcodeData
		}
	}
	var payload []byte
	var symbols int
	if isDigits(data) && len(data)%2 == 0 {
		payload = append(payload, '{', 'C')
		for i := 0; i < len(data); i += 2 {
			payload = append(payload, (data[i]-'0')*10+(data[i+1]-'0'))
		}
		symbols = len(data) / 2
	} else {
		// Trailing digits, four or more, go in code set C: a
		// receipt's code, R7KQ20000000001, is then as narrow as R and
		// ten digits in code set B.
		head := len(data)
		for head > 0 && data[head-1] >= '0' && data[head-1] <= '9' {
			head--
		}
		if (len(data)-head)%2 == 1 {
			head++
		}
		if len(data)-head < 4 {
			head = len(data)
		}
		payload = append(payload, '{', 'B')
		for i := 0; i < head; i++ {
			if data[i] == '{' {
				payload = append(payload, '{') // "{{" is a literal brace
			}
			payload = append(payload, data[i])
		}
		symbols = head
		if head < len(data) {
			payload = append(payload, '{', 'C')
			for i := head; i < len(data); i += 2 {
				payload = append(payload, (data[i]-'0')*10+(data[i+1]-'0'))
			}
			symbols += 1 + (len(data)-head)/2
		}
	}
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
// 6), error correction, store the data, print.
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
	save := e.align
	e.SetAlign(AlignCenter)
	e.flushLine(false)
	e.syncAlign()
	e.buf.Write([]byte{GS, '(', 'k', 4, 0, 49, 65, 50, 0})        // model 2
	e.buf.Write([]byte{GS, '(', 'k', 3, 0, 49, 67, byte(module)}) // module size
	e.buf.Write([]byte{GS, '(', 'k', 3, 0, 49, 69, byte(level)})  // error correction
	n := len(data) + 3
	e.buf.Write([]byte{GS, '(', 'k', byte(n), byte(n >> 8), 49, 80, 48}) // store
	e.buf.WriteString(data)
	e.buf.Write([]byte{GS, '(', 'k', 3, 0, 49, 81, 48}) // print
	e.align = save
	return nil
}
