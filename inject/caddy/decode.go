package injectcaddy

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// An upstream asked for an uncompressed page may compress it all the same.
// Such a page is decoded, so it gets the tags, when it is small enough to
// decode whole: a Content-Length of at most maxEncoded bytes, decoding to at
// most maxDecoded. Anything else passes through as it came.
const (
	maxEncoded = 1 << 20
	maxDecoded = 8 << 20
)

var errTooLarge = errors.New("decoded page too large")

// decoding holds a compressed page until the handler returns.
type decoding struct {
	code   int    // the status, held
	coding string // "gzip" or "zstd"
	buf    []byte // the compressed body
}

// decodable returns the coding of a response with header h that may be
// decoded whole: an HTML page in one gzip or zstd coding, with a
// Content-Length within maxEncoded, no range. It returns "" otherwise.
func decodable(h http.Header) string {
	ce := h["Content-Encoding"]
	if len(ce) != 1 || len(h["Content-Range"]) > 0 {
		return ""
	}
	var coding string
	switch strings.ToLower(strings.TrimSpace(ce[0])) {
	case "gzip", "x-gzip":
		coding = "gzip"
	case "zstd":
		coding = "zstd"
	default:
		return ""
	}
	ct := h["Content-Type"]
	if len(ct) != 1 || !containsFold(ct[0], "text/html") {
		return ""
	}
	cl := h["Content-Length"]
	if len(cl) != 1 {
		return ""
	}
	n, err := strconv.ParseInt(cl[0], 10, 64)
	if err != nil || n <= 0 || n > maxEncoded {
		return ""
	}
	return coding
}

// decodeBody returns the decoded body, or an error when it is malformed or
// decodes to more than maxDecoded bytes.
func decodeBody(coding string, body []byte) ([]byte, error) {
	switch coding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		if len(out) > maxDecoded {
			return nil, errTooLarge
		}
		return out, nil
	case "zstd":
		dec, err := zstdDecoder()
		if err != nil {
			return nil, err
		}
		out, err := dec.DecodeAll(body, nil)
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown coding %q", coding)
}

// zstdDecoder returns the decoder every response shares: DecodeAll is safe
// for concurrent use, and the decoder refuses frames beyond maxDecoded.
var zstdDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxDecoded))
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	return d, nil
})
