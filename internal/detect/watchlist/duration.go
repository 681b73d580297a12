package watchlist

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
)

// Duration is a TTL in JSON: written as Go duration text ("24h0m0s"),
// read from that, from a Sigma timespan ("7d") or from a number of
// seconds.
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err := json.Unmarshal(b, &secs); err != nil {
			return fmt.Errorf("ttl: want a duration such as \"12h\" or a number of seconds")
		}
		if secs < 0 {
			return fmt.Errorf("ttl: negative")
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := sigma.ParseTTL(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
