package sqlite

import (
	"encoding/binary"
	"errors"
	"hash/maphash"
	"unsafe"
)

// offMap maps string keys to byte values and keeps both, and its table,
// outside the Go heap (see offHeap). Entries are appended to fixed-size
// chunks; a replaced or deleted entry is dead space until the map
// compacts itself, which it does once dead space outweighs live. It is
// not safe for concurrent use.
type offMap struct {
	seed   maphash.Seed
	slots  []uint64 // open addressing, linear probing; 0 is empty, else tag<<48 | ref+1
	table  []byte   // the memory behind slots
	chunks [][]byte // entries: uvarint key length, uvarint value length, key, value
	used   int      // bytes used of the last chunk
	n      int      // entries held
	live   int      // bytes of the entries held
	dead   int      // bytes of entries replaced or deleted since the last compaction
}

const (
	chunkBits = 18
	chunkSize = 1 << chunkBits // bytes of a chunk, and the most an entry can take
	minSlots  = 512            // one page of slots
	refMask   = 1<<48 - 1
)

// offHeap gets memory outside the Go heap (mapOffHeap).
var offHeap = mapOffHeap

// errEntryTooLarge reports an entry that does not fit in a chunk.
var errEntryTooLarge = errors.New("sqlite: catalog index entry too large")

func newOffMap(seed maphash.Seed) offMap { return offMap{seed: seed} }

func (m *offMap) hash(key []byte) uint64 { return maphash.Bytes(m.seed, key) }

// entry returns the key and value at ref. They are off the heap: copy
// what must outlive the next change to the map.
func (m *offMap) entry(ref uint64) (key, val []byte) {
	b := m.chunks[ref>>chunkBits][ref&(chunkSize-1):]
	kl, n := binary.Uvarint(b)
	b = b[n:]
	vl, n := binary.Uvarint(b)
	b = b[n:]
	return b[:kl:kl], b[kl : kl+vl : kl+vl]
}

func entrySize(kl, vl int) int {
	return uvarintLen(uint64(kl)) + uvarintLen(uint64(vl)) + kl + vl
}

func uvarintLen(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

func (m *offMap) sizeAt(ref uint64) int {
	k, v := m.entry(ref)
	return entrySize(len(k), len(v))
}

// find returns the slot of key, whose hash is h, and whether it is held
// there; if not, the slot is the empty one where it would go.
func (m *offMap) find(h uint64, key string) (int, bool) {
	mask := uint64(len(m.slots) - 1)
	tag := h >> 48
	for i := (h >> 16) & mask; ; i = (i + 1) & mask {
		s := m.slots[i]
		if s == 0 {
			return int(i), false
		}
		if s>>48 == tag {
			if k, _ := m.entry(s&refMask - 1); string(k) == key {
				return int(i), true
			}
		}
	}
}

// get returns the value of key, whose hash is h. The value is off the
// heap: copy it before the map changes.
func (m *offMap) get(h uint64, key string) ([]byte, bool) {
	if m.n == 0 {
		return nil, false
	}
	i, ok := m.find(h, key)
	if !ok {
		return nil, false
	}
	_, v := m.entry(m.slots[i]&refMask - 1)
	return v, true
}

// put sets the value of key, whose hash is h. After an error (no memory,
// an entry too large) the map is as it was.
func (m *offMap) put(h uint64, key string, val []byte) error {
	size := entrySize(len(key), len(val))
	if size > chunkSize {
		return errEntryTooLarge
	}
	if (m.n+1)*4 > len(m.slots)*3 {
		if err := m.resize(max(minSlots, 2*len(m.slots))); err != nil {
			return err
		}
	}
	ref, err := m.append(bytesOf(key), val, size)
	if err != nil {
		return err
	}
	i, ok := m.find(h, key)
	if ok {
		old := m.sizeAt(m.slots[i]&refMask - 1)
		m.live -= old
		m.dead += old
	} else {
		m.n++
	}
	m.slots[i] = h>>48<<48 | (ref + 1)
	m.live += size
	m.compactIfWorthIt()
	return nil
}

// del removes key, whose hash is h, if it is held.
func (m *offMap) del(h uint64, key string) {
	if m.n == 0 {
		return
	}
	i, ok := m.find(h, key)
	if !ok {
		return
	}
	old := m.sizeAt(m.slots[i]&refMask - 1)
	m.live -= old
	m.dead += old
	m.n--
	// Move later entries of the probe run back so that no search stops
	// early at the hole.
	mask := len(m.slots) - 1
	for j := (i + 1) & mask; m.slots[j] != 0; j = (j + 1) & mask {
		k, _ := m.entry(m.slots[j]&refMask - 1)
		home := int(m.hash(k)>>16) & mask
		// The entry at j stays unless its home lies cyclically outside (i, j].
		if (i < j && (home <= i || home > j)) || (i > j && home <= i && home > j) {
			m.slots[i] = m.slots[j]
			i = j
		}
	}
	m.slots[i] = 0
	m.compactIfWorthIt()
}

// append copies an entry of size bytes into the chunks and returns its
// reference.
func (m *offMap) append(key, val []byte, size int) (uint64, error) {
	if len(m.chunks) == 0 || m.used+size > chunkSize {
		c, err := offHeap(chunkSize)
		if err != nil {
			return 0, err
		}
		m.chunks = append(m.chunks, c)
		m.used = 0
	}
	ref := uint64(len(m.chunks)-1)<<chunkBits | uint64(m.used)
	b := binary.AppendUvarint(m.chunks[len(m.chunks)-1][:m.used], uint64(len(key)))
	b = binary.AppendUvarint(b, uint64(len(val)))
	b = append(b, key...)
	b = append(b, val...)
	m.used = len(b)
	return ref, nil
}

// resize moves the slots to a table of n slots, n a power of two.
func (m *offMap) resize(n int) error {
	mem, err := offHeap(n * 8)
	if err != nil {
		return err
	}
	slots := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(mem))), n)
	mask := uint64(n - 1)
	for _, s := range m.slots {
		if s == 0 {
			continue
		}
		k, _ := m.entry(s&refMask - 1)
		i := (m.hash(k) >> 16) & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = s
	}
	freeOffHeap(m.table)
	m.table, m.slots = mem, slots
	return nil
}

// compactIfWorthIt copies the live entries to new chunks once dead space
// is more than a chunk and more than the live entries take. If memory for
// the copy cannot be had, the map stays as it was, dead space and all.
func (m *offMap) compactIfWorthIt() {
	if m.dead <= chunkSize || m.dead <= m.live {
		return
	}
	old := *m
	m.chunks, m.used = nil, 0
	refs := make([]uint64, len(m.slots))
	for i, s := range m.slots {
		if s == 0 {
			continue
		}
		k, v := old.entry(s&refMask - 1)
		ref, err := m.append(k, v, entrySize(len(k), len(v)))
		if err != nil {
			for _, c := range m.chunks {
				freeOffHeap(c)
			}
			m.chunks, m.used = old.chunks, old.used
			return
		}
		refs[i] = ref
	}
	for i, s := range m.slots {
		if s != 0 {
			m.slots[i] = s&^refMask | (refs[i] + 1)
		}
	}
	for _, c := range old.chunks {
		freeOffHeap(c)
	}
	m.dead = 0
}

// bytes reports the memory the map holds.
func (m *offMap) bytes() int { return len(m.chunks)*chunkSize + len(m.table) }

// free gives all memory back; the map is empty afterwards.
func (m *offMap) free() {
	for _, c := range m.chunks {
		freeOffHeap(c)
	}
	freeOffHeap(m.table)
	*m = offMap{seed: m.seed}
}
