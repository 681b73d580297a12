package config

import (
	"fmt"
	"sync"

	"gopkg.in/yaml.v3"
)

// Bus connects the roles of a distributed deployment (docs/configuration.md
// "bus"): ingest nodes publish events to it, detect nodes consume them and
// publish alerts, store nodes consume both. Unset (the default), a node
// runs its roles in one process, as `vigil serve` always did.
type Bus struct {
	// Kafka is the Kafka bus (internal/bus): brokers, TLS and SASL as the
	// Kafka source and output have them, and the topic prefix.
	Kafka BusKafka `yaml:"kafka"`
}

// On reports whether a bus is configured.
func (b Bus) On() bool { return b.Kafka.BusConfig != nil }

// BusConfig is the configuration of a bus kind. The bus package defines it
// (it holds the Kafka connection settings, which live above this package)
// and registers it with RegisterBus.
type BusConfig interface {
	// Validate checks the settings and fills defaults.
	Validate() error
	// Prefix is the topic prefix (topics <prefix>.events, <prefix>.alerts).
	Prefix() string
}

var (
	busMu    sync.RWMutex
	busKinds = map[string]func() BusConfig{}
)

// RegisterBus makes a bus kind ("kafka") known to the configuration. It is
// called from the init function of the bus package.
func RegisterBus(kind string, newConfig func() BusConfig) {
	busMu.Lock()
	defer busMu.Unlock()
	if _, dup := busKinds[kind]; dup {
		panic("config: bus kind registered twice: " + kind)
	}
	busKinds[kind] = newConfig
}

// BusKafka is the bus.kafka section, decoded into the registered type.
type BusKafka struct {
	BusConfig
}

// UnmarshalYAML decodes the section into the registered kafka bus type,
// rejecting unknown keys.
func (k *BusKafka) UnmarshalYAML(n *yaml.Node) error {
	busMu.RLock()
	newConfig, ok := busKinds["kafka"]
	busMu.RUnlock()
	if !ok {
		return fmt.Errorf("line %d: bus.kafka: this build has no Kafka bus", n.Line)
	}
	c := newConfig()
	if err := decodeStrict(n, c); err != nil {
		return fmt.Errorf("line %d: bus.kafka: %w", n.Line, err)
	}
	k.BusConfig = c
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (k BusKafka) MarshalYAML() (any, error) { return k.BusConfig, nil }

// validate checks the bus settings.
func (b *Bus) validate() error {
	if b.Kafka.BusConfig == nil {
		return nil
	}
	if err := b.Kafka.Validate(); err != nil {
		return fmt.Errorf("bus.kafka: %w", err)
	}
	return nil
}
