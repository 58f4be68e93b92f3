package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"fundhub"
)

// Prefixes of the tokens the hub issues: they tell a leaked string for
// what it is, and which kind of token it was.
const (
	sessionPrefix = "fhs_"
	apiPrefix     = "fha_"
)

// tokenBytes is the randomness of a token: 256 bits, so a token cannot be
// guessed and a plain SHA-256 of it is a safe thing to store.
const tokenBytes = 32

// newToken returns a fresh token of kind and the hash to store.
func newToken(kind fundhub.TokenKind) (string, []byte, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("drawing a token: %w", err)
	}
	prefix := sessionPrefix
	if kind == fundhub.TokenAPI {
		prefix = apiPrefix
	}
	raw := prefix + base64.RawURLEncoding.EncodeToString(b)

	return raw, hashToken(raw), nil
}

// hashToken returns what the store keeps of a token.
func hashToken(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

// wellFormed reports whether raw looks like a token the hub issued, so a
// stray header costs no database query.
func wellFormed(raw string) bool {
	if !strings.HasPrefix(raw, sessionPrefix) && !strings.HasPrefix(raw, apiPrefix) {
		return false
	}
	body := raw[len(sessionPrefix):]

	return base64.RawURLEncoding.EncodedLen(tokenBytes) == len(body)
}

// maxPasswordBytes is bcrypt's limit: it ignores or refuses what is longer.
const maxPasswordBytes = 72

// checkNewPassword says why pw is not acceptable as a password.
func checkNewPassword(pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < fundhub.MinPasswordLength:
		return fundhub.Invalid("password", "must be at least %d characters",
			fundhub.MinPasswordLength)
	case len(pw) > maxPasswordBytes:
		return fundhub.Invalid("password", "must be at most %d bytes", maxPasswordBytes)
	case strings.TrimSpace(pw) != pw:
		return fundhub.Invalid("password", "must not start or end with spaces")
	}

	return nil
}

// hashPassword returns the bcrypt hash of pw at cost.
func hashPassword(pw string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", fmt.Errorf("hashing a password: %w", err)
	}

	return string(h), nil
}

// passwordMatches reports whether pw is the password of hash. Any error
// other than a mismatch is returned: a corrupt hash must not look like a
// wrong password to the operator.
func passwordMatches(hash, pw string) (bool, error) {
	if len(pw) > maxPasswordBytes {
		return false, nil
	}

	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("checking a password: %w", err)
	}

	return true, nil
}
