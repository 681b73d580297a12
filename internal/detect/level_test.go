package detect

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// The level of a rule's alert is what Config.AlertLevel makes of the rule's
// level and the event (the app raises it for critical assets), and the
// rule's own level without one.
func TestAlertLevelFromConfig(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "whoami.yml"), whoamiRule)
	for _, tc := range []struct {
		name  string
		level func(string, *event.Event) string
		want  string
	}{
		{"none", nil, "high"},
		{"raised on the event", func(l string, e *event.Event) string {
			if l == "high" && e.GetString("host.name") == "ws1" {
				return "critical"
			}
			return l
		}, "critical"},
	} {
		sink := &memSink{}
		eng, err := New(Config{Dirs: []string{dir}, AlertLevel: tc.level}, sink)
		if err != nil {
			t.Fatal(err)
		}
		if err := eng.Write(context.Background(), []*event.Event{sysmon1(`C:\Windows\System32\whoami.exe`)}); err != nil {
			t.Fatal(err)
		}
		if len(sink.alerts) != 1 || sink.alerts[0].Level != tc.want {
			t.Errorf("%s: alerts %+v, want one of level %s", tc.name, sink.alerts, tc.want)
		}
		_ = eng.Close()
	}
}
