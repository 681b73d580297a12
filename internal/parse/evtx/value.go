package evtx

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
)

// BinXML value types ([MS-EVEN6] 2.2.18; libevtx "Value types"). An array of
// a type has the 0x80 bit set.
const (
	typeNull       = 0x00
	typeString     = 0x01 // UTF-16LE
	typeAnsiString = 0x02
	typeInt8       = 0x03
	typeUint8      = 0x04
	typeInt16      = 0x05
	typeUint16     = 0x06
	typeInt32      = 0x07
	typeUint32     = 0x08
	typeInt64      = 0x09
	typeUint64     = 0x0a
	typeReal32     = 0x0b
	typeReal64     = 0x0c
	typeBool       = 0x0d
	typeBinary     = 0x0e
	typeGUID       = 0x0f
	typeSizeT      = 0x10
	typeFileTime   = 0x11
	typeSysTime    = 0x12
	typeSID        = 0x13
	typeHexInt32   = 0x14
	typeHexInt64   = 0x15
	typeEvtHandle  = 0x20
	typeBinXML     = 0x21
	typeEvtXML     = 0x23
	typeArray      = 0x80
)

// filetimeEpoch is 1601-01-01 in Unix seconds; FILETIME counts 100 ns
// intervals from it.
const filetimeEpoch = -11644473600

// filetimeToTime converts a FILETIME to a UTC time.
func filetimeToTime(ft uint64) time.Time {
	sec := int64(ft / 1e7)
	ns := int64(ft%1e7) * 100
	return time.Unix(sec+filetimeEpoch, ns).UTC()
}

// itemSize is the size of one element of a fixed-size array type, 0 for
// variable-size types.
func itemSize(t byte, total int) int {
	switch t {
	case typeInt8, typeUint8:
		return 1
	case typeInt16, typeUint16:
		return 2
	case typeInt32, typeUint32, typeReal32, typeBool, typeHexInt32:
		return 4
	case typeInt64, typeUint64, typeReal64, typeFileTime, typeHexInt64:
		return 8
	case typeGUID, typeSysTime:
		return 16
	case typeSizeT:
		// The width of size_t is that of the writer; 64-bit unless the
		// array only divides into 32-bit items.
		if total%8 == 0 {
			return 8
		}
		return 4
	}
	return 0
}

// appendScalar appends the text Windows shows for a scalar value of type t
// (the XML rendering, unescaped). Values whose size does not fit their type
// are shown as uppercase hex of their bytes rather than guessed at.
func appendScalar(dst []byte, t byte, b []byte) []byte {
	switch t {
	case typeNull:
		return dst
	case typeString:
		return appendUTF16(dst, b)
	case typeAnsiString:
		return appendLatin1(dst, b)
	case typeInt8:
		if len(b) == 1 {
			return strconv.AppendInt(dst, int64(int8(b[0])), 10)
		}
	case typeUint8:
		if len(b) == 1 {
			return strconv.AppendUint(dst, uint64(b[0]), 10)
		}
	case typeInt16:
		if len(b) == 2 {
			return strconv.AppendInt(dst, int64(int16(binary.LittleEndian.Uint16(b))), 10)
		}
	case typeUint16:
		if len(b) == 2 {
			return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b)), 10)
		}
	case typeInt32:
		if len(b) == 4 {
			return strconv.AppendInt(dst, int64(int32(binary.LittleEndian.Uint32(b))), 10)
		}
	case typeUint32:
		if len(b) == 4 {
			return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b)), 10)
		}
	case typeInt64:
		if len(b) == 8 {
			return strconv.AppendInt(dst, int64(binary.LittleEndian.Uint64(b)), 10)
		}
	case typeUint64:
		if len(b) == 8 {
			return strconv.AppendUint(dst, binary.LittleEndian.Uint64(b), 10)
		}
	case typeReal32:
		if len(b) == 4 {
			return strconv.AppendFloat(dst, float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), 'g', -1, 32)
		}
	case typeReal64:
		if len(b) == 8 {
			return strconv.AppendFloat(dst, math.Float64frombits(binary.LittleEndian.Uint64(b)), 'g', -1, 64)
		}
	case typeBool:
		if v, ok := leUint(b); ok {
			return strconv.AppendBool(dst, v != 0)
		}
	case typeGUID:
		if len(b) == 16 {
			return appendGUID(dst, b)
		}
	case typeSizeT, typeHexInt32, typeHexInt64, typeEvtHandle:
		if v, ok := leUint(b); ok && (len(b) == 4 || len(b) == 8) {
			return appendHex(dst, v)
		}
	case typeFileTime:
		if len(b) == 8 {
			return appendTime7(dst, filetimeToTime(binary.LittleEndian.Uint64(b)))
		}
	case typeSysTime:
		if len(b) == 16 {
			return appendSystemTime(dst, b)
		}
	case typeSID:
		if s, ok := appendSID(dst, b); ok {
			return s
		}
	case typeEvtXML:
		return appendUTF16(dst, b)
	}
	return appendHexBytes(dst, b)
}

// leUint reads a 1, 2, 4 or 8 byte little-endian unsigned integer.
func leUint(b []byte) (uint64, bool) {
	switch len(b) {
	case 1:
		return uint64(b[0]), true
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), true
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), true
	case 8:
		return binary.LittleEndian.Uint64(b), true
	}
	return 0, false
}

const hexUpper = "0123456789ABCDEF"
const hexLower = "0123456789abcdef"

// appendHex appends v as Windows renders hex integers: 0x and lowercase
// digits without padding (0x8020000000000000, 0x3e7).
func appendHex(dst []byte, v uint64) []byte {
	dst = append(dst, '0', 'x')
	if v == 0 {
		return append(dst, '0')
	}
	var buf [16]byte
	i := len(buf)
	for v != 0 {
		i--
		buf[i] = hexLower[v&0xf]
		v >>= 4
	}
	return append(dst, buf[i:]...)
}

// appendHexBytes appends b as uppercase hex, the rendering of binary data.
func appendHexBytes(dst []byte, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexUpper[c>>4], hexUpper[c&0xf])
	}
	return dst
}

// appendGUID appends a GUID as {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}; the
// first three groups are little-endian in the file.
func appendGUID(dst []byte, b []byte) []byte {
	dst = append(dst, '{')
	for _, i := range [...]int{3, 2, 1, 0} {
		dst = append(dst, hexUpper[b[i]>>4], hexUpper[b[i]&0xf])
	}
	dst = append(dst, '-', hexUpper[b[5]>>4], hexUpper[b[5]&0xf], hexUpper[b[4]>>4], hexUpper[b[4]&0xf])
	dst = append(dst, '-', hexUpper[b[7]>>4], hexUpper[b[7]&0xf], hexUpper[b[6]>>4], hexUpper[b[6]&0xf])
	dst = append(dst, '-', hexUpper[b[8]>>4], hexUpper[b[8]&0xf], hexUpper[b[9]>>4], hexUpper[b[9]&0xf], '-')
	for _, c := range b[10:16] {
		dst = append(dst, hexUpper[c>>4], hexUpper[c&0xf])
	}
	return append(dst, '}')
}

// appendSID appends a security identifier in its S-R-A-S1-…-Sn form. The
// authority is decimal below 2^32 and hex above, as ConvertSidToStringSid
// writes it.
func appendSID(dst []byte, b []byte) ([]byte, bool) {
	if len(b) < 8 {
		return dst, false
	}
	n := int(b[1])
	if len(b) < 8+4*n {
		return dst, false
	}
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	dst = append(dst, 'S', '-')
	dst = strconv.AppendUint(dst, uint64(b[0]), 10)
	dst = append(dst, '-')
	if auth >= 1<<32 {
		dst = append(dst, '0', 'x')
		for i := 2; i < 8; i++ {
			dst = append(dst, hexUpper[b[i]>>4], hexUpper[b[i]&0xf])
		}
	} else {
		dst = strconv.AppendUint(dst, auth, 10)
	}
	for i := 0; i < n; i++ {
		dst = append(dst, '-')
		dst = strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10)
	}
	return dst, true
}

// sidSize returns the size of the SID at the start of b, or 0.
func sidSize(b []byte) int {
	if len(b) < 8 {
		return 0
	}
	n := 8 + 4*int(b[1])
	if n > len(b) {
		return 0
	}
	return n
}

// appendTime7 appends t as RFC 3339 in UTC with seven fraction digits, the
// form of the SystemTime attribute in Windows' XML
// (2025-10-24T23:41:00.6015590Z).
func appendTime7(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	return appendDateTime(dst, year, int(month), day, hour, min, sec, t.Nanosecond()/100)
}

// appendSystemTime appends a SYSTEMTIME (year, month, weekday, day, hour,
// minute, second, millisecond as 16-bit fields) like appendTime7.
func appendSystemTime(dst []byte, b []byte) []byte {
	f := func(i int) int { return int(binary.LittleEndian.Uint16(b[2*i:])) }
	return appendDateTime(dst, f(0), f(1), f(3), f(4), f(5), f(6), f(7)*10000)
}

func appendDateTime(dst []byte, year, month, day, hour, min, sec, frac7 int) []byte {
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, month, 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, min, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, sec, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, frac7, 7)
	return append(dst, 'Z')
}

// appendDigits appends v zero-padded to width digits (more if v needs them).
func appendDigits(dst []byte, v, width int) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var buf [20]byte
	i := len(buf)
	for v > 0 || len(buf)-i < width {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[i:]...)
}
