package embedded

import (
	"sync"

	kzstd "github.com/klauspost/compress/zstd"
	pzstd "github.com/parquet-go/parquet-go/compress/zstd"
)

// pageCodec is parquet-go's zstd codec with the encoder's window cut to
// the largest page the direct writer makes (coldMaxPageBytes). Each page is
// compressed on its own, so a longer window finds nothing more, but
// parquet-go's codec keeps zstd's default of 8 MiB, and an encoder at
// SpeedBetterCompression (level 9) then holds a 16 MiB history: the
// encoders of one freeze were 100 MB of the live heap at the peak of a
// 1M-event `vigil bench`. Reading is parquet-go's.
type pageCodec struct {
	pzstd.Codec
	encoders sync.Pool
}

func newPageCodec(level kzstd.EncoderLevel) *pageCodec {
	c := &pageCodec{Codec: pzstd.Codec{Level: level, Concurrency: 1}}
	c.encoders.New = func() any {
		e, err := kzstd.NewWriter(nil,
			kzstd.WithEncoderConcurrency(1),
			kzstd.WithEncoderLevel(level),
			kzstd.WithWindowSize(coldMaxPageBytes),
			kzstd.WithZeroFrames(true),
			kzstd.WithEncoderCRC(false),
		)
		if err != nil {
			panic("bug: zstd options: " + err.Error())
		}
		return e
	}
	return c
}

// Encode implements parquet-go's compress.Codec.
func (c *pageCodec) Encode(dst, src []byte) ([]byte, error) {
	e := c.encoders.Get().(*kzstd.Encoder)
	defer c.encoders.Put(e)
	return e.EncodeAll(src, dst[:0]), nil
}
