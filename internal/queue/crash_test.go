package queue

import (
	"bufio"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The kill -9 test: a child process (this test binary, re-executed) appends
// batches to a queue on the real file system and prints the last sequence
// number of every Append that returned; the parent SIGKILLs it mid-stream,
// reopens the queue and checks that every acknowledged record is there,
// exactly and in order, and that a torn tail was discarded and counted.
// To make a torn tail certain rather than lucky, the child's file system
// writes each batch in two halves and says so between them; in the rounds
// meant to tear, the parent kills it right then.

const killChildEnv = "VIGIL_QUEUE_KILL_CHILD_DIR"

// killData is the deterministic content of record seq, so the parent can
// check every byte without being told.
func killData(seq uint64) []byte {
	b := []byte("record-" + strconv.FormatUint(seq, 10) + "-")
	for len(b) < 100+int(seq*7919%300) {
		b = append(b, byte('a'+(seq+uint64(len(b)))%26))
	}
	return b
}

// halvingFS writes segment data in two halves with a line on stdout
// between them, and waits for the parent's word (a line on stdin) before it
// writes the second half: in a round meant to tear, the parent kills it
// instead of answering.
type halvingFS struct{ OSFS }

// parentSays reads the parent's answers on the child's stdin.
var parentSays = bufio.NewReader(os.Stdin)

type halvingFile struct{ File }

func (h halvingFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := h.OSFS.OpenFile(name, flag, perm)
	if err != nil || !strings.HasSuffix(name, segmentSuffix) {
		return f, err
	}
	return halvingFile{f}, nil
}

func (f halvingFile) WriteAt(p []byte, off int64) (int, error) {
	if len(p) < 1024 {
		return f.File.WriteAt(p, off)
	}
	half := len(p) / 2
	if n, err := f.File.WriteAt(p[:half], off); err != nil {
		return n, err
	}
	fmt.Println("half")
	if _, err := parentSays.ReadString('\n'); err != nil {
		return half, fmt.Errorf("wait for the parent between halves: %w", err)
	}
	n, err := f.File.WriteAt(p[half:], off+int64(half))
	return half + n, err
}

// TestKill9Child is the child's body; it runs only under TestKill9.
func TestKill9Child(t *testing.T) {
	dir := os.Getenv(killChildEnv)
	if dir == "" {
		t.Skip("the child process of TestKill9")
	}
	o := Options{Output: "kill", Tenant: "acme", FS: halvingFS{}, Logger: quietLogger, SegmentBytes: 256 << 10}
	q, err := Open(dir, o, nil)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), 0))
	last := q.Status().LastSeq
	for {
		n := 1 + rng.IntN(200)
		batch := make([][]byte, n)
		for i := range batch {
			batch[i] = killData(last + 1 + uint64(i))
		}
		got, err := q.Append(batch)
		if err != nil || got != last+uint64(n) {
			fmt.Println("error", got, err)
			os.Exit(1)
		}
		last = got
		fmt.Println("acked", last)
	}
}

func TestKill9(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("in the child")
	}
	dir := t.TempDir()
	var acked uint64 // what the parent acknowledged as delivered
	tornRounds := 0
	for round := 0; round < 6; round++ {
		tear := round%2 == 0
		lastAcked := runKillChild(t, dir, tear)

		q := mustOpen(t, dir, testOptions(nil))
		st := q.Status()
		got := drain(t, q)
		if len(got) == 0 || got[0].Seq != acked+1 {
			t.Fatalf("round %d: delivery restarts at %v, want %d", round, got, acked+1)
		}
		for i, r := range got {
			if r.Seq != acked+1+uint64(i) || string(r.Data) != string(killData(r.Seq)) {
				t.Fatalf("round %d: record %d is seq %d with %q", round, i, r.Seq, r.Data)
			}
		}
		l := got[len(got)-1].Seq
		if l < lastAcked {
			t.Fatalf("round %d: the child's Append of %d returned, but the queue ends at %d", round, lastAcked, l)
		}
		if tear {
			// Killed between the halves of a batch: that batch is cut off
			// whole and counted.
			if l != lastAcked || st.Torn == 0 || st.TornBytes == 0 {
				t.Fatalf("round %d: killed mid-batch after %d: queue ends at %d, torn %d records / %d bytes",
					round, lastAcked, l, st.Torn, st.TornBytes)
			}
			tornRounds++
		}
		t.Logf("round %d: child acked %d, queue holds %d..%d, torn %d records (%d bytes)",
			round, lastAcked, acked+1, l, st.Torn, st.TornBytes)
		// Deliver half of it; the next round must resume right after.
		acked = got[len(got)/2].Seq
		if err := q.Ack(acked); err != nil {
			t.Fatal(err)
		}
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if tornRounds == 0 {
		t.Fatal("no round tore a batch")
	}
}

// runKillChild runs the child until it has acknowledged a few dozen
// batches, SIGKILLs it (between the halves of a batch when tear is set)
// and returns the last sequence number it reported acknowledged.
func runKillChild(t *testing.T, dir string, tear bool) uint64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9Child$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	var last uint64
	acks, killed := 0, false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "acked "):
			n, err := strconv.ParseUint(strings.TrimPrefix(line, "acked "), 10, 64)
			if err != nil {
				t.Fatalf("child said %q", line)
			}
			last = n
			acks++
			if !tear && acks == 20 && !killed {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		case line == "half":
			if tear && acks >= 20 && !killed {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			} else if !killed {
				in.Write([]byte("go\n")) // write the second half
			}
		case strings.HasPrefix(line, "error"):
			t.Fatalf("child: %s", line)
		}
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !killed || !ok || !ws.Signaled() {
		t.Fatalf("child ended without being killed: %v", err)
	}
	return last
}
