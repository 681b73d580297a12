package embedded

import (
	"bytes"
	"fmt"
	"sync"

	kzstd "github.com/klauspost/compress/zstd"
)

// Cold metas are written as a zstd frame of their JSON (meta version 4,
// docs/format/store.md): most of a meta is its bloom filters as base64,
// whose 6 bits per character zstd's entropy coder gets back, and the value
// counts' JSON, which repeats. On 200,000 events of the bench mix the
// metas took 7.3 bytes per event as JSON and 5.7 compressed, for ~1 ms of
// CPU per file. A meta that starts with '{' is plain JSON (versions 1–3)
// and is read as it is.

// maxMetaBytes bounds a meta's JSON once decompressed: a file of
// FileRows rows has ~10 B of meta per row (filters and counts); a frame
// claiming more is refused rather than allocated.
const maxMetaBytes = 256 << 20

// zstdMagic starts every zstd frame.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

var (
	metaCodecOnce sync.Once
	metaEncoder   *kzstd.Encoder
	metaDecoder   *kzstd.Decoder
)

func metaCodec() (*kzstd.Encoder, *kzstd.Decoder) {
	metaCodecOnce.Do(func() {
		var err error
		metaEncoder, err = kzstd.NewWriter(nil, kzstd.WithEncoderConcurrency(1), kzstd.WithEncoderLevel(kzstd.SpeedDefault),
			kzstd.WithEncoderCRC(true))
		if err != nil {
			panic("bug: zstd options: " + err.Error())
		}
		metaDecoder, err = kzstd.NewReader(nil, kzstd.WithDecoderConcurrency(1), kzstd.WithDecoderMaxMemory(maxMetaBytes))
		if err != nil {
			panic("bug: zstd options: " + err.Error())
		}
	})
	return metaEncoder, metaDecoder
}

// compressMeta is a meta's JSON as written to disk.
func compressMeta(js []byte) []byte {
	enc, _ := metaCodec()
	return enc.EncodeAll(js, make([]byte, 0, len(js)/2))
}

// decompressMeta is the JSON of a meta's bytes on disk: as they are when
// they are not a zstd frame.
func decompressMeta(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, zstdMagic) {
		return b, nil
	}
	_, dec := metaCodec()
	js, err := dec.DecodeAll(b, nil)
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	return js, nil
}
