package shard

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
)

// Router produces hits to the hit topic, one record per (hit, correlation
// it feeds), keyed by (tenant, correlation, group).
type Router struct {
	cl    *kgo.Client
	topic string
	set   *correlate.Set
	buf   []byte
	recs  []*kgo.Record
}

// NewRouter returns a router producing to topic through cl, which must
// partition records by their key with Kafka's murmur2 hash (kgo's default
// partitioner, or StickyKeyPartitioner(nil)) and should keep acks=all.
func NewRouter(cl *kgo.Client, topic string, set *correlate.Set) (*Router, error) {
	return &Router{cl: cl, topic: topic, set: set}, nil
}

// SetRules switches the router to a new generation of the rules (a
// reload); like Route, it is not safe for concurrent use.
func (r *Router) SetRules(set *correlate.Set) error {
	r.set = set
	return nil
}

// Route produces the records of hits and waits for the brokers to
// acknowledge them: when it returns nil, the hits are in the bus and the
// caller may acknowledge their events upstream. It returns the number of
// records produced. Hits lacking a correlation's group-by fields are not
// routed to it. Route is not safe for concurrent use.
//
// When Route fails, some of the records may be in the bus already:
// producing the hits again (the caller's retry, or the replay of the
// events after a crash) counts those twice, unless cl is a Consumer's
// transactional client and Route runs in its Process: the transaction
// then aborts, and the hits of the batch are produced once
// (docs/correlation.md, "Sharded by key").
func (r *Router) Route(ctx context.Context, hits []correlate.Hit) (int, error) {
	r.recs = r.recs[:0]
	for i := range hits {
		h := &hits[i]
		r.buf = r.set.Route(h, r.buf, func(c *correlate.Corr, group []byte) {
			rec := &kgo.Record{Topic: r.topic,
				Key:   appendKey(nil, h.Tenant, c.Key, group),
				Value: appendHit(nil, c.Key, h)}
			r.recs = append(r.recs, rec)
		})
	}
	if len(r.recs) == 0 {
		return 0, nil
	}
	if err := r.cl.ProduceSync(ctx, r.recs...).FirstErr(); err != nil {
		return 0, fmt.Errorf("produce correlation hits: %w", err)
	}
	return len(r.recs), nil
}
