package testutil

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// UDPBound reports whether some process has a UDP socket bound to port
// on this machine, as /proc/net/udp and /proc/net/udp6 list them (Linux).
// A UDP server gives no other sign of being ready; once its socket is
// bound, datagrams sent to it wait in the socket's buffer.
func UDPBound(port string) (bool, error) {
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return false, fmt.Errorf("udp port %q: %w", port, err)
	}
	want := fmt.Sprintf(":%04X", p)
	for _, table := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		f, err := os.Open(table)
		if err != nil {
			return false, fmt.Errorf("read bound udp sockets: %w", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// "  sl  local_address rem_address st …": the local address is
			// the second field, hex address, colon, hex port.
			fields := strings.Fields(sc.Text())
			if len(fields) > 1 && strings.HasSuffix(fields[1], want) {
				f.Close()
				return true, nil
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return false, fmt.Errorf("read %s: %w", table, err)
		}
	}
	return false, nil
}
