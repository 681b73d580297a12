package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// PeerVictoriaLogs is the name of the one peer `vigil bench --compare` knows.
const PeerVictoriaLogs = "victoria-logs"

// ParsePeer reads a --compare value, NAME=PATH; the binary must exist.
func ParsePeer(s string) (name, bin string, err error) {
	name, bin, ok := strings.Cut(s, "=")
	if !ok || bin == "" {
		return "", "", fmt.Errorf("read --compare %q: want %s=PATH", s, PeerVictoriaLogs)
	}
	if name != PeerVictoriaLogs {
		return "", "", fmt.Errorf("read --compare %q: unknown peer %q (known: %s)", s, name, PeerVictoriaLogs)
	}
	if _, err := os.Stat(bin); err != nil {
		return "", "", fmt.Errorf("read --compare: %w", err)
	}
	return name, bin, nil
}

// RunVictoriaLogs measures VictoriaLogs (the binary bin) on the same mix as
// Run: it starts it on a temporary directory, bound to 127.0.0.1, sends the
// records over one TCP connection to its JSON-lines endpoint, each as
// {"_time", "host", "app", "_msg": the record} with host and app as stream
// fields (Generator.Stream), waits until a count finds them all ("until
// searchable"), flushes its in-memory data and waits for its merges to
// settle ("final form"), then runs the LogsQL of each query.
//
// Why JSON lines and not its syslog listener: VictoriaLogs' syslog parser
// takes neither the mix's CEF records ("<134>Dec 6 …", a single space before
// the day) nor its JSON records (no syslog header): it keeps them with the
// time of arrival and no host, half of the mix. Sending the time and stream
// fields it would have parsed keeps the two stores' answers equal.
func RunVictoriaLogs(ctx context.Context, o Options, bin string) (*Report, error) {
	o.defaults()
	dir, err := os.MkdirTemp("", "vigil-bench-vl")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	srv := exec.Command(bin, "-storageDataPath="+dir, "-httpListenAddr="+httpAddr, "-loggerLevel=WARN",
		"-retentionPeriod=100y", "-futureRetention=100y")
	var srvLog bytes.Buffer
	srv.Stdout, srv.Stderr = &srvLog, &srvLog
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
	}()
	base := "http://" + httpAddr
	if err := waitHealthy(ctx, base+"/health", PeerVictoriaLogs); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, srvLog.String())
	}
	pid := srv.Process.Pid
	rep := &Report{System: PeerVictoriaLogs, Events: o.Events, CPUs: numCPU()}
	gen := &Generator{Day: o.Day, Events: o.Events}
	from, to := o.Day, o.Day.Add(24*time.Hour)

	fmt.Fprintf(o.Log, "%s: sending %d events over one TCP connection to %s\n", PeerVictoriaLogs, o.Events, httpAddr)
	cpu0, err := cpuSeconds(pid)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if rep.BytesSent, err = sendJSONLines(ctx, base, gen, o.Events); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, srvLog.String())
	}
	for n := int64(0); ; {
		// Polling /metrics costs the server less than a count would; it
		// is what Vigil is polled with.
		pending, err := vlPending(base)
		if err != nil {
			return nil, err
		}
		if !pending {
			if n, err = vlCount(ctx, base, from, to); err != nil {
				return nil, err
			}
			if n >= int64(o.Events) {
				rep.Stored = n
				break
			}
		}
		if time.Since(start) > 2*time.Hour {
			return nil, fmt.Errorf("%s: %d of %d events searchable in 2h", PeerVictoriaLogs, n, o.Events)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("wait for %s to store the events: %w", PeerVictoriaLogs, ctx.Err())
		}
		time.Sleep(100 * time.Millisecond)
	}
	ingest := time.Since(start)
	cpu1, err := cpuSeconds(pid)
	if err != nil {
		return nil, err
	}
	rep.setIngest(ingest, cpu1-cpu0)
	fmt.Fprintf(o.Log, "%s: %d events searchable in %.1fs, %.1f CPU-s per million\n", PeerVictoriaLogs, rep.Stored, ingest.Seconds(), rep.CPUSecondsPerM)

	t0 := time.Now()
	if err := vlSettle(ctx, base); err != nil {
		return nil, err
	}
	rep.FreezeSeconds = time.Since(t0).Seconds()
	cpu2, err := cpuSeconds(pid)
	if err != nil {
		return nil, err
	}
	rep.FreezeCPUSeconds = cpu2 - cpu1
	rep.EndToEndEventsPerCPUSec = float64(o.Events) / (rep.ServerCPUSeconds + rep.FreezeCPUSeconds)
	rep.ColdBytesPerEvent = float64(dirSize(dir)) / float64(o.Events)
	fmt.Fprintf(o.Log, "%s: flushed in %.1fs: %.1f bytes per event on disk\n", PeerVictoriaLogs, rep.FreezeSeconds, rep.ColdBytesPerEvent)
	if rep.PeakRSSSettledBytes, err = peakRSS(pid); err != nil {
		return nil, err
	}

	for _, q := range o.Queries {
		qr, err := timeLogsQL(ctx, base, q, from, to, o.Repeat)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(o.Log, "%s: query %-16s median %8.1f ms  (%d rows, answer %d)\n", PeerVictoriaLogs, q.Name, qr.Median, qr.Rows, qr.Answer)
		rep.Queries = append(rep.Queries, *qr)
	}
	if rep.PeakRSSBytes, err = peakRSS(pid); err != nil {
		return nil, err
	}
	return rep, nil
}

// AppendJSONLine appends record i as VictoriaLogs' JSON line: its time, its
// stream fields host and app, and the record as _msg.
func AppendJSONLine(dst []byte, gen *Generator, i int, rec []byte) []byte {
	host, app := gen.Stream(i)
	dst = append(dst, `{"_time":"`...)
	dst = appendRFC3339(dst, gen.Time(i))
	dst = append(dst, `","host":`...)
	dst = strconv.AppendQuote(dst, host)
	dst = append(dst, `,"app":`...)
	dst = strconv.AppendQuote(dst, app)
	dst = append(dst, `,"_msg":`...)
	dst, _ = appendJSONString(dst, rec)
	return append(dst, "}\n"...)
}

// appendJSONString appends s as a JSON string.
func appendJSONString(dst, s []byte) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(string(s)); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...), nil
}

// sendJSONLines streams records 0..n-1 in one request (one TCP connection)
// to /insert/jsonline, which answers once it has taken them all.
func sendJSONLines(ctx context.Context, base string, gen *Generator, n int) (int64, error) {
	pr, pw := io.Pipe()
	done := make(chan int64, 1)
	go func() {
		var sent int64
		defer func() { done <- sent }()
		w := bufio.NewWriterSize(pw, 256<<10)
		var rec, line []byte
		for i := 0; i < n; i++ {
			if i%65536 == 0 && ctx.Err() != nil {
				pw.CloseWithError(ctx.Err())
				return
			}
			rec = gen.Append(rec[:0], i)
			line = AppendJSONLine(line[:0], gen, i, rec)
			if _, err := w.Write(line); err != nil {
				pw.CloseWithError(err)
				return
			}
			sent += int64(len(line))
		}
		pw.CloseWithError(w.Flush())
	}()
	q := url.Values{"_stream_fields": {"host,app"}, "_time_field": {"_time"}, "_msg_field": {"_msg"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/insert/jsonline?"+q.Encode(), pr)
	if err != nil {
		pr.CloseWithError(err)
		<-done
		return 0, fmt.Errorf("send to %s: %w", PeerVictoriaLogs, err)
	}
	req.Header.Set("Content-Type", "application/stream+json")
	client := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{}).DialContext, MaxConnsPerHost: 1}}
	resp, err := client.Do(req)
	if err != nil {
		pr.CloseWithError(err) // stops the writer if the server went away
		<-done
		return 0, fmt.Errorf("send to %s: %w", PeerVictoriaLogs, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	pr.CloseWithError(io.ErrClosedPipe)
	sent := <-done
	if resp.StatusCode/100 != 2 {
		return 0, fmt.Errorf("send to %s: %s: %s", PeerVictoriaLogs, resp.Status, body)
	}
	return sent, nil
}

// logsQL runs a query over [from, to) and returns its rows.
func logsQL(ctx context.Context, base, query string, from, to time.Time) ([]json.RawMessage, error) {
	v := url.Values{"query": {query}, "start": {from.Format(time.RFC3339Nano)}, "end": {to.Add(-time.Nanosecond).Format(time.RFC3339Nano)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/select/logsql/query", strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", PeerVictoriaLogs, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		body, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("query %s %q: %s: %s", PeerVictoriaLogs, query, resp.Status, body)
	}
	var rows []json.RawMessage
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			rows = append(rows, append(json.RawMessage(nil), line...))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s answer: %w", PeerVictoriaLogs, err)
	}
	return rows, nil
}

func vlCount(ctx context.Context, base string, from, to time.Time) (int64, error) {
	rows, err := logsQL(ctx, base, "* | count() as count", from, to)
	if err != nil {
		return 0, err
	}
	return answer(AnswerSum, rows, 0)
}

// vlSettle asks VictoriaLogs to flush its in-memory data to parts on disk
// and waits until no rows are pending or in memory and no merge runs, twice
// in a row.
func vlSettle(ctx context.Context, base string) error {
	resp, err := http.Get(base + "/internal/force_flush")
	if err != nil {
		return fmt.Errorf("flush %s: %w", PeerVictoriaLogs, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("flush %s: %s", PeerVictoriaLogs, resp.Status)
	}
	quiet := 0
	for deadline := time.Now().Add(time.Hour); quiet < 2; {
		busy, err := vlMetricsAbove0(base, "vl_active_merges{", "vl_pending_rows{", `vl_storage_rows{type="storage/inmemory"}`)
		if err != nil {
			return err
		}
		if busy {
			quiet = 0
		} else {
			quiet++
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s did not settle in an hour", PeerVictoriaLogs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil
}

// vlPending says whether VictoriaLogs holds rows not yet searchable.
func vlPending(base string) (bool, error) {
	return vlMetricsAbove0(base, `vl_pending_rows{type="storage"}`)
}

// vlMetricsAbove0 reads /metrics: whether any series whose line starts with
// one of the prefixes is above 0.
func vlMetricsAbove0(base string, prefixes ...string) (bool, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return false, fmt.Errorf("read %s metrics: %w", PeerVictoriaLogs, err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	busy := false
	for sc.Scan() {
		line := sc.Text()
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(line, p) }) {
			continue
		}
		f := strings.Fields(line)
		if v, _ := strconv.ParseFloat(f[len(f)-1], 64); v > 0 {
			busy = true
		}
	}
	return busy, sc.Err()
}

func timeLogsQL(ctx context.Context, base string, q Query, from, to time.Time, repeat int) (*QueryResult, error) {
	res := &QueryResult{Name: q.Name, Query: q.LogsQL}
	var ms []float64
	for i := 0; i < repeat; i++ {
		t0 := time.Now()
		rows, err := logsQL(ctx, base, q.LogsQL, from, to)
		if err != nil {
			return nil, err
		}
		ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		res.Rows = len(rows)
		if res.Answer, err = answer(q.Peer, rows, 0); err != nil {
			return nil, fmt.Errorf("query %s: %w", q.Name, err)
		}
	}
	res.Median, res.Min, res.Max = spread(ms)
	return res, nil
}
