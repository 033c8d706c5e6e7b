package escpos_test

import (
	"fmt"

	"github.com/posnode/posnode/hardware/escpos"
)

func ExampleEncoder() {
	e := escpos.NewEncoder(escpos.Generic58, escpos.Options{})
	e.Init()
	e.SetAlign(escpos.AlignCenter)
	e.SetBold(true)
	e.Println("Magazin Iași")
	e.SetBold(false)
	e.Println("Mulțumim!")
	if err := e.Barcode128("R0000000001", 60); err != nil {
		fmt.Println(err)
	}
	e.Cut(true)
	text, _ := escpos.Decode(e.Bytes())
	fmt.Println(text)
	// Output:
	// [INIT][KANJI off][CODEPAGE 19][ALIGN center][BOLD on]Magazin [CODEPAGE 18]Iaşi
	// [BOLD off]Mulţumim!
	// [BARCODE CODE128 R0000000001][CUT partial]
}
