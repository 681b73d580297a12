package s3

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/source/objstore"
)

// Bucket is an objstore.Bucket over an S3 bucket and prefix. Keys are
// whole S3 keys, prefix included.
type Bucket struct {
	Client *awss3.Client
	Bucket string
	Prefix string
}

// Name implements objstore.Bucket.
func (b *Bucket) Name() string { return b.Bucket }

// List implements objstore.Bucket with ListObjectsV2, from StartAfter when
// after is set. "Folder" placeholder keys (ending in '/', empty) are left
// out.
func (b *Bucket) List(ctx context.Context, after string, fn func(objstore.Object) error) error {
	in := &awss3.ListObjectsV2Input{Bucket: aws.String(b.Bucket)}
	if b.Prefix != "" {
		in.Prefix = aws.String(b.Prefix)
	}
	if after != "" {
		in.StartAfter = aws.String(after)
	}
	p := awss3.NewListObjectsV2Paginator(b.Client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", b.Bucket, b.Prefix, err)
		}
		for _, o := range page.Contents {
			key, size := aws.ToString(o.Key), aws.ToInt64(o.Size)
			if strings.HasSuffix(key, "/") && size == 0 {
				continue
			}
			if err := fn(objstore.Object{Key: key, Size: size, ETag: strings.Trim(aws.ToString(o.ETag), `"`),
				Modified: aws.ToTime(o.LastModified)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Open implements objstore.Bucket with GetObject.
func (b *Bucket) Open(ctx context.Context, o objstore.Object) (io.ReadCloser, error) {
	out, err := b.Client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b.Bucket), Key: aws.String(o.Key)})
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", b.Bucket, o.Key, err)
	}
	return out.Body, nil
}

// Fields implements objstore.Bucket.
func (b *Bucket) Fields(o objstore.Object) []event.Field {
	return []event.Field{
		{Name: "aws.s3.bucket.name", Value: event.String(b.Bucket)},
		{Name: "aws.s3.object.key", Value: event.String(o.Key)},
	}
}
