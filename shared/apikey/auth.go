package apikey

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// Authenticate finds the key a request carries, as "Authorization: Bearer
// SECRET" or HTTP Basic with the secret as the password (any username,
// empty too: the reference product's clients send a company name there).
// A missing header is ErrNoCredentials; a malformed header, an unknown or
// revoked key or a wrong secret are ErrUnauthenticated. The key is read on
// every request, so a revocation takes effect at once everywhere.
func (s *Service) Authenticate(ctx context.Context, r *http.Request) (Key, error) {
	secret, err := credential(r.Header.Values("Authorization"))
	if err != nil {
		return Key{}, err
	}
	id, ok := idOf(secret)
	if !ok {
		return Key{}, fmt.Errorf("%w: not an smsdesk API key", ErrUnauthenticated)
	}
	k, err := s.key(ctx, id)
	if err != nil {
		return Key{}, err
	}
	// Compare before looking at the revocation, so a revoked key and a
	// wrong secret take the same time.
	good := s.verify(k.Hash, secret)
	switch {
	case !good:
		return Key{}, fmt.Errorf("%w: wrong secret for API key %s", ErrUnauthenticated, id)
	case k.Revoked():
		return Key{}, fmt.Errorf("%w: API key %s was revoked", ErrUnauthenticated, id)
	}
	return k, nil
}

// credential is the secret in an Authorization header.
func credential(values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", ErrNoCredentials
	case 1:
	default:
		return "", fmt.Errorf("%w: %d Authorization headers", ErrUnauthenticated, len(values))
	}
	scheme, param, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	param = strings.TrimSpace(param)
	if param == "" {
		return "", fmt.Errorf("%w: Authorization %q has no credentials", ErrUnauthenticated, scheme)
	}
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		return param, nil
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(param)
		if err != nil {
			return "", fmt.Errorf("%w: Basic credentials are not base64", ErrUnauthenticated)
		}
		_, password, ok := strings.Cut(string(raw), ":")
		if !ok || password == "" {
			return "", fmt.Errorf("%w: Basic credentials have no password", ErrUnauthenticated)
		}
		return password, nil
	}
	return "", fmt.Errorf("%w: Authorization scheme %q is neither Bearer nor Basic", ErrUnauthenticated, scheme)
}
