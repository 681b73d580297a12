package all

import (
	"slices"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/parse"
)

func TestEverySourceTypeRegistered(t *testing.T) {
	got := config.SourceTypes()
	for _, want := range []string{"evtx", "file", "import_azblob", "import_folder", "import_s3", "kafka", "nats", "netflow", "syslog"} {
		if !slices.Contains(got, want) {
			t.Errorf("source type %s not registered: %v", want, got)
		}
	}
}

// The bus sources declare that they run on every role; the others run on
// ingest nodes only.
func TestBusSourcesDeclareIt(t *testing.T) {
	cfg, err := config.Parse([]byte(`sources:
  - {name: k, type: kafka, brokers: ['127.0.0.1:9092'], topics: [t]}
  - {name: n, type: nats, url: 'nats://127.0.0.1:4222', stream: s, subject: s.x}
  - {name: f, type: file, paths: ['/var/log/x.log']}
  - {name: s, type: syslog}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range cfg.Sources {
		if got, want := config.ReadsBus(s.SourceConfig), s.Common().Type == "kafka" || s.Common().Type == "nats"; got != want {
			t.Errorf("ReadsBus(%s) = %v, want %v", s.Common().Type, got, want)
		}
	}
}

// netflow's batch format is built like any other but is not one a user may
// configure.
func TestNetflowFormatIsInternal(t *testing.T) {
	if _, err := parse.New("netflow", parse.Options{}); err != nil {
		t.Errorf("netflow parser: %v", err)
	}
	if parse.Check("netflow") == nil || slices.Contains(parse.Names(), "netflow") {
		t.Error("netflow is offered as a configurable format")
	}
}
