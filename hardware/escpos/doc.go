// Package escpos encodes print jobs for ESC/POS receipt printers and
// decodes their real-time status.
//
// An Encoder turns calls such as Init, SetBold, Println, Barcode128, QR,
// KickDrawer and Cut into the byte stream for one job. It knows the model
// it writes for through a Profile: paper width in columns and dots, the
// code pages the firmware has with their ESC t numbers, whether it has a
// Big5 (Traditional Chinese) font, and whether it reports the drawer
// switch. Built-in profiles: TMT88, TMT88TraditionalChinese, TMT20 and
// Generic58.
//
// # Code pages
//
// Printers do not understand UTF-8. Text is held per line until the line
// ends, then encoded:
//
//   - Each stretch of text goes out in the profile's code page that can
//     print the longest stretch from where it starts, with ESC t sent only
//     when the page changes; ESC @ forgets the page, so Init sends ESC t
//     again right after it. Swedish prints through CP858 (or CP1252),
//     Slovak through CP852 (or CP1250).
//   - Init also leaves Kanji (Chinese) mode with FS ., on every model:
//     printers with a GB18030 font, as most 58 mm ones have, start in it,
//     and would print code page letters from 0x80 up as Chinese.
//   - Romanian ș ț Ș Ț (comma below) are in none of the pages receipt
//     printers have; they print as ş ţ Ş Ţ (cedilla) from CP852/CP1250.
//   - Characters no page has, on a printer with Traditional Chinese
//     firmware (DoubleByte Big5Kanji), are sent as Big5 pairs in Kanji
//     mode, entered with FS & and left with FS . before code page text.
//     Only standard Big5 is sent, which the firmware has; characters only
//     Big5-HKSCS or the ETEN extensions have go the ways below. FS C is a
//     Japanese-model command and is never sent.
//   - Otherwise, when the Encoder has a Font, the whole line is drawn with
//     it and sent as a raster image (GS v 0), each character in the same
//     12x24 (or 24x24 for wide characters) cell Font A uses, so columns
//     stay aligned. A line wider than the paper goes on over a second
//     image rather than losing its end. OpenDefaultFont reads GNU Unifont from Debian's unifont
//     package at run time; nothing is embedded.
//   - Only when none of these can print a character does it come out as
//     '?', and Err reports ErrUnprintable.
//
// Text prints as Clean returns it: accents composed with their letters,
// tabs and line breaks as spaces, control characters and invisible
// characters (zero-width spaces, byte order marks, soft hyphens) dropped,
// so data (a product name, a customer name) can never inject printer
// commands nor take room it does not show.
//
// Encoder.Width reports the columns a string takes as that encoder prints
// it, which layouts need for fixed-width columns: wide East Asian
// characters take two, and so does every character sent in Big5 or drawn
// with a full-width glyph. The function Width measures without a
// printer, by Unicode's East Asian widths alone.
//
// # Real-time commands
//
// Printers obey DLE EOT (status), DLE ENQ (recover) and DLE DC4 (pulse,
// power off) wherever their bytes come in the stream, also inside the
// data of another command. The encoder never writes them there: a
// barcode's digit pair 16 before 04, 05 or 20 goes in code set B, QR data
// that would hold them is refused, a drawer pulse's off time that would
// is lengthened, and raster text cannot hold them, since its dots come in
// runs those bytes do not make. Image sends a caller's bitmap as it is.
//
// # Status
//
// StatusPoll asks for DLE EOT 1..4; ParseStatus turns the four reply bytes
// into a Status (online, cover open, paper near end, paper out, drawer
// open with configurable polarity, errors) and rejects malformed replies
// whole.
//
// # Concurrency
//
// An Encoder is a buffer for one job and must not be used by several
// goroutines at once; use one Encoder per job (Reset reuses one). Profiles
// are values. A Font is immutable once loaded and may be shared by any
// number of encoders. ParseStatus and the other functions are pure.
package escpos
