package azblob

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/testutil"
)

// AzuriteVersion is the emulator the tests run (DESIGN §10).
const AzuriteVersion = "3.37.0"

// azuriteAccountKey is the emulator's well-known development key.
const azuriteAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

// missingTool skips the test, or fails it when VIGIL_REQUIRE_TOOLS=1 (CI).
func missingTool(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("VIGIL_REQUIRE_TOOLS") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format+" (CI sets VIGIL_REQUIRE_TOOLS=1 to fail instead)", args...)
}

// azuriteBin finds azurite-blob: $VIGIL_AZURITE, the PATH, or the user
// cache, where it is installed with npm when missing.
func azuriteBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VIGIL_AZURITE"); p != "" {
		return p
	}
	if p, err := exec.LookPath("azurite-blob"); err == nil {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "vigil-test", "azurite-"+AzuriteVersion)
	bin := filepath.Join(dir, "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if _, err := exec.LookPath("node"); err != nil {
		missingTool(t, "node not found: azurite %s cannot run", AzuriteVersion)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		missingTool(t, "npm not found: azurite %s cannot be installed", AzuriteVersion)
	}
	t.Logf("installing azurite %s into %s (once)", AzuriteVersion, dir)
	cmd := exec.Command(npm, "install", "--prefix", dir, "--no-audit", "--no-fund", "azurite@"+AzuriteVersion)
	if out, err := cmd.CombinedOutput(); err != nil {
		missingTool(t, "npm install azurite@%s: %v\n%s", AzuriteVersion, err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("azurite installed but %s is missing: %v", bin, err)
	}
	return bin
}

// startAzurite runs the blob emulator on a free loopback port with its own
// data folder and returns the account URL.
func startAzurite(t *testing.T) string {
	t.Helper()
	bin := azuriteBin(t)
	addr := testutil.FreeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "--blobHost", host, "--blobPort", port, "--location", t.TempDir(),
		"--silent", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start azurite: %v", err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	var err error
	listening := testutil.Poll(testutil.WaitTimeout, func() bool {
		var c net.Conn
		if c, err = net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
		}
		return err == nil
	})
	if !listening {
		t.Fatalf("azurite did not listen on %s: %v", addr, err)
	}
	return "http://" + addr + "/devstoreaccount1"
}
