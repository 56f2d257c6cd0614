package admin

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"

	"github.com/vrrec/vrrec/keys"
)

// box seals with AES-256-GCM under the key derived from the service's
// secret for one purpose, so the session cookie and the stored secrets
// never share a key. It also opens what the legacy derivation sealed.
type box struct {
	aead, legacy cipher.AEAD
}

func newBox(secret []byte, purpose string) (*box, error) {
	aead, err := newGCM(keys.Derive(secret, purpose))
	if err != nil {
		return nil, err
	}
	legacy, err := newGCM(keys.Legacy(secret, purpose))
	if err != nil {
		return nil, err
	}
	return &box{aead: aead, legacy: legacy}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal returns nonce and ciphertext of plain, bound to ad.
func (b *box) seal(plain, ad []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return b.aead.Seal(nonce, nonce, plain, ad)
}

// errNotOpened says a sealed value is damaged or sealed under another key.
var errNotOpened = errors.New("sealed value does not open with this secret key")

// open returns what seal sealed with ad; legacy says the legacy key sealed
// it, so the caller should seal it again.
func (b *box) open(sealed, ad []byte) (plain []byte, legacy bool, err error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, false, errNotOpened
	}
	if plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], ad); err == nil {
		return plain, false, nil
	}
	if plain, err := b.legacy.Open(nil, sealed[:n], sealed[n:], ad); err == nil {
		return plain, true, nil
	}
	return nil, false, errNotOpened
}
