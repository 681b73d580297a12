package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options configure a run.
type Options struct {
	// Bin is the vigil binary to run as the server.
	Bin string
	// Events to send. Default 10,000,000.
	Events int
	// Conns is the number of TCP connections sending. Default 4.
	Conns int
	// Dir holds the server's data; "" makes a temporary one, removed after.
	Dir string
	// Repeat runs each query this many times and reports the median. Default 5.
	Repeat int
	// Day the events are spread over. Default: yesterday (UTC).
	Day time.Time
	// ServerArgs are extra arguments for `vigil serve`.
	ServerArgs []string
	// DeferFreeze keeps everything hot while events arrive (the server gets
	// a config with a huge hot_bytes and hot_age), so the ingest figures
	// measure the write path alone and the freeze is measured on its own.
	DeferFreeze bool
	// Queries to run; nil: all of Queries().
	Queries []Query
	// Log receives progress lines.
	Log io.Writer
}

// QueryResult is one query's timings.
type QueryResult struct {
	Name   string  `json:"name"`
	Query  string  `json:"query"`
	Rows   int     `json:"rows"`
	Total  int64   `json:"total"`
	Median float64 `json:"median_ms"`
	Min    float64 `json:"min_ms"`
	Max    float64 `json:"max_ms"`
	// Answer is the number compared between systems (Query.Vigil, Query.Peer).
	Answer int64 `json:"answer"`
}

// Report is what a run measured.
type Report struct {
	// System is "vigil" or the peer's name.
	System           string  `json:"system"`
	Events           int     `json:"events"`
	Stored           int64   `json:"stored"`
	DeadLettered     int64   `json:"dead_lettered"`
	BytesSent        int64   `json:"bytes_sent"`
	IngestSeconds    float64 `json:"ingest_seconds"`
	EventsPerSecond  float64 `json:"events_per_second"`
	ServerCPUSeconds float64 `json:"server_cpu_seconds"`
	CPUSecondsPerM   float64 `json:"cpu_seconds_per_million"`
	EventsPerCPUSec  float64 `json:"events_per_cpu_second"`
	FreezeSeconds    float64 `json:"freeze_seconds"`
	FreezeCPUSeconds float64 `json:"freeze_cpu_seconds"`
	// EndToEndEventsPerCPUSec counts the CPU until the data is in its final
	// form: Vigil's ingest and freeze, a peer's ingest and flush.
	EndToEndEventsPerCPUSec float64 `json:"end_to_end_events_per_cpu_second"`
	HotBytesPerEvent        float64 `json:"hot_bytes_per_event"`
	ColdBytesPerEvent       float64 `json:"cold_bytes_per_event"`
	PeakRSSBytes            int64   `json:"peak_rss_bytes"`
	// PeakRSSSettledBytes is the peak RSS once the data is in its final
	// form, before the queries: "during ingest and settling".
	PeakRSSSettledBytes int64         `json:"peak_rss_settled_bytes"`
	Queries             []QueryResult `json:"queries"`
	CPUs                int           `json:"cpus"`
}

func (o *Options) defaults() {
	if o.Events <= 0 {
		o.Events = 10_000_000
	}
	if o.Conns <= 0 {
		o.Conns = 4
	}
	if o.Repeat <= 0 {
		o.Repeat = 5
	}
	if o.Day.IsZero() {
		o.Day = time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Queries == nil {
		o.Queries = Queries()
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Run starts a server, loads it and measures it.
func Run(ctx context.Context, o Options) (*Report, error) {
	o.defaults()
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "vigil-bench")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	sysAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--data", dir, "--http", httpAddr, "--syslog-tcp", sysAddr, "--syslog-udp", "off", "--log-level", "warn"}
	if o.DeferFreeze {
		conf := filepath.Join(dir, "bench.yaml")
		if err := os.WriteFile(conf, []byte("storage:\n  hot_bytes: 1TiB\n  hot_age: 1000h\n"), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "--config", conf)
	}
	args = append(args, o.ServerArgs...)
	srv := exec.Command(o.Bin, args...)
	var srvLog bytes.Buffer
	srv.Stdout, srv.Stderr = &srvLog, &srvLog
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start vigil serve: %w", err)
	}
	defer func() {
		if srv.ProcessState == nil {
			_ = srv.Process.Signal(syscall.SIGTERM)
			_ = srv.Wait()
		}
	}()
	base := "http://" + httpAddr
	if err := waitHealthy(ctx, base+"/api/v1/health", "vigil serve"); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, srvLog.String())
	}
	pid := srv.Process.Pid
	rep := &Report{System: "vigil", Events: o.Events, CPUs: numCPU()}
	gen := &Generator{Day: o.Day, Events: o.Events}

	fmt.Fprintf(o.Log, "sending %d events over %d TCP connections to %s\n", o.Events, o.Conns, sysAddr)
	cpu0, err := cpuSeconds(pid)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	sent, err := send(ctx, sysAddr, gen, o.Events, o.Conns)
	if err != nil {
		return nil, err
	}
	rep.BytesSent = sent
	sendDone := time.Since(start)
	fmt.Fprintf(o.Log, "sent in %.1fs; waiting until the server has stored them\n", sendDone.Seconds())
	for {
		stored, dead, err := storedRows(ctx, base)
		if err != nil {
			return nil, err
		}
		if stored+dead >= int64(o.Events) {
			// The alerts those events raised are in the alert log by now
			// (detection appends them before the events' batch is
			// acknowledged); their triage (the alert and incident tables)
			// is part of ingest's cost, so wait until the log is applied.
			pending, err := pendingAlerts(ctx, base)
			if err != nil {
				return nil, err
			}
			if pending == 0 {
				rep.Stored, rep.DeadLettered = stored, dead
				break
			}
		}
		if srv.ProcessState != nil {
			return nil, fmt.Errorf("vigil serve exited\n%s", srvLog.String())
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("wait for vigil to store the events: %w", ctx.Err())
		}
		if time.Since(start) > 2*time.Hour {
			return nil, fmt.Errorf("the server stored %d+%d of %d events in 2h", stored, dead, o.Events)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ingest := time.Since(start)
	cpu1, err := cpuSeconds(pid)
	if err != nil {
		return nil, err
	}
	rep.setIngest(ingest, cpu1-cpu0)
	rep.HotBytesPerEvent = float64(dirSize(filepath.Join(dir, "store", "events", "hot"))) / float64(o.Events)
	fmt.Fprintf(o.Log, "stored %d events (%d dead-lettered) in %.1fs: %.0f events/s, %.1f CPU-s per million\n",
		rep.Stored, rep.DeadLettered, ingest.Seconds(), rep.EventsPerSecond, rep.CPUSecondsPerM)

	fmt.Fprintf(o.Log, "freezing hot data to Parquet\n")
	t0 := time.Now()
	resp, err := http.Post(base+"/api/v1/admin/freeze", "application/json", nil)
	if err != nil {
		return nil, fmt.Errorf("freeze: %w", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("freeze: %s: %s", resp.Status, body)
	}
	rep.FreezeSeconds = time.Since(t0).Seconds()
	cpu2, _ := cpuSeconds(pid)
	rep.FreezeCPUSeconds = cpu2 - cpu1
	rep.EndToEndEventsPerCPUSec = float64(o.Events) / (rep.ServerCPUSeconds + rep.FreezeCPUSeconds)
	rep.ColdBytesPerEvent = float64(dirSize(filepath.Join(dir, "store", "events", "cold"))) / float64(rep.Stored)
	fmt.Fprintf(o.Log, "froze in %.1fs: %.1f bytes per event on disk\n", rep.FreezeSeconds, rep.ColdBytesPerEvent)
	if rep.PeakRSSSettledBytes, err = peakRSS(pid); err != nil {
		return nil, err
	}

	from, to := o.Day.Format(time.RFC3339), o.Day.Add(24*time.Hour).Format(time.RFC3339)
	for _, q := range o.Queries {
		qr, err := timeQuery(ctx, base, q, from, to, o.Repeat)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(o.Log, "query %-22s median %8.1f ms  (%d rows, total %d, answer %d)\n", q.Name, qr.Median, qr.Rows, qr.Total, qr.Answer)
		rep.Queries = append(rep.Queries, *qr)
	}
	if rep.PeakRSSBytes, err = peakRSS(pid); err != nil {
		return nil, err
	}
	return rep, nil
}

func timeQuery(ctx context.Context, base string, q Query, from, to string, repeat int) (*QueryResult, error) {
	res := &QueryResult{Name: q.Name, Query: q.Q}
	var ms []float64
	for i := 0; i < repeat; i++ {
		v := url.Values{"q": {q.Q}, "from": {from}, "to": {to}, "limit": {strconv.Itoa(q.Limit)}}
		t0 := time.Now()
		resp, err := http.Get(base + "/api/v1/search?" + v.Encode())
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", q.Name, err)
		}
		var body struct {
			Events []json.RawMessage `json:"events"`
			Total  int64             `json:"total"`
			Error  string            `json:"error"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		elapsed := time.Since(t0)
		if err != nil || resp.StatusCode != 200 {
			return nil, fmt.Errorf("query %s: %s %v %s", q.Name, resp.Status, err, body.Error)
		}
		ms = append(ms, float64(elapsed.Microseconds())/1000)
		res.Rows, res.Total = len(body.Events), body.Total
		if res.Answer, err = answer(q.Vigil, body.Events, body.Total); err != nil {
			return nil, fmt.Errorf("query %s: %w", q.Name, err)
		}
	}
	res.Median, res.Min, res.Max = spread(ms)
	return res, nil
}

// send writes events 0..n-1 octet-counted over conns connections; connection
// c sends the records i with i % conns == c.
func send(ctx context.Context, addr string, gen *Generator, n, conns int) (int64, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total int64
	var firstErr error
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				mu.Lock()
				firstErr = errors.Join(firstErr, err)
				mu.Unlock()
				return
			}
			defer conn.Close()
			w := bufio.NewWriterSize(conn, 256<<10)
			var rec, frame []byte
			var sent int64
			for i := c; i < n; i += conns {
				if i%65536 == c && ctx.Err() != nil {
					break
				}
				rec = gen.Append(rec[:0], i)
				frame = strconv.AppendInt(frame[:0], int64(len(rec)), 10)
				frame = append(frame, ' ')
				frame = append(frame, rec...)
				if _, err := w.Write(frame); err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, fmt.Errorf("send: %w", err))
					mu.Unlock()
					return
				}
				sent += int64(len(frame))
			}
			if err := w.Flush(); err != nil {
				mu.Lock()
				firstErr = errors.Join(firstErr, err)
				mu.Unlock()
			}
			mu.Lock()
			total += sent
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	return total, firstErr
}

// setIngest fills the ingest figures of a run that stored its events in
// ingest with cpu CPU-seconds of the server.
func (rep *Report) setIngest(ingest time.Duration, cpu float64) {
	rep.IngestSeconds = ingest.Seconds()
	rep.EventsPerSecond = float64(rep.Events) / ingest.Seconds()
	rep.ServerCPUSeconds = cpu
	rep.CPUSecondsPerM = cpu / (float64(rep.Events) / 1e6)
	rep.EventsPerCPUSec = float64(rep.Events) / cpu
}

// waitHealthy waits until url answers 200 (a server that starts up: vigil
// serve or the peer), for at most a minute.
func waitHealthy(ctx context.Context, url, name string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s did not become healthy: %v", name, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pendingAlerts reads how many alerts the alert log holds unapplied
// (vigil_queue_records{output="alertlog"}) from /metrics; 0 when the
// server has no alert log.
func pendingAlerts(ctx context.Context, base string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("read metrics: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var n int64
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "vigil_queue_records{") && strings.Contains(line, `output="alertlog"`) {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			n += int64(v)
		}
	}
	return n, sc.Err()
}

// storedRows reads vigil_store_written_rows_total from /metrics.
func storedRows(ctx context.Context, base string) (events, dead int64, err error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, 0, fmt.Errorf("read metrics: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "vigil_store_written_rows_total{") {
			continue
		}
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		switch {
		case strings.Contains(line, `dataset="events"`):
			events = int64(v)
		case strings.Contains(line, `dataset="deadletters"`):
			dead = int64(v)
		}
	}
	return events, dead, sc.Err()
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
