package embedded

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/parquet-go/parquet-go"
)

// pageCursor reads the pages of one column chunk that hold given rows,
// ascending: it seeks to the page of a row through the chunk's offset
// index, or reads on from the page before where the chunk has none, and
// reads each page once. readChunkRows (a hit's values by place) and
// scanChunkText (a rare term's texts) share it.
type pageCursor struct {
	pages parquet.Pages
	oi    parquet.OffsetIndex // nil: none, read on
	page  parquet.Page        // the page read last
	first int64               // its first row
	rows  int64               // its rows; -1: none read yet
}

func newPageCursor(cc parquet.ColumnChunk) *pageCursor {
	c := &pageCursor{pages: cc.Pages(), rows: -1}
	if oi, _ := cc.OffsetIndex(); oi != nil && oi.NumPages() > 0 {
		c.oi = oi
	}
	return c
}

// close releases the last page and the chunk's pages.
func (c *pageCursor) close() {
	if c.page != nil {
		parquet.Release(c.page)
		c.page = nil
	}
	c.pages.Close()
}

func (c *pageCursor) readPage() error {
	p, err := c.pages.ReadPage()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if c.page != nil {
		parquet.Release(c.page) // its values are converted: reuse its buffers
	}
	c.page, c.rows = p, p.NumRows()
	return nil
}

// seek makes c.page the page that holds row r (a row group row, not before
// the rows sought earlier).
func (c *pageCursor) seek(r int64) error {
	if c.rows >= 0 && r < c.first+c.rows {
		return nil
	}
	if c.oi != nil {
		pg := sort.Search(c.oi.NumPages(), func(k int) bool { return c.oi.FirstRowIndex(k) > r }) - 1
		if pg < 0 {
			return fmt.Errorf("row %d before the first page", r)
		}
		c.first = c.oi.FirstRowIndex(pg)
		if err := c.pages.SeekToRow(c.first); err != nil {
			return err
		}
		if err := c.readPage(); err != nil {
			return err
		}
	} else {
		if c.rows < 0 {
			c.first, c.rows = 0, 0
		}
		for r >= c.first+c.rows {
			c.first += c.rows
			if err := c.readPage(); err != nil {
				return err
			}
		}
	}
	if r >= c.first+c.rows {
		return fmt.Errorf("row %d not in the page of rows [%d, %d)", r, c.first, c.first+c.rows)
	}
	return nil
}

// pageValues reads all the values of pg (a page or a slice of one) into
// buf, grown as needed.
func pageValues(pg parquet.Page, buf []parquet.Value) ([]parquet.Value, error) {
	nv := int(pg.NumValues())
	buf = slices.Grow(buf[:0], nv)[:nv]
	vr := pg.Values()
	for got := 0; got < nv; {
		k, err := vr.ReadValues(buf[got:])
		got += k
		if got < nv && (err != nil || k == 0) {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
	}
	return buf, nil
}
