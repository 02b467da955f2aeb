// Package media is MMS media: copying consumers' media from the carrier
// into the bucket, signed URLs for agents and carriers, and agents'
// uploads. The adapters of its Bucket port live below it: gcs (a Cloud
// Storage bucket, V4 signed URLs) and memmedia (the in-memory twin
// scripts/dev and tests use, serving HMAC-signed expiring URLs from an HTTP
// handler). mediatest is the contract suite both pass.
package media

import (
	"fmt"
	"io"
)

// CopyLimited copies r to w, reading at most limit+1 bytes: more than
// limit is ErrTooLarge (w then holds a partial copy the caller
// discards). Read errors are wrapped to say they came from the source.
func CopyLimited(w io.Writer, r io.Reader, limit int64) (int64, error) {
	n, err := io.Copy(w, &readErr{io.LimitReader(r, limit+1)})
	if err != nil {
		return n, err
	}
	if n > limit {
		return n, fmt.Errorf("more than %d bytes: %w", limit, ErrTooLarge)
	}
	return n, nil
}

type readErr struct{ r io.Reader }

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read media: %w", err)
	}
	return n, err
}
