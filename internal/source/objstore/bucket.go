package objstore

import (
	"context"
	"io"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Object is one object of a listing: a file, an S3 object, a blob.
type Object struct {
	// Key names the object under the bucket's prefix or folder: the S3
	// key, the blob name, or the slash-separated path relative to the
	// folder.
	Key string
	// Size is its length in bytes.
	Size int64
	// ETag changes whenever the content changes: the store's entity tag,
	// or for a file its modification time and size.
	ETag string
	// Modified is its last modification time.
	Modified time.Time
}

// Bucket is the storage an import reads: a folder, an S3 bucket and
// prefix, an Azure container and prefix. Implementations are used from one
// goroutine at a time.
type Bucket interface {
	// Name identifies the bucket in record positions (and so in event
	// ids) and logs: the bucket or container name, or the folder's path.
	Name() string
	// List calls fn for the objects of the bucket, in any order. With a
	// non-empty after, it needs only return the objects whose keys sort
	// after it (S3's start-after); it may return others too. An error of
	// fn ends the listing and is returned.
	List(ctx context.Context, after string, fn func(Object) error) error
	// Open returns the object's content from its first byte.
	Open(ctx context.Context, o Object) (io.ReadCloser, error)
	// Fields returns the fields every event of the object gets
	// (log.file.path, aws.s3.object.key, …). The caller does not modify
	// the slice.
	Fields(o Object) []event.Field
}

// Finisher is a Bucket that acts on an object once it is imported (a
// folder that moves or deletes imported files). Finish is called after the
// import is recorded in the state file, and again after a restart when it
// did not complete.
type Finisher interface {
	Finish(ctx context.Context, o Object) error
}
