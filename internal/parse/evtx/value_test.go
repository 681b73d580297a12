package evtx

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
	"unicode/utf16"
)

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func le(v uint64, n int) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, v)
	return b[:n]
}

func TestAppendScalar(t *testing.T) {
	f := func(typ byte, in []byte, want string) {
		t.Helper()
		if got := string(appendScalar(nil, typ, in)); got != want {
			t.Errorf("type %#x % x: got %q, want %q", typ, in, got, want)
		}
	}
	f(typeNull, nil, "")
	f(typeString, utf16le("C:\\Windows\\cmd.exe "), "C:\\Windows\\cmd.exe ")
	f(typeString, utf16le("ab\x00cd"), "ab")
	f(typeString, utf16le("résumé ✓ 😀"), "résumé ✓ 😀")
	f(typeString, []byte{0x00, 0xd8, 'a', 0}, "\uFFFDa") // unpaired surrogate
	f(typeString, []byte{'a', 0, 'b'}, "a")              // odd trailing byte
	f(typeAnsiString, []byte("plain\x00junk"), "plain")
	f(typeAnsiString, []byte{'c', 0xe9}, "cé")
	f(typeInt8, []byte{0xff}, "-1")
	f(typeUint8, []byte{0xff}, "255")
	f(typeInt16, le(0xfffe, 2), "-2")
	f(typeUint16, le(4624, 2), "4624")
	f(typeInt32, le(0xffffffff, 4), "-1")
	f(typeUint32, le(4294967295, 4), "4294967295")
	f(typeInt64, le(math.MaxUint64, 8), "-1")
	f(typeUint64, le(math.MaxUint64, 8), "18446744073709551615")
	f(typeReal32, le(uint64(math.Float32bits(1.5)), 4), "1.5")
	f(typeReal64, le(math.Float64bits(-0.25), 8), "-0.25")
	f(typeBool, le(1, 4), "true")
	f(typeBool, le(0, 4), "false")
	f(typeBinary, []byte{0x00, 0xab, 0x7f}, "00AB7F")
	f(typeGUID, []byte{0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d}, "{54849625-5478-4994-A5BA-3E3B0328C30D}")
	f(typeGUID, []byte{1, 2, 3}, "010203") // wrong size: shown as binary
	f(typeSizeT, le(0x1000, 8), "0x1000")
	f(typeSizeT, le(0x10, 4), "0x10")
	f(typeHexInt32, le(0xc000006d, 4), "0xc000006d")
	f(typeHexInt32, le(0, 4), "0x0")
	f(typeHexInt64, le(0x8020000000000000, 8), "0x8020000000000000")
	f(typeHexInt64, le(0x3e7, 8), "0x3e7")
	// 2025-10-24T23:41:00.6015590Z as a FILETIME.
	ft := uint64(time.Date(2025, 10, 24, 23, 41, 0, 601559000, time.UTC).UnixNano()/100) + 116444736000000000
	f(typeFileTime, le(ft, 8), "2025-10-24T23:41:00.6015590Z")
	f(typeFileTime, le(0, 8), "1601-01-01T00:00:00.0000000Z")
	sys := []byte{}
	for _, v := range []uint16{2021, 3, 3, 10, 13, 56, 4, 828} {
		sys = binary.LittleEndian.AppendUint16(sys, v)
	}
	f(typeSysTime, sys, "2021-03-10T13:56:04.8280000Z")
	sid := []byte{1, 3, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0x56, 0xd6, 0x28, 0xfc, 0x57, 0x04, 0, 0}
	f(typeSID, sid, "S-1-5-21-4230534742-1111")
	f(typeSID, []byte{1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}, "S-1-5-18")
	f(typeSID, []byte{1, 0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06}, "S-1-0x010203040506")
	f(typeSID, []byte{1, 3, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}, "010300000000000512000000") // too short
	f(typeEvtHandle, le(0x20, 8), "0x20")
	f(typeEvtXML, utf16le("<a/>"), "<a/>")
	f(0x7f, []byte{1, 2}, "0102") // unknown type: hex
}

func TestEachItem(t *testing.T) {
	f := func(typ byte, in []byte, want ...string) {
		t.Helper()
		var got []string
		eachItem(typ, in, func(i int, item []byte) {
			if i != len(got) {
				t.Errorf("item index %d, want %d", i, len(got))
			}
			got = append(got, string(appendScalar(nil, typ&^typeArray, item)))
		})
		if len(got) != len(want) {
			t.Fatalf("type %#x: got %q, want %q", typ, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("type %#x item %d: got %q, want %q", typ, i, got[i], want[i])
			}
		}
	}
	f(typeArray|typeString, utf16le("a\x00bc\x00"), "a", "bc")
	f(typeArray|typeString, utf16le("a\x00\x00b"), "a", "", "b")
	f(typeArray|typeString, nil)
	f(typeArray|typeAnsiString, []byte("x\x00yz"), "x", "yz")
	f(typeArray|typeUint16, append(le(1, 2), le(65535, 2)...), "1", "65535")
	f(typeArray|typeHexInt64, append(le(0x10, 8), le(0xff, 8)...), "0x10", "0xff")
	f(typeArray|typeUint32, []byte{1, 2, 3}, "010203") // does not divide: one binary item
	f(typeArray|typeSID, []byte{1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 5, 19, 0, 0, 0}, "S-1-5-18", "S-1-5-19")
	f(typeArray|typeBool, append(le(1, 4), le(0, 4)...), "true", "false")
}

func TestParseSystemTime(t *testing.T) {
	f := func(in string, want time.Time, ok bool) {
		t.Helper()
		got, gotOK := parseSystemTime([]byte(in))
		if gotOK != ok || ok && !got.Equal(want) {
			t.Errorf("%q: got %v %v, want %v %v", in, got, gotOK, want, ok)
		}
	}
	base := time.Date(2025, 10, 24, 23, 41, 0, 0, time.UTC)
	f("2025-10-24T23:41:00.6015590Z", base.Add(601559000), true)
	f("2025-10-24T23:41:00.601559000Z", base.Add(601559000), true)
	f("2025-10-24T23:41:00.6Z", base.Add(600000000), true)
	f("2025-10-24T23:41:00Z", base, true)
	f("2025-10-24T23:41:00.000+02:00", base.Add(-2*time.Hour), true)
	f("2025-13-24T23:41:00Z", time.Time{}, false)
	f("yesterday", time.Time{}, false)
}

func TestParseInt(t *testing.T) {
	f := func(in string, want int64, ok bool) {
		t.Helper()
		got, gotOK := parseInt([]byte(in))
		if got != want || gotOK != ok {
			t.Errorf("%q: got %d %v, want %d %v", in, got, gotOK, want, ok)
		}
	}
	f("4624", 4624, true)
	f("-1", -1, true)
	f("0x3e7", 999, true)
	f("18446744073709551615", -1, true)
	f("", 0, false)
	f("-", 0, false)
	f("12a", 0, false)
	f("0xzz", 0, false)
}
