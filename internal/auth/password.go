package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/vigilsiem/vigil/internal/config"
)

// Argon2id parameters for new hashes: the second recommended option of RFC
// 9106 §4 with memory lowered to 64 MiB (t=3, p=2), about 100 ms on one
// core of the development machine. Verification results are cached (see
// Authenticator), so a logged-in client pays it once per few minutes.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// ErrBadHash is returned for a stored hash Vigil cannot read.
var ErrBadHash = errors.New("unsupported password hash (want an argon2id PHC string or a bcrypt hash)")

// HashPassword returns an argon2id hash of pw in PHC string form:
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash> (base64, no padding).
func HashPassword(pw string) (string, error) {
	if pw == "" {
		return "", errors.New("hash password: empty password")
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckHash reports whether hash is in a form VerifyPassword reads.
func CheckHash(hash string) error {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		_, _, _, _, _, err := parseArgon(hash)
		return err
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return fmt.Errorf("%w: %v", ErrBadHash, err)
		}
		return nil
	}
	return ErrBadHash
}

func parseArgon(hash string) (salt, key []byte, t, m uint32, p uint8, err error) {
	parts := strings.Split(hash, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[1] != "argon2id" {
		return nil, nil, 0, 0, 0, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return nil, nil, 0, 0, 0, fmt.Errorf("%w: version %q", ErrBadHash, parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || t == 0 || m == 0 || p == 0 || m > 4<<20 {
		return nil, nil, 0, 0, 0, fmt.Errorf("%w: parameters %q", ErrBadHash, parts[3])
	}
	enc := base64.RawStdEncoding
	if salt, err = enc.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return nil, nil, 0, 0, 0, fmt.Errorf("%w: salt", ErrBadHash)
	}
	if key, err = enc.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return nil, nil, 0, 0, 0, fmt.Errorf("%w: hash", ErrBadHash)
	}
	return salt, key, t, m, p, nil
}

// VerifyPassword reports whether pw matches hash (argon2id or bcrypt).
func VerifyPassword(hash, pw string) (bool, error) {
	if strings.HasPrefix(hash, "$argon2id$") {
		salt, key, t, m, p, err := parseArgon(hash)
		if err != nil {
			return false, err
		}
		got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(key)))
		return subtle.ConstantTimeCompare(got, key) == 1, nil
	}
	if err := CheckHash(hash); err != nil {
		return false, err
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return false, nil
	}
	return err == nil, err
}

// NewToken returns a random API token (32 bytes, base64url) and the SHA-256
// digest of it that the configuration stores.
func NewToken() (token, digest string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new token: %w", err)
	}
	token = "vgl_" + base64.RawURLEncoding.EncodeToString(b)
	return token, TokenDigest(token), nil
}

// TokenDigest is the hex SHA-256 of a token, as the configuration stores it.
// Tokens are random and long, so a plain digest (no salt, no stretching)
// cannot be reversed.
func TokenDigest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func init() {
	// The configuration checks hashes with this package's reader.
	config.CheckPasswordHash = CheckHash
}
