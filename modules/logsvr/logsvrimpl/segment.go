package logsvrimpl

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// Record layout of a segment file (little endian), header then data:
//
//	0  uint16 magic 0xB10C
//	2  uint8  kind (recData, recMarker, recHost, recFile)
//	3  uint8  reserved, 0
//	4  uint32 CRC-32C of header bytes 8..40 and the data
//	8  int64  host id
//	16 int32  execute count
//	20 int32  batch
//	24 int64  writer offset of the first data byte (recData)
//	32 uint32 data length
//	36 uint32 reserved, 0
const (
	recMagic      = 0xB10C
	recHeaderSize = 40
	maxRecordData = 64 << 20

	recData   = 1 // script output bytes
	recMarker = 2 // the truncation marker
	recHost   = 3 // the host's display name
	recFile   = 4 // a file log entry, JSON
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// record is one decoded segment record.
type record struct {
	kind   uint8
	host   int64
	exec   int32
	batch  int32
	offset int64
	data   []byte
}

// appendRecord encodes r onto buf. Signed fields are stored as their
// two's-complement bits, and scanSegment reads them back the same way.
//
//nolint:gosec // G115: see above; data is one output chunk or file log, far below maxRecordData
func appendRecord(buf []byte, r record) []byte {
	var h [recHeaderSize]byte
	binary.LittleEndian.PutUint16(h[0:], recMagic)
	h[2] = r.kind
	binary.LittleEndian.PutUint64(h[8:], uint64(r.host))
	binary.LittleEndian.PutUint32(h[16:], uint32(r.exec))
	binary.LittleEndian.PutUint32(h[20:], uint32(r.batch))
	binary.LittleEndian.PutUint64(h[24:], uint64(r.offset))
	binary.LittleEndian.PutUint32(h[32:], uint32(len(r.data)))
	crc := crc32.Update(crc32.Checksum(h[8:], castagnoli), castagnoli, r.data)
	binary.LittleEndian.PutUint32(h[4:], crc)
	buf = append(buf, h[:]...)
	return append(buf, r.data...)
}

// errTorn marks a record cut short or damaged: the tail after the last good
// record is dropped (a write that crashed before its fsync).
var errTorn = errors.New("torn segment record")

// scanSegment calls fn for every good record of f with the file offset of
// its data, and returns the length of the good prefix. A torn tail is
// reported with the good length and errTorn.
//
//nolint:gosec // G115: the two's-complement bits appendRecord wrote are read back as they were
func scanSegment(f *os.File, fn func(r record, dataAt int64) error) (int64, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("seek segment: %w", err)
	}
	br := bufio.NewReaderSize(f, 1<<20)
	var good int64
	var h [recHeaderSize]byte
	var data []byte
	for {
		if _, err := io.ReadFull(br, h[:]); err != nil {
			if err == io.EOF {
				return good, nil
			}
			return good, errTorn
		}
		n := binary.LittleEndian.Uint32(h[32:])
		if binary.LittleEndian.Uint16(h[0:]) != recMagic || n > maxRecordData {
			return good, errTorn
		}
		if cap(data) < int(n) {
			data = make([]byte, n)
		}
		data = data[:n]
		if _, err := io.ReadFull(br, data); err != nil {
			return good, errTorn
		}
		crc := crc32.Update(crc32.Checksum(h[8:], castagnoli), castagnoli, data)
		if crc != binary.LittleEndian.Uint32(h[4:]) {
			return good, errTorn
		}
		r := record{
			kind:   h[2],
			host:   int64(binary.LittleEndian.Uint64(h[8:])),
			exec:   int32(binary.LittleEndian.Uint32(h[16:])),
			batch:  int32(binary.LittleEndian.Uint32(h[20:])),
			offset: int64(binary.LittleEndian.Uint64(h[24:])),
			data:   data,
		}
		if err := fn(r, good+recHeaderSize); err != nil {
			return good, err
		}
		good += recHeaderSize + int64(n)
	}
}
