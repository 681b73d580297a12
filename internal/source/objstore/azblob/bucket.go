package azblob

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/source/objstore"
)

// ReadRetries is how often the SDK's reader resumes a download whose
// connection broke, before the import counts a failed attempt.
const ReadRetries = 3

// Bucket is an objstore.Bucket over an Azure container and prefix. Keys
// are whole blob names, prefix included.
type Bucket struct {
	Client    *container.Client
	Container string
	Prefix    string
}

// Name implements objstore.Bucket.
func (b *Bucket) Name() string { return b.Container }

// List implements objstore.Bucket: every blob under the prefix (after is
// not used, see the package doc).
func (b *Bucket) List(ctx context.Context, _ string, fn func(objstore.Object) error) error {
	opts := &container.ListBlobsFlatOptions{}
	if b.Prefix != "" {
		opts.Prefix = &b.Prefix
	}
	p := b.Client.NewListBlobsFlatPager(opts)
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list container %s/%s: %w", b.Container, b.Prefix, err)
		}
		if page.Segment == nil {
			continue
		}
		for _, it := range page.Segment.BlobItems {
			if it == nil || it.Name == nil || it.Properties == nil {
				continue
			}
			o := objstore.Object{Key: *it.Name}
			if it.Properties.ContentLength != nil {
				o.Size = *it.Properties.ContentLength
			}
			if it.Properties.ETag != nil {
				o.ETag = strings.Trim(string(*it.Properties.ETag), `"`)
			}
			if it.Properties.LastModified != nil {
				o.Modified = *it.Properties.LastModified
			}
			if err := fn(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// Open implements objstore.Bucket with a download stream that resumes
// after broken connections.
func (b *Bucket) Open(ctx context.Context, o objstore.Object) (io.ReadCloser, error) {
	resp, err := b.Client.NewBlobClient(o.Key).DownloadStream(ctx, &blob.DownloadStreamOptions{})
	if err != nil {
		return nil, fmt.Errorf("download blob %s/%s: %w", b.Container, o.Key, err)
	}
	return resp.NewRetryReader(ctx, &blob.RetryReaderOptions{MaxRetries: ReadRetries}), nil
}

// Fields implements objstore.Bucket.
func (b *Bucket) Fields(o objstore.Object) []event.Field {
	return []event.Field{
		{Name: "azure.storage.container.name", Value: event.String(b.Container)},
		{Name: "azure.storage.blob.name", Value: event.String(o.Key)},
	}
}
